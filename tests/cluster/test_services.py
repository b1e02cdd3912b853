"""The cluster's services from scripts/services.py: PostgreSQL, Ray and nginx, each on 127.0.0.1 only."""

import ipaddress
import os
import subprocess
import time
import urllib.request
from http.cookies import SimpleCookie

import psutil
import pytest
from cluster_services import alive, require_service
from cluster_services import process_tree as tree

from scripts import services

pytestmark = pytest.mark.cluster


def listening(pids) -> list[str]:
    """host:port of every TCP socket that one of `pids` listens on."""
    pids = set(pids)
    return sorted(f"{c.laddr.ip}:{c.laddr.port}" for c in psutil.net_connections(kind="tcp")
                  if c.status == psutil.CONN_LISTEN and c.pid in pids)  # fmt: skip


def is_loopback(address: str) -> bool:
    """Whether host:port names a loopback address (127.0.0.0/8, ::1, or IPv4-mapped 127.x)."""
    ip = ipaddress.ip_address(address.rsplit(":", 1)[0].strip("[]"))
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


# --- PostgreSQL -------------------------------------------------------------------------------------------


def test_postgres_answers_sqlalchemy_on_loopback_and_stop_removes_it():
    require_service("postgres")
    import sqlalchemy as sa

    server = services.start_postgres()
    try:
        assert server.address.startswith("postgresql+psycopg://postgres@127.0.0.1:")
        engine = sa.create_engine(server.address)
        table = sa.Table(
            "runs", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.Text)
        )
        with engine.begin() as connection:
            table.metadata.create_all(connection)
            connection.execute(table.insert(), [{"name": "mlp"}, {"name": "cnn"}])
        with engine.connect() as connection:
            assert connection.execute(sa.select(table.c.name).order_by(table.c.id)).scalars().all() == ["mlp", "cnn"]
            assert connection.execute(sa.text("SHOW listen_addresses")).scalar() == "127.0.0.1"
        engine.dispose()
        postmaster = int((server.directory / "data" / "postmaster.pid").read_text().split()[0])
        sockets = listening(tree(postmaster))
        assert sockets and all(is_loopback(a) for a in sockets), sockets
    finally:
        server.stop()
    assert not server.directory.exists()
    assert not alive(postmaster)


# --- Ray --------------------------------------------------------------------------------------------------


def test_ray_head_listens_on_loopback_only_and_a_killed_actor_fails_its_call(ray_head):
    import ray

    ray.init(address=ray_head.address, namespace="playground-test", log_to_driver=False)
    try:

        @ray.remote(num_cpus=1, max_restarts=0)
        class Counter:
            def __init__(self):
                self.count = 0

            def add(self, n: int) -> int:
                self.count += n
                return self.count

            def wait(self, seconds: float) -> float:
                time.sleep(seconds)
                return seconds

        counter = Counter.remote()
        assert ray.get(counter.add.remote(2), timeout=120) == 2
        assert ray.get(counter.add.remote(3), timeout=30) == 5

        # Every process of the head (GCS, raylet, agents, the actor's worker) and this driver: loopback only.
        sockets = listening(tree(ray_head.processes[0].pid) + [os.getpid()])
        assert len(sockets) >= 4 and all(is_loopback(a) for a in sockets), sockets

        pending = counter.wait.remote(60)
        ray.kill(counter)
        with pytest.raises(ray.exceptions.RayActorError):
            ray.get(pending, timeout=30)
        with pytest.raises(ray.exceptions.RayActorError):
            ray.get(counter.add.remote(1), timeout=30)
    finally:
        ray.shutdown()


def test_a_second_ray_node_joins_on_loopback_and_its_loss_fails_only_its_actors(ray_head):
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    node = services.add_ray_node(ray_head, num_cpus=1, resources={"second_node": 1})
    try:
        ray.init(address=ray_head.address, namespace="playground-test", log_to_driver=False)

        @ray.remote(num_cpus=0)
        class Where:
            def node(self) -> str:
                return ray.get_runtime_context().get_node_id()

            def wait(self, seconds: float) -> float:
                time.sleep(seconds)
                return seconds

        # A driver on a machine with two nodes attaches to the head's raylet (Ray prefers the head).
        head_node = ray.get_runtime_context().get_node_id()
        assert head_node != node.address
        there = Where.options(resources={"second_node": 1}, max_restarts=0).remote()
        here = Where.options(scheduling_strategy=NodeAffinitySchedulingStrategy(head_node, soft=False)).remote()
        assert ray.get(there.node.remote(), timeout=120) == node.address
        assert ray.get(here.node.remote(), timeout=120) == head_node
        sockets = listening(tree(node.processes[0].pid))
        assert len(sockets) >= 2 and all(is_loopback(a) for a in sockets), sockets

        pending = there.wait.remote(60)
        launcher = node.processes[0].pid
        node.stop()
        assert not [p for p in tree(launcher) if alive(p)]
        with pytest.raises(ray.exceptions.RayActorError):
            ray.get(pending, timeout=60)
        assert ray.get(here.node.remote(), timeout=30) == head_node  # the head's actor goes on
    finally:
        node.stop()
        ray.shutdown()


# --- nginx ------------------------------------------------------------------------------------------------


def get(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """The body's replica name and the dlp_route cookie nginx set (None when it set none)."""
    request = urllib.request.Request(url, headers={"Cookie": f"dlp_route={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode()
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    route = jar.get("dlp_route")
    if route is not None:
        assert route["path"] == "/" and route["httponly"] and route["samesite"] == "Lax"
    return body.split()[0], route.value if route is not None else None


def test_nginx_conf_renders_for_one_to_three_replicas_and_nginx_accepts_each(tmp_path):
    require_service("nginx")
    shipped = services.NGINX_TEMPLATE.read_text()
    assert services.render_nginx_conf(["127.0.0.1:8501", "127.0.0.1:8502"], "127.0.0.1:8080") == shipped
    for backends in (["127.0.0.1:8501"], ["127.0.0.1:8501", "127.0.0.1:8502", "10.0.0.7:8501"]):
        conf = tmp_path / "nginx.conf"
        conf.write_text(services.render_nginx_conf(backends, "127.0.0.1:8099"))
        checked = subprocess.run([services.nginx_executable(), "-t", "-p", f"{tmp_path}/", "-e",
                                  str(tmp_path / "error.log"), "-c", str(conf)], capture_output=True, text=True)  # fmt: skip
        assert checked.returncode == 0, checked.stderr
        assert conf.read_text().count("backup;") == len(backends) * (len(backends) - 1)
    with pytest.raises(ValueError):
        services.render_nginx_conf(["127.0.0.1:8501; include /etc/passwd"])


def test_nginx_sets_a_route_cookie_keeps_the_browser_on_its_replica_and_fails_over(replicas):
    require_service("nginx")
    a, b = replicas("a"), replicas("b")
    with services.start_nginx([a.address, b.address]) as nginx:
        # psutil names one owner per socket, here nginx's worker: wait until the master has forked it.
        deadline = time.monotonic() + 10
        while len(tree(nginx.processes[0].pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        sockets = listening(tree(nginx.processes[0].pid))
        assert sockets and all(is_loopback(s) for s in sockets), sockets

        # A browser without the cookie gets one naming the replica that answered it.
        first, cookie = get(nginx.address + "/")
        assert cookie in ("r1", "r2") and first == {"r1": "a", "r2": "b"}[cookie]
        # With it, every request lands there, and nginx does not set it again.
        assert [get(nginx.address + f"/page{i}", cookie) for i in range(20)] == [(first, None)] * 20
        # Browsers spread over both replicas (least busy first, in turns when idle).
        assert {get(nginx.address + "/")[0] for _ in range(6)} == {"a", "b"}

        # Its replica goes down: the same browser lands on the other one, with a cookie pointing there.
        (a if first == "a" else b).stop()
        other = "b" if first == "a" else "a"
        moved, new_cookie = get(nginx.address + "/after", cookie)
        assert moved == other and new_cookie == {"a": "r1", "b": "r2"}[other]
        assert [get(nginx.address + f"/again{i}", new_cookie) for i in range(20)] == [(other, None)] * 20
        # The first replica comes back: the browser stays where its session now is.
        (a if first == "a" else b).start()
        assert [get(nginx.address + f"/back{i}", new_cookie) for i in range(5)] == [(other, None)] * 5
    assert not nginx.directory.exists()


def test_a_websocket_upgrade_passes_nginx_to_the_replica_the_cookie_names(replicas):
    require_service("nginx")
    from websockets.sync.client import connect

    a, b = replicas("a"), replicas("b")
    with services.start_nginx([a.address, b.address]) as nginx:
        ws_url = nginx.address.replace("http://", "ws://") + "/_stcore/stream"
        for cookie, name in (("r1", "a"), ("r2", "b")):
            with connect(ws_url, additional_headers={"Cookie": f"dlp_route={cookie}"}, open_timeout=10) as socket:
                for i in range(3):
                    socket.send(f"hello {i}")
                    assert socket.recv(timeout=10) == f"{name}:hello {i}"


def test_a_missing_service_skips_on_a_developers_machine_and_fails_under_ci(monkeypatch):
    monkeypatch.setattr(services, "missing", lambda name: f"{name} is not installed")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="nginx is not installed"):
        require_service("nginx")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_service("nginx")
    monkeypatch.setattr(services, "missing", lambda name: None)
    require_service("nginx")  # present: nothing happens
