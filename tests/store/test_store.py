"""The session store: parts per anonymous token, hashed keys, size and age limits, clean-up, and run records."""

import json
import sqlite3
import threading

import numpy as np
import pytest

from playground import bundle, presets, store
from playground.training.runs import History, RunRecord, TrainSettings


@pytest.fixture
def kept(tmp_path):
    return store.Store(tmp_path / "sessions.sqlite3", store.Limits(max_session_bytes=10_000, max_total_bytes=30_000,
                                                                   max_age_s=100))  # fmt: skip


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
    with sqlite3.connect(kept.path) as db:
        owners = [row[0] for row in db.execute("SELECT owner FROM parts")]
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


def test_the_least_recently_used_sessions_go_when_the_store_is_full(kept):
    tokens = [store.new_token() for _ in range(5)]
    for when, token in enumerate(tokens):
        kept.save(token, {"runs": b"x" * 9000}, now=1000 + when)
    assert kept.cleanup(now=1010) == 2  # 5 × 9 kB, the cap is 30 kB
    assert [bool(kept.load(token, now=1010)) for token in tokens] == [False, False, True, True, True]


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
    assert store.default_store().path == tmp_path / "here" / "sessions.sqlite3"
