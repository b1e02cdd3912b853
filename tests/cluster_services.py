"""Fixtures for the cluster tests: PostgreSQL, a Ray head and nginx from scripts/services.py, loopback only.

Loaded for every test module by `pytest_plugins` in conftest.py. A missing service skips its tests on a
developer's machine and fails them under CI=true (the project's install scripts must have provided it).
Run as a script, this module is a tiny replica for the nginx tests: `python cluster_services.py NAME PORT`
answers HTTP with its NAME and echoes WebSocket messages prefixed with it.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script (the replica) the project root is not on the path
    sys.path.insert(0, str(ROOT))

from scripts import services  # noqa: E402


def require_service(name: str) -> None:
    """Skip the calling test when service `name` cannot start here; under CI=true, fail it instead."""
    reason = services.missing(name)
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name}: {reason} (CI=true: a cluster test must run, not skip)", pytrace=False)
    pytest.skip(f"{name}: {reason}")


@pytest.fixture(scope="session")
def postgres_url():
    """The SQLAlchemy URL of a throw-away PostgreSQL server on 127.0.0.1, shared by the session."""
    require_service("postgres")
    server = services.start_postgres()
    yield server.address
    server.stop()


@pytest.fixture(scope="session")
def ray_head():
    """A one-node Ray head on 127.0.0.1 (Service; .address for ray.init), shared by the session.

    This process becomes a loopback driver (services.ray_loopback); ray.init/ray.shutdown are the test's.
    """
    require_service("ray")
    services.ray_loopback()
    head = services.start_ray_head(num_cpus=2)
    yield head
    import ray

    if ray.is_initialized():
        ray.shutdown()
    processes = process_tree(head.processes[0].pid)
    head.stop()
    # Stopping the head ends every process it started (GCS, raylet, agents, workers).
    deadline = time.monotonic() + 10
    while (left := [p for p in processes if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"Ray processes left after stop: {left}"
    assert not head.directory.exists()


def process_tree(pid: int) -> list[int]:
    """pid and every process below it (empty when pid has ended)."""
    import psutil

    try:
        return [pid] + [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie waiting for its parent to reap it has ended)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def replicas():
    """A factory of tiny HTTP + WebSocket replicas on 127.0.0.1: replicas("a") -> Replica; all stopped after."""
    started = []

    def make(name: str, port: int | None = None) -> "Replica":
        replica = Replica(name, port or services.free_port())
        started.append(replica)
        return replica

    yield make
    for replica in started:
        replica.stop()


class Replica:
    """A stand-in for a Streamlit replica, in its own process so that stopping it is a real outage."""

    def __init__(self, name: str, port: int):
        self.name, self.port = name, port
        self.address = f"127.0.0.1:{port}"
        self.process = None
        self.start()

    def start(self, wait_s: float = 20) -> None:
        """Start (or restart) the replica's process and wait until it accepts connections."""
        self.process = subprocess.Popen([sys.executable, __file__, self.name, str(self.port)])
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self.process.poll() is None, f"replica {self.name} exited with {self.process.returncode}"
                time.sleep(0.05)
        raise RuntimeError(f"replica {self.name} did not listen within {wait_s} s")

    def stop(self) -> None:
        """End the replica's process (open connections drop, new ones are refused)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _serve(name: str, port: int) -> None:
    import asyncio
    import http

    from websockets.asyncio.server import serve

    def answer_http(connection, request):
        # Not a WebSocket upgrade: answer like a page would, naming this replica.
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return connection.respond(http.HTTPStatus.OK, f"{name} {request.path}\n")
        return None

    async def echo(websocket):
        async for message in websocket:
            await websocket.send(f"{name}:{message}")

    async def main():
        async with serve(echo, "127.0.0.1", port, process_request=answer_http) as server:
            await server.serve_forever()

    asyncio.run(main())


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]))
