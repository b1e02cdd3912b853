"""The shared line's replica side against an authority in this process (no Ray): what it does when the authority
does not answer."""

import time
from types import SimpleNamespace

from playground.training.backends import ray_line
from playground.training.backends.ray_line import Line, LineAuthority


class FakeRay:
    """The part of the `ray` module a Line uses, calling `authority` in this process; the first `failures` calls time
    out, as a call to an authority still being created on a busy cluster."""

    def __init__(self, authority: LineAuthority, failures: int):
        self.authority, self.failures = authority, failures

    def remote(self, _cls):
        handle = SimpleNamespace(**{name: SimpleNamespace(remote=lambda *args, name=name: (name, args))
                                    for name in ("report", "claim")})  # fmt: skip
        return SimpleNamespace(options=lambda **_: SimpleNamespace(remote=lambda: handle))

    def get(self, call, timeout=None):
        if self.failures > 0:
            self.failures -= 1
            raise TimeoutError("the authority did not answer in time")
        name, args = call
        return getattr(self.authority, name)(*args)


def test_a_line_whose_authority_did_not_answer_asks_again_after_the_backoff(monkeypatch):
    monkeypatch.setattr(ray_line, "BACKOFF_S", 0.3)
    ray = FakeRay(LineAuthority(), failures=1)
    line = Line("r1", cap=1, connect=lambda: ray, namespace="playground")
    job = SimpleNamespace(id=1, submitted=time.time())
    line.report([job], [])  # times out: no call for a moment
    assert line.place(job) is None and not line.claim(job)
    deadline = time.monotonic() + 5
    while line.place(job) is None:  # the scheduler's watchdog reports far more often than the back-off
        assert time.monotonic() < deadline, "the line was never asked again"
        line.report([job], [])
        time.sleep(0.05)
    assert line.place(job) == (1, 1) and line.claim(job)
