"""One line for every replica: a named Ray actor that orders the waiting jobs of all replicas and caps how many run.

Opt-in with PLAYGROUND_CLUSTER_MAX_JOBS (the most jobs running in the whole cluster); each replica's own cap
(PLAYGROUND_MAX_JOBS) still applies. The authority holds soft state only: every replica reports its waiting jobs
(with when they were submitted) and its running ones a few times a second; the line is all live replicas' waiting
jobs in submission order, and a replica not heard from for STALE_S drops out with its jobs. So a restarted
authority (it is detached, found or created by name) rebuilds the line from the next reports, and a dead
replica's jobs stop counting by themselves.
"""

import threading
import time

NAME = "playground-line"
STALE_S = 30.0
CALL_TIMEOUT_S = 2.0
BACKOFF_S = 5.0  # after a failed call, no call for this long: the scheduler calls with its lock held


class LineAuthority:
    """The Ray actor: the waiting and running jobs of every replica, by report."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._replicas: dict[str, tuple[float, list, list]] = {}  # id -> (last report, waiting, running)

    def _line(self) -> tuple[list[str], int]:
        now = self._clock()
        self._replicas = {rid: entry for rid, entry in self._replicas.items() if now - entry[0] <= STALE_S}
        waiting = sorted(item for entry in self._replicas.values() for item in entry[1])
        return [ticket for _, ticket in waiting], sum(len(entry[2]) for entry in self._replicas.values())

    def report(self, replica: str, waiting: list, running: list) -> list[str]:
        """Take a replica's (submitted at, ticket) waiting and ticket running lists; the whole line, in order."""
        self._replicas[replica] = (self._clock(), list(waiting), list(running))
        return self._line()[0]

    def claim(self, replica: str, ticket: str, cap: int) -> bool:
        """True (and the ticket counts as running) when it is first in line and fewer than cap jobs run."""
        line, running = self._line()
        if not line or line[0] != ticket or running >= cap or replica not in self._replicas:
            return False
        seen, waiting, runs = self._replicas[replica]
        self._replicas[replica] = (seen, [item for item in waiting if item[1] != ticket], [*runs, ticket])
        return True


class Line:
    """A replica's side of the shared line: tickets for its jobs, claims, and places read from the last report."""

    def __init__(self, replica: str, cap: int, connect, namespace: str):
        self.replica, self.cap, self.namespace = replica, cap, namespace
        self._connect = connect  # () -> the connected ray module
        self._authority = None
        self._places: dict[str, int] = {}
        self._total = 0
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._told_empty = True  # an idle replica has nothing to tell (and need not connect)

    def _actor(self):
        if time.monotonic() < self._retry_at:
            raise ConnectionError("the line's authority did not answer a moment ago")
        ray = self._connect()
        if self._authority is None:
            remote = ray.remote(LineAuthority).options(name=NAME, namespace=self.namespace, lifetime="detached",
                                                       get_if_exists=True, num_cpus=0, max_restarts=-1)  # fmt: skip
            self._authority = remote.remote()
        return ray, self._authority

    def ticket(self, job) -> str:
        """The job's name in the shared line."""
        return f"{self.replica}-{job.id}"

    def report(self, waiting: list, running: list) -> None:
        """Tell the authority this replica's jobs (waiting in order, running); keep the places it answers."""
        if not waiting and not running and self._told_empty:
            return
        items = [(job.submitted, self.ticket(job)) for job in waiting]
        try:
            ray, authority = self._actor()
            line = ray.get(authority.report.remote(self.replica, items, [self.ticket(j) for j in running]),
                           timeout=CALL_TIMEOUT_S)  # fmt: skip
        except Exception:  # the authority is unreachable: keep the last places; claims fail until it answers
            self._failed()
            return
        self._told_empty = not waiting and not running
        with self._lock:
            self._places = {ticket: index + 1 for index, ticket in enumerate(line)}
            self._total = len(line)

    def claim(self, job) -> bool:
        """True when the job may start now: first in the shared line and the cluster under its cap."""
        try:
            ray, authority = self._actor()
            return bool(ray.get(authority.claim.remote(self.replica, self.ticket(job), self.cap),
                                timeout=CALL_TIMEOUT_S))  # fmt: skip
        except Exception:
            self._failed()
            return False

    def _failed(self) -> None:
        self._authority = None  # found or created again by name on the next call
        now = time.monotonic()
        # A call skipped during the back-off must not extend it: the watchdog reports every 0.25 s, and the line would
        # never be asked again (a class of 20 once waited for ever after one slow creation of the authority).
        if now >= self._retry_at:
            self._retry_at = now + BACKOFF_S

    def place(self, job) -> tuple[int, int] | None:
        """(the job's place, the line's length) from the last report, or None when not known."""
        with self._lock:
            place = self._places.get(self.ticket(job))
            return (place, self._total) if place else None
