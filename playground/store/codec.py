"""The parts of a browser's work as bytes and back: run records and state as JSON, the trained model as a bundle.

Decoding never fails: a part that no longer reads (a changed catalogue, a damaged row) comes back empty.
"""

import json
from collections.abc import Iterable, Mapping

from playground import bundle
from playground import spec as specs
from playground.bundle import TrainedModel
from playground.training.replay import Replay, ReplayError
from playground.training.runs import History, RunRecord, TrainSettings


def encode_runs(runs: Iterable[RunRecord]) -> bytes:
    """Run records as JSON bytes."""
    return json.dumps(
        [
            {
                "run_id": run.run_id,
                "spec": run.spec.to_dict(),
                "settings": run.settings.to_dict(),
                "history": run.history.to_dict(),
                "state": run.state,
                "test_loss": run.test_loss,
                "test_accuracy": run.test_accuracy,
                **({"replay": run.replay.to_text()} if run.replay is not None else {}),
            }
            for run in runs
        ]
    ).encode()


def decode_runs(raw: bytes) -> tuple[RunRecord, ...]:
    """Run records from encode_runs() bytes; records that no longer read (a changed catalog) are left out."""
    try:
        items = json.loads(raw)
    except ValueError:
        return ()
    records = []
    for item in items if isinstance(items, list) else []:
        try:
            spec = specs.from_dict(item["spec"])
            records.append(
                RunRecord(
                    int(item["run_id"]),
                    spec,
                    TrainSettings.from_dict(item["settings"]),
                    History.from_dict(item["history"]),
                    str(item["state"]),
                    item.get("test_loss"),
                    item.get("test_accuracy"),
                    _replay(item.get("replay")),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(records)


def _replay(data: object) -> Replay | None:
    # A replay that no longer reads is left out; the run itself still does.
    try:
        return Replay.from_text(data) if data is not None else None
    except ReplayError:
        return None


def encode_model(trained: TrainedModel) -> bytes:
    """A trained model as bundle bytes (the same format as a download)."""
    return bundle.to_bytes(trained)


def decode_model(raw: bytes) -> TrainedModel | None:
    """The trained model in bundle bytes, validated like an upload; None when it no longer loads."""
    try:
        return bundle.from_bytes(raw)
    except bundle.BundleError:
        return None


def encode_state(state: Mapping[str, object]) -> bytes:
    """Small session state (run counter, the model being composed, image sets) as JSON bytes."""
    return json.dumps(dict(state)).encode()


def decode_state(raw: bytes) -> dict:
    """State from encode_state() bytes ({} when unreadable)."""
    try:
        state = json.loads(raw)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}
