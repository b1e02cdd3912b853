"""The one link module: earlier links still open, and no link can cost more than its limits."""

import ast
import base64
import json
import zlib
from pathlib import Path

import pytest

from playground import links, presets
from playground import spec as specs
from playground.plane import settings as plane_settings

ROOT = Path(__file__).resolve().parents[2]
# Links made by the playground before the link module existed (share, teacher and 2-D links).
EARLIER = json.loads((Path(__file__).parent / "earlier_links.json").read_text())


def _packed(data) -> str:
    text = data if isinstance(data, str) else json.dumps(data)
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


@pytest.mark.parametrize("fixture", EARLIER, ids=lambda f: f"{f['kind']}-{json.dumps(f['query'])[:24]}")
def test_every_earlier_link_still_opens_as_it_did(fixture):
    query, expect = fixture["query"], fixture["expect"]
    if fixture["kind"] == "share":
        assert links.spec_from_query(query).to_dict() == expect["spec"]
    elif fixture["kind"] == "lesson":
        assert links.lesson_from_value(query["lesson"]).to_dict() == expect
    else:
        link = plane_settings.from_query(query)
        assert link.unreadable == ()
        opened = json.loads(json.dumps(vars(link.settings)))
        # Settings added since (own data: source, target, rule, flip) open at their defaults: built-in points.
        added = {name: value for name, value in opened.items() if name not in expect["settings"]}
        defaults = json.loads(json.dumps(vars(plane_settings.PlaneSettings())))
        assert added == {name: defaults[name] for name in added} and added.get("source") == "builtin"
        assert {name: opened[name] for name in expect["settings"]} == expect["settings"]
        assert list(link.lock) == expect["lock"] and link.hide == expect["hide"]


def test_pack_and_unpack_are_inverse():
    data = {"page": "train", "settings": {"epochs": 3, "names": ["a", "b"]}, "spec": None}
    assert links.unpack(links.pack(data)) == data
    model = presets.preset("lenet-5")
    assert links.spec_from_query(links.spec_query(model)) == model
    assert links.spec_query(presets.preset("seed-cnn")) == {"preset": "seed-cnn"}


def test_a_short_link_of_deeply_nested_json_is_refused_before_it_is_parsed():
    packed = _packed("[" * 5000 + "]" * 5000)  # a few dozen characters: json.loads would hit RecursionError
    assert len(packed) < 300
    with pytest.raises(links.LinkError, match="nested too deeply"):
        links.unpack(packed)
    with pytest.raises(specs.SpecError, match="nested too deeply"):
        links.spec_from_query({"model": packed})


def test_a_link_that_inflates_beyond_the_limit_is_refused():
    bomb = _packed({"layers": [{"kind": "Dense", "units": 1}] * 100_000})
    assert len(bomb) < links.MAX_VALUE_CHARS
    with pytest.raises(links.LinkError, match="holds too much"):
        links.unpack(bomb)


@pytest.mark.parametrize(
    "text",
    ["", "x" * (links.MAX_VALUE_CHARS + 1), "!!!", "eJzLSM3JyQcABiwCFQ", 42, None, _packed({"a": 1})[:-6]],
    ids=["empty", "too long", "not base64", "not deflate", "a number", "none", "cut"],
)
def test_damaged_values_give_the_one_link_error(text):
    with pytest.raises(links.LinkError):
        links.unpack(text)


def test_readable_parameters_are_bounded_and_flags_strict():
    assert links.readable({"dataset": " xor ", "other": "x"}, ("dataset",)) == {"dataset": "xor"}
    assert links.readable({"dataset": ["circle", "xor"]}, ("dataset",)) == {"dataset": "xor"}
    with pytest.raises(links.LinkError):
        links.readable({"layers": "8-tanh." * 100}, ("layers",))
    with pytest.raises(links.LinkError):
        links.readable({f"p{i}": "1" for i in range(links.MAX_PARAMS + 1)}, ("p1",))
    assert links.flag("1") and links.flag("true") and not links.flag("0") and not links.flag("false")
    for text in ("yes", "2", "TRUE", ""):
        with pytest.raises(links.LinkError):
            links.flag(text)


def test_the_two_d_page_reads_its_address_through_the_limits():
    too_long = plane_settings.from_query({"layers": "8-tanh." * 100})
    assert too_long.unreadable == ("link",) and too_long.settings == plane_settings.DEFAULTS
    strict = plane_settings.from_query({"dataset": "xor", "lock": "dataset", "hide": "yes"})
    assert strict.settings.dataset == "xor" and "hide" in strict.unreadable and not strict.hide


def test_a_lesson_hide_flag_must_be_true_or_false():
    with pytest.raises(links.LinkError, match="hide"):
        links.lesson_from_value(_packed({"page": "train", "settings": {}, "locked": [], "hide": "yes"}))


ADDRESS_READERS = ("session.py", "lesson.py", "address.py", "persistence.py")


# Modules that decode base64 that is not a link: what the server stored itself, read back within bounds.
NOT_LINKS = {"playground/training/replay.py": "a run's replay inside the store's JSON (read_npz bounds it)"}


def test_only_the_link_module_decodes_links():
    decoders = {"urlsafe_b64decode", "b64decode", "decompress", "decompressobj"}
    offenders = []
    for path in [*(ROOT / "playground").rglob("*.py"), *(ROOT / "views").glob("*.py")]:
        if path.name == "links.py" or str(path.relative_to(ROOT)) in NOT_LINKS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in decoders:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.attr}")
            # pages and glue read the address only to hand it to the link module (or to read the language)
            if isinstance(node, ast.Attribute) and node.attr == "query_params" and path.name not in ADDRESS_READERS:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} query_params")
    assert offenders == []


@pytest.mark.parametrize("page", ["views/build.py", "views/train.py"])
def test_pages_opened_with_a_hostile_link_say_one_line_and_keep_working(app_test, page):
    nested = _packed("[" * 5000 + "]" * 5000)
    many = _packed(json.dumps({**presets.preset("mlp").to_dict(), "layers": [{"kind": "Dense", "units": 8}] * 1000}))
    for query in ({"model": nested}, {"model": many}, {"lesson": nested}, {"preset": "p" * 10_000}):
        app = app_test(page, **query)
        assert not app.exception, app.exception
        notes = [w.value for w in app.warning]
        assert len(notes) == 1 and len(notes[0]) < 400, notes
        assert app.title  # the page itself is there, with the default model


def test_a_comparison_lesson_round_trips_and_an_earlier_lesson_has_none():
    lesson = links.Lesson("train", {"train_epochs": 4}, compare=("resnet", "resnet-plain"))
    opened = links.lesson_from_value(links.lesson_value(lesson))
    assert opened == lesson and opened.compare == ("resnet", "resnet-plain")
    assert opened.to_dict()["compare"] == ["resnet", "resnet-plain"]
    assert "compare" not in links.Lesson("train").to_dict()  # earlier lessons read back as they were made
    assert links.lesson_from_value(links.lesson_value(links.Lesson("train"))).compare == ()


@pytest.mark.parametrize(
    ("compare", "problem"),
    [
        (["resnet", "resnet-plain", "mlp", "seed-cnn", "lenet"], "compares 5 models"),
        (["resnet"], "compares 1 models"),
        (["resnet", "resnet"], "with itself"),
        (["resnet", "imagenet-resnet-152"], "'imagenet-resnet-152', which is not a preset"),
        (["resnet", "r" * 10_000], "which is not a preset"),
        ("resnet,resnet-plain", "not a list of preset names"),
        (["resnet", 7], "not a list of preset names"),
        (["resnet", ["resnet-plain"]], "not a list of preset names"),
        ({"a": "resnet"}, "not a list of preset names"),
        (None, "not a list of preset names"),
    ],
)
def test_a_tampered_comparison_gives_the_one_link_error(compare, problem):
    with pytest.raises(links.LinkError, match=problem) as raised:
        links.lesson_from_value(_packed({"page": "train", "settings": {}, "locked": [], "compare": compare}))
    assert len(str(raised.value)) < 200  # one short line, however long the tampered name
