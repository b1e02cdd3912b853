"""The session store on SQLite and on PostgreSQL: parts and image sets per anonymous token, hashed keys, caps
enforced by the write that would cross them, age limit, clean-up, space given back, a damaged file set aside."""

import json
import threading

import numpy as np
import pytest
import sqlalchemy as sa

from playground import bundle, presets, store
from playground.store import schema
from playground.training.runs import History, RunRecord, TrainSettings

LIMITS = store.Limits(max_session_bytes=10_000, max_total_bytes=30_000, max_age_s=100)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.cluster)])
def database(request, tmp_path):
    """A SQLAlchemy URL of an empty store database: a SQLite file, or the shared throw-away PostgreSQL server."""
    if request.param == "sqlite":
        return sa.engine.URL.create("sqlite", database=str(tmp_path / "sessions.sqlite3"))
    url = sa.engine.make_url(request.getfixturevalue("postgres_url")).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url)
    schema.metadata.drop_all(engine)  # each test starts from an empty store
    engine.dispose()
    return url


@pytest.fixture
def kept(database):
    made = store.Store(database, LIMITS)
    yield made
    made.engine.dispose()


def test_parts_come_back_only_for_the_same_token(kept):
    mine, theirs = store.new_token(), store.new_token()
    kept.save(mine, {"runs": b"my runs", "state": b"{}"})
    assert kept.load(mine) == {"runs": b"my runs", "state": b"{}"}
    assert kept.load(theirs) == {}
    assert kept.sizes(mine) == {"runs": 7, "state": 2} and kept.sizes(theirs) == {}
    kept.save(mine, {"runs": None})
    assert kept.load(mine) == {"state": b"{}"}


def test_tokens_are_unguessable_and_never_stored(kept):
    token = store.new_token()
    assert store.is_valid_token(token) and len(token) == 43 and token != store.new_token()
    kept.save(token, {"state": b"x"})
    with kept.engine.connect() as connection:
        owners = [row[0] for row in connection.execute(sa.select(schema.parts.c.owner))]
    assert owners == [store.owner_key(token)] and token not in owners[0]


@pytest.mark.parametrize("bad", ["", "short", "x" * 43 + "y", "a" * 42 + "!", None, 42, "../" * 15])
def test_anything_but_a_token_is_never_looked_up(kept, bad):
    assert not store.is_valid_token(bad)
    with pytest.raises(ValueError):
        kept.load(bad)


def test_a_part_that_would_exceed_the_session_cap_is_refused_and_the_rest_kept(kept):
    token = store.new_token()
    refused = kept.save(token, {"runs": b"r" * 4000, "state": b"s" * 100, "model": b"m" * 9000})
    assert refused == ("model",)
    assert set(kept.load(token)) == {"runs", "state"}
    assert kept.save(token, {"model": b"m" * 5000}) == ()
    assert len(kept.load(token)["model"]) == 5000


def test_sessions_expire_after_the_age_limit_and_reading_counts_as_use(kept):
    old, used = store.new_token(), store.new_token()
    kept.save(old, {"state": b"1"}, now=1000)
    kept.save(used, {"state": b"2"}, now=1000)
    assert kept.load(used, now=1090) == {"state": b"2"}  # touched at 1090
    assert kept.load(old, now=1150) == {}  # too old to be read, even before clean-up
    assert kept.cleanup(now=1150) == 1
    assert kept.load(used, now=1150) == {"state": b"2"}
    assert kept.stats()["sessions"] == 1


def test_the_write_that_would_fill_the_store_makes_room_from_the_least_recently_used(kept):
    tokens = [store.new_token() for _ in range(5)]
    for when, token in enumerate(tokens):
        assert kept.save(token, {"runs": b"x" * 9000}, now=1000 + when) == ()
        assert kept.stats()["bytes"] <= LIMITS.max_total_bytes  # never over the cap, not even until a clean-up
    assert [bool(kept.load(token, now=1010)) for token in tokens] == [False, False, True, True, True]
    assert kept.cleanup(now=1010) == 0  # nothing left for the clean-up to do


def test_image_sets_count_against_the_browsers_cap_and_load_by_name(kept):
    token, other = store.new_token(), store.new_token()
    assert kept.save_image_set(token, "own-abc", "digits.zip", b"z" * 6000, now=1000)
    assert kept.save(token, {"model": b"m" * 5000}, now=1000) == ("model",)  # 6 kB set + 5 kB model > 10 kB
    assert not kept.save_image_set(token, "own-def", "more.zip", b"z" * 4500, now=1000)
    assert kept.image_sets(token) == {"own-abc": "digits.zip"} and kept.image_sets(other) == {}
    assert kept.image_set("own-abc") == b"z" * 6000 and kept.image_set("own-xyz") is None
    assert kept.sizes(token) == {"set:own-abc": 6000}
    kept.clear(token)
    assert kept.image_set("own-abc") is None and kept.stats() == {"sessions": 0, "bytes": 0}


def test_image_sets_expire_with_their_browsers_work(kept):
    old, used = store.new_token(), store.new_token()
    kept.save_image_set(old, "own-old", "old.zip", b"o" * 100, now=1000)
    kept.save_image_set(used, "own-used", "used.zip", b"u" * 100, now=1000)
    kept.load(used, now=1090)  # reading a browser's work keeps its sets too
    assert kept.cleanup(now=1150) == 1
    assert kept.image_set("own-old") is None and kept.image_set("own-used") == b"u" * 100


def test_two_stores_on_one_database_share_the_caps(database):
    first, second = store.Store(database, LIMITS), store.Store(database, LIMITS)  # two replicas
    token = store.new_token()
    assert first.save(token, {"runs": b"r" * 6000}) == ()
    assert second.save(token, {"model": b"m" * 6000}) == ("model",)
    assert second.load(token) == {"runs": b"r" * 6000}
    for made in (first, second):
        made.engine.dispose()


def test_many_threads_save_at_once(kept):
    tokens = [store.new_token() for _ in range(8)]
    errors = []

    def work(token):
        try:
            for index in range(20):
                kept.save(token, {"state": str(index).encode()})
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert [kept.load(token)["state"] for token in tokens] == [b"19"] * 8


def test_run_records_round_trip_and_unreadable_ones_are_left_out():
    history = History()
    history.add_step(10, 0.5, 1.2, 0.6)
    history.add_epoch(1, {"loss": 0.9, "accuracy": 0.7, "val_loss": float("nan"), "val_accuracy": None})
    record = RunRecord(3, presets.preset("small-cnn"), TrainSettings(epochs=4, seed=7), history, "stopped", 0.5, 0.8)
    (back,) = store.decode_runs(store.encode_runs([record]))
    assert (back.run_id, back.spec, back.settings, back.state, back.test_accuracy) == (3, record.spec,
                                                                                         record.settings, "stopped",
                                                                                         0.8)  # fmt: skip
    assert back.history.step == [10] and back.history.loss == [0.9] and np.isnan(back.history.val_loss[0])
    damaged = json.dumps([{"run_id": 1, "spec": {"layers": "?"}}, *json.loads(store.encode_runs([record]))])
    assert [run.run_id for run in store.decode_runs(damaged.encode())] == [3]
    assert store.decode_runs(b"not json") == ()


def test_a_stored_model_is_validated_like_an_upload():
    spec = presets.preset("logistic")
    weights = tuple(np.zeros(shape, np.float32) for shape in bundle.expected_weight_shapes(spec))
    trained = bundle.TrainedModel(spec, weights)
    assert store.decode_model(store.encode_model(trained)).spec == spec
    assert store.decode_model(b"garbage") is None
    assert store.decode_state(store.encode_state({"run_counter": 3})) == {"run_counter": 3}
    assert store.decode_state(b"[1]") == {}


def test_the_store_lives_in_the_data_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path / "here"))
    monkeypatch.delenv("PLAYGROUND_DATABASE_URL", raising=False)
    assert store.default_store().path == tmp_path / "here" / "sessions.sqlite3"


@pytest.mark.cluster
def test_the_database_url_names_a_postgresql_store(monkeypatch, postgres_url):
    monkeypatch.setenv("PLAYGROUND_DATABASE_URL", postgres_url)
    kept = store.default_store()
    assert kept.path is None and kept.engine.dialect.name == "postgresql"
    token = store.new_token()
    kept.save(token, {"state": b"{}"})
    assert kept.load(token) == {"state": b"{}"}
    kept.clear(token)


# ---------------------------------------------------------------- SQLite: space, damage, errors, settings


def test_the_file_shrinks_after_start_fresh(tmp_path):
    kept = store.Store(tmp_path / "s.sqlite3", store.Limits(max_session_bytes=8 * 2**20, max_total_bytes=2**30))
    token, keep = store.new_token(), store.new_token()
    kept.save(keep, {"state": b"{}"})
    kept.save(token, {"model": np.random.default_rng(0).bytes(4 * 2**20)})
    full = sum(path.stat().st_size for path in tmp_path.iterdir())
    kept.clear(token)  # what My models → Start fresh does
    emptied = sum(path.stat().st_size for path in tmp_path.iterdir())
    assert full > 4 * 2**20 and emptied < 2**20
    assert kept.load(keep) == {"state": b"{}"}


def test_a_damaged_file_is_set_aside_with_a_notice_and_a_fresh_one_started(tmp_path):
    path = tmp_path / "sessions.sqlite3"
    path.write_bytes(b"this is not a database" * 1000)
    kept = store.Store(path, LIMITS)
    assert kept.notice and "set aside" in kept.notice and "\n" not in kept.notice
    (aside,) = [found for found in tmp_path.iterdir() if ".damaged-" in found.name]
    assert aside.read_bytes().startswith(b"this is not a database")
    token = store.new_token()
    kept.save(token, {"state": b"{}"})
    assert kept.load(token) == {"state": b"{}"}
    assert store.Store(path, LIMITS).notice is None  # the fresh file is sound


def test_a_damaged_page_inside_a_real_file_is_found_too(tmp_path):
    path = tmp_path / "sessions.sqlite3"
    kept = store.Store(path, store.Limits(max_session_bytes=2**20, max_total_bytes=2**30))
    kept.save(store.new_token(), {"runs": b"r" * 200_000})
    kept.engine.dispose()
    raw = bytearray(path.read_bytes())
    raw[4096 * 2 : 4096 * 6] = b"\xff" * (4096 * 4)  # scribble over b-tree pages, keep the header
    path.write_bytes(bytes(raw))
    assert store.Store(path, LIMITS).notice is not None


def test_a_real_io_error_is_reported_as_itself(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(store.StoreUnavailable, match="not-a-folder") as caught:
        store.Store(blocker / "sessions.sqlite3", LIMITS)
    assert "\n" not in str(caught.value) and "damaged" not in str(caught.value)
    assert not any(".damaged-" in found.name for found in tmp_path.iterdir())


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("PLAYGROUND_SESSION_MAX_MB", "lots", "PLAYGROUND_SESSION_MAX_MB='lots' is not a positive number"),
        ("PLAYGROUND_STORE_MAX_MB", "-5", "PLAYGROUND_STORE_MAX_MB='-5' is not a positive number"),
        ("PLAYGROUND_STORE_DAYS", "nan", "PLAYGROUND_STORE_DAYS='nan' is not a positive number"),
        ("PLAYGROUND_SESSION_MAX_MB", "5000", "more than PLAYGROUND_STORE_MAX_MB"),
        ("PLAYGROUND_DATABASE_URL", "mysql://x@y/z", "must name a PostgreSQL database or a SQLite file"),
        ("PLAYGROUND_DATABASE_URL", "::::", "is not a database URL"),
    ],
)
def test_a_bad_setting_stops_the_store_with_one_line(monkeypatch, variable, value, says):
    monkeypatch.setenv(variable, value)
    with pytest.raises(store.SettingsError, match="^.*$") as caught:
        store.default_store()
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_a_class_arriving_at_once_on_a_fresh_server_opens_one_store(tmp_path, monkeypatch):
    # 20 first page loads at the same moment: each asks for the app's store while its file does not exist yet.
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PLAYGROUND_DATABASE_URL", raising=False)
    store._store.cache_clear()
    start, opened, failed = threading.Barrier(20), [], []

    def first_page() -> None:
        start.wait()
        try:
            opened.append(store.default_store())
        except store.StoreError as error:
            failed.append(str(error))

    threads = [threading.Thread(target=first_page) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    store._store.cache_clear()
    assert not failed and len(opened) == 20 and len({id(kept) for kept in opened}) == 1, failed[:1]
