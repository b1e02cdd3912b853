"""The 2-D playground's settings: the model spec they describe, presets, keys and the readable link."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from playground import spec as specs
from playground.plane import data as plane
from playground.plane import settings as plane_state
from playground.plane.settings import PlaneSettings

# ---------------------------------------------------------------- settings and links


def test_the_default_settings_describe_tensorflow_playgrounds_start():
    model_spec = plane_state.network_spec(PlaneSettings())
    assert model_spec.input_shape == (2,) and model_spec.num_classes == 1
    assert [layer.args["units"] for layer in model_spec.layers] == [4, 2, 1]
    assert model_spec.layers[-1].args["activation"] == "tanh" and model_spec.loss == "mean_squared_error"
    assert specs.validate(model_spec).ok


def test_the_network_spec_carries_dropout_regularization_and_the_softmax_output():
    chosen = PlaneSettings(
        dataset="blobs", classes=4, features=("x1", "x2", "sinx1"), layers=((8, "relu"), (3, "elu")),
        regularization="l1", rate=0.003, dropout=0.2, loss="ce", optimizer="Adam", lr=0.01,
    )  # fmt: skip
    model_spec = plane_state.network_spec(chosen)
    kinds = [layer.kind for layer in model_spec.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert model_spec.layers[-1].args == {"units": 4, "activation": "softmax", "kernel_regularizer": {"l1": 0.003}}
    assert model_spec.input_shape == (3,) and model_spec.loss == "categorical_crossentropy"
    assert model_spec.optimizer.kind == "Adam" and model_spec.optimizer.args == {"learning_rate": 0.01}
    report = specs.validate(model_spec)
    assert report.ok and report.total_params == (3 * 8 + 8) + (8 * 3 + 3) + (3 * 4 + 4)


def test_mse_on_several_classes_gets_the_build_pages_warning_and_regression_is_always_mse():
    several = plane_state.network_spec(PlaneSettings(dataset="blobs", loss="mse"))
    assert [w.code for w in specs.validate(several).warnings] == ["warn_softmax_mse"]
    assert plane_state.normalized(PlaneSettings(dataset="plane", loss="ce")).loss == "mse"


def test_a_link_holds_only_what_differs_and_reads_back_the_same_settings():
    chosen = plane_state.PRESETS["spiral_challenge"]
    query = plane_state.to_query(chosen, lock=("layers", "dataset"), hide=True)
    assert (
        query["dataset"] == "spiral" and query["layers"] == "8-tanh.8-tanh" and query["features"] == "x1.x2.sinx1.sinx2"
    )
    assert query["lock"] == "dataset.layers" and query["hide"] == "1" and "noise" not in query
    link = plane_state.from_query(query)
    assert link.settings == chosen and link.lock == ("dataset", "layers") and link.hide and not link.unreadable
    assert plane_state.from_query(plane_state.to_query(PlaneSettings(layers=()))).settings.layers == ()


settings_strategy = st.builds(
    PlaneSettings,
    dataset=st.sampled_from(tuple(plane.DATASETS)),
    classes=st.integers(3, 5),
    noise=st.sampled_from(plane_state.NOISE_LEVELS),
    train=st.sampled_from(plane_state.TRAIN_PERCENTS),
    points=st.sampled_from(plane_state.POINT_COUNTS),
    seed=st.integers(0, plane_state.MAX_SEED),
    features=st.sets(st.sampled_from(tuple(plane.FEATURES)), min_size=1).map(
        lambda chosen: tuple(f for f in plane.FEATURES if f in chosen)
    ),
    layers=st.lists(st.tuples(st.integers(1, 16), st.sampled_from(plane_state.HIDDEN_ACTIVATIONS)), max_size=6).map(
        tuple
    ),
    regularization=st.sampled_from(plane_state.REGULARIZATIONS),
    rate=st.sampled_from(plane_state.REGULARIZATION_RATES),
    dropout=st.sampled_from(plane_state.DROPOUT_RATES),
    optimizer=st.sampled_from(("SGD", "Adam", "Lion")),
    lr=st.sampled_from(plane_state.LEARNING_RATES),
    batch=st.integers(1, 30),
    loss=st.sampled_from(tuple(plane_state.LOSSES)),
    speed=st.sampled_from(plane_state.SPEEDS),
    test=st.booleans(),
    discretize=st.booleans(),
).map(plane_state.normalized)


@settings(max_examples=150, deadline=None)
@given(settings_strategy)
def test_every_setting_survives_its_link_and_builds_a_valid_spec(chosen):
    assert plane_state.from_query(plane_state.to_query(chosen)).settings == chosen
    assert specs.validate(plane_state.network_spec(chosen)).ok


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*plane_state.READERS, "lock", "hide", "lang"]), st.text(max_size=30)))
def test_a_malformed_link_never_raises_and_names_what_it_could_not_read(query):
    link = plane_state.from_query(query)
    assert isinstance(link.settings, PlaneSettings) and specs.validate(plane_state.network_spec(link.settings)).ok
    for name in link.unreadable:
        assert name in query


def test_unreadable_values_fall_back_to_their_defaults_one_by_one():
    link = plane_state.from_query(
        {
            "dataset": "spiral",
            "noise": "lots",
            "layers": "99-tanh",
            "lr": "0.03",
            "lock": "dataset.nonsense",
            "hide": "2",
        }
    )
    assert (
        link.settings.dataset == "spiral"
        and link.settings.noise == 0.0
        and link.settings.layers == ((4, "tanh"), (2, "tanh"))
    )
    assert set(link.unreadable) == {"noise", "layers", "lock", "hide"} and link.lock == ("dataset",) and not link.hide


def test_keys_tell_when_the_data_or_the_network_must_start_over():
    base = PlaneSettings()
    assert plane_state.data_key(replace(base, noise=0.1)) != plane_state.data_key(base)
    assert plane_state.network_key(replace(base, layers=((3, "relu"),))) != plane_state.network_key(base)
    for name, value in (("lr", 0.1), ("batch", 3), ("speed", 20), ("test", True)):  # these keep training going
        changed = replace(base, **{name: value})
        assert plane_state.data_key(changed) == plane_state.data_key(base)
        assert plane_state.network_key(changed) == plane_state.network_key(base)
