"""A training worker's own costs cut: no pandas, no session store unless a job reads an uploaded set, no teardown."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from playground import presets
from playground.training import worker
from playground.training.backends.local import LocalBackend
from playground.training.limits import Limits
from playground.training.runs import FitRequest, TrainSettings

ROOT = Path(__file__).resolve().parent.parent.parent
REQUEST = FitRequest(presets.preset("logistic"), TrainSettings(epochs=1, batch_size=32, train_samples=256, seed=3))

# A worker's job in a fresh process, as worker.main runs it, minus the pipe; prints what it imported and sent.
IN_A_WORKER = """
import json, sys
import numpy as np
from playground.training import worker
worker.use_fast_kernels()
worker.skip_unneeded_imports()
from playground import presets
from playground.training.runs import FitRequest, TrainSettings
request = FitRequest(presets.preset("logistic"), TrainSettings(epochs=1, batch_size=32, train_samples=256, seed=3))
sent = []
worker.run(request, 1, sent.append, lambda: False)
kind, result = sent[-1]
np.savez(sys.argv[1], *result.weights)
print(json.dumps({"last": kind, "test_accuracy": result.test_accuracy,
                  "imported": [name for name in ("pandas", "pyarrow", "sqlalchemy", "playground.store")
                               if sys.modules.get(name) is not None]}))
"""


def test_a_worker_trains_without_pandas_or_the_store_and_learns_the_same(tmp_path):
    weights = tmp_path / "weights.npz"
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1")}
    result = subprocess.run([sys.executable, "-c", IN_A_WORKER, str(weights)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["last"] == "result" and report["imported"] == []
    # The reference: the same job in this process, where pandas is importable and the store may be loaded.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", env["TF_ENABLE_ONEDNN_OPTS"])
    from playground.training import fit

    reference = fit.fit(REQUEST)
    with np.load(weights) as saved:
        trained = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    assert len(trained) == len(reference.weights)
    for got, want in zip(trained, reference.weights, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-4)
    assert abs(report["test_accuracy"] - reference.test_accuracy) < 0.01


def test_a_local_worker_sends_its_result_then_exits_with_code_0():
    backend = LocalBackend(Limits(spare="off"))
    process = backend.worker()
    process.start(REQUEST, 1)
    kinds = [kind for kind, _ in process.messages()]  # until the process is gone
    assert kinds[0] == "warm" and kinds[-1] == "result" and "end" in kinds
    assert process.close() == 0


def test_the_session_store_keeper_reads_what_the_store_keeps():
    from playground import store
    from playground.data import kept as kept_sets

    name = "own-" + "a1" * 12
    assert store.default_store().save_image_set(store.new_token(), name, "shapes", b"npz bytes")
    keeper = worker.SessionStore()
    assert keeper.has_image_set(name) and keeper.image_set(name) == b"npz bytes"
    assert not keeper.has_image_set("own-" + "b2" * 12) and keeper.image_set("own-" + "b2" * 12) is None
    before = kept_sets._keeper  # the app's keeper (set when persistence is imported) must outlive this test
    kept_sets.keep_in(keeper)
    try:
        assert kept_sets.kept_bytes(name) == b"npz bytes"
    finally:
        kept_sets.keep_in(before)
