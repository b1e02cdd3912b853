"""Loopback-only PostgreSQL, Ray and nginx for the cluster tests and a one-machine trial of a cluster.

Each start_* function returns a Service: its address, its private directory and stop(), which ends what it
started and removes the directory. Nothing listens beyond 127.0.0.1 and nothing touches the system's own
instances (/etc/nginx, /var/lib/postgresql, Ray's /tmp/ray). By hand:

    python scripts/services.py postgres
    python scripts/services.py ray [--cpus 1] [--nodes 2]
    python scripts/services.py nginx 127.0.0.1:8501 127.0.0.1:8502 [--port 8080]

Each prints its address and runs until Ctrl-C. The PostgreSQL one is throw-away (no fsync, removed on stop).
"""

import argparse
import contextlib
import glob
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"

# On Linux, Ray turns a node address of 127.0.0.1 into the machine's outward address (and its servers then
# bind 0.0.0.0) unless this switch is off; off, the node keeps 127.0.0.1 and every Ray server binds to it.
# Drivers need it too, before `import ray`: with it on, ray.init(address="127.0.0.1:PORT") looks for the
# head at the outward address. See deploy/RAY-NOTES.md.
# Token authentication off, explicitly: Ray 2.60 turns it on for a head when ~/.ray/auth_token exists (any stray
# `ray.init()` without an address writes one), while drivers given an address never send it — the replicas were
# then refused ("InvalidAuthToken"). A loopback-only test cluster needs no token.
RAY_LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0",
                    "RAY_AUTH_MODE": "disabled", "RAY_ENABLE_AUTO_CONNECT": "0"}  # fmt: skip


@dataclass
class Service:
    """A started service: where to reach it, its private directory, and how to stop it."""

    name: str
    address: str
    directory: Path
    _stop: Callable[[], None] = field(repr=False)
    processes: list = field(default_factory=list, repr=False)
    stopped: bool = False

    def stop(self) -> None:
        """End the service and remove its directory (a second call does nothing)."""
        if self.stopped:
            return
        self.stopped = True
        try:
            self._stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, alive: Callable[[], bool], what: str, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        if not alive():
            raise RuntimeError(f"{what} exited before listening on 127.0.0.1:{port}")
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {wait_s:.0f} s")


def _end(process: subprocess.Popen, sig: int = signal.SIGTERM, grace_s: float = 15) -> None:
    # Signal the leader, wait, then kill whatever is left of its tree and its session (start_new_session):
    # Ray's workers start sessions of their own but stay children of their raylet.
    tree = _descendants(process.pid)
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    for pid, started in tree:
        if _start_time(pid) == started:  # the same process, not a new one that reused the number
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the state on; the name may hold spaces


def _start_time(pid: int) -> str | None:
    fields = _stat(pid)
    return fields[19] if fields else None


def _descendants(root: int) -> list[tuple[int, str]]:
    """(pid, start time) of every process below `root`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if (started := _start_time(pid)) is not None:
            found.append((pid, started))
        todo += children.get(pid, [])
    return found


# --- PostgreSQL -------------------------------------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """The directory of Debian's PostgreSQL server programs (initdb, pg_ctl), or None if not installed."""
    candidates = []
    if shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout
            candidates.append(Path(out.strip()))

    def version(path: str) -> tuple:
        return tuple(int(part) for part in re.findall(r"\d+", path))

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)]
    return next((c for c in candidates if (c / "initdb").exists() and (c / "pg_ctl").exists()), None)


def _as_postgres() -> tuple[list[str], int | None, int | None]:
    # initdb refuses to run as root: as root, run the server programs as the `postgres` user.
    if os.geteuid() != 0:
        return [], None, None
    user = pwd.getpwnam("postgres")  # KeyError when Debian's postgresql package is missing
    runner = (
        ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else ["su", "postgres", "-s", "/bin/sh", "-c"]
    )
    return runner, user.pw_uid, user.pw_gid


def _run_as(runner: list[str], command: list[str], **kwargs) -> subprocess.CompletedProcess:
    # `su -c` takes one shell command line; `runuser --` the words themselves.
    command = [*runner, shlex.join(command)] if runner[:1] == ["su"] else [*runner, *command]
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def start_postgres(database: str = "playground", wait_s: float = 60) -> Service:
    """A throw-away PostgreSQL server on 127.0.0.1 with `database`; address = its SQLAlchemy URL."""
    bindir = postgres_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server programs not found (Debian: apt-get install postgresql)")
    runner, uid, gid = _as_postgres()
    directory = Path(tempfile.mkdtemp(prefix="playground-pg-"))
    if uid is not None:
        os.chown(directory, uid, gid)
    data, log, port = directory / "data", directory / "postgres.log", free_port()

    def pg(*command: str, check: bool = True) -> subprocess.CompletedProcess:
        done = _run_as(runner, [str(bindir / command[0]), *command[1:]], timeout=wait_s)
        if check and done.returncode != 0:
            log_tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}\n{log_tail}")
        return done

    def stop() -> None:
        if (data / "postmaster.pid").exists():
            pg("pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop", check=False)

    try:
        # Trust on local and loopback only; a test server that keeps nothing needs no fsync.
        pg("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync")
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
        pg("pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", str(int(wait_s)), "start")
        pg("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database)
    except BaseException:
        stop()
        shutil.rmtree(directory, ignore_errors=True)
        raise
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"
    return Service("postgres", url, directory, stop)


# --- Ray --------------------------------------------------------------------------------------------------


def ray_executable() -> str | None:
    """The `ray` command of this Python environment, or None if Ray is not installed here."""
    beside = Path(sys.executable).with_name("ray")
    if beside.exists():
        return str(beside)
    return shutil.which("ray")


def ray_loopback() -> None:
    """Make this process a loopback-only Ray driver: call before ray.init (best before `import ray`)."""
    os.environ.update(RAY_LOOPBACK_ENV)
    constants = sys.modules.get("ray._private.ray_constants")
    if constants is not None:  # ray already imported: its switch was read at import time
        constants.ENABLE_RAY_CLUSTER = False


def _ray_env(pythonpath: Path | None) -> dict:
    env = {**os.environ, **RAY_LOOPBACK_ENV}
    if pythonpath is not None:
        # The workers inherit the node's environment: let an actor import the project's packages.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(pythonpath), env.get("PYTHONPATH", "")) if p)
    return env


def start_ray_head(
    num_cpus: int = 1, object_store_mb: int = 256, pythonpath: Path | None = ROOT, wait_s: float = 90
) -> Service:
    """A Ray head node on 127.0.0.1 (no dashboard, no usage stats); address = host:port for ray.init."""
    ray = ray_executable()
    if ray is None:
        raise RuntimeError("Ray is not installed (pip install -r requirements-cluster.txt)")
    directory = Path(tempfile.mkdtemp(prefix="playground-ray-"))
    port, client_port = free_port(), free_port()
    command = [ray, "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
               f"--ray-client-server-port={client_port}", "--include-dashboard=false", "--disable-usage-stats",
               f"--num-cpus={num_cpus}", "--num-gpus=0", f"--object-store-memory={object_store_mb * 2**20}",
               f"--temp-dir={directory}", "--min-worker-port=0", "--max-worker-port=0"]  # fmt: skip
    log = open(directory / "ray-start.log", "wb")  # noqa: SIM115 - written by the head while it runs
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=_ray_env(pythonpath),
                               start_new_session=True, cwd=directory)  # fmt: skip
    log.close()

    def stop() -> None:
        # `ray start --block` ends its node's processes on SIGTERM (raylet first, GCS last); workers live in
        # sessions of their own and exit with their raylet. A raylet with live actors drains for up to 30 s:
        # a throw-away head need not wait that long.
        _end(process, signal.SIGTERM, grace_s=8)
        _kill_leftovers(directory)

    try:
        deadline = time.monotonic() + wait_s
        _wait_for_port(port, lambda: process.poll() is None, "ray start --head", wait_s)
        while b"Ray runtime started" not in (directory / "ray-start.log").read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("ray start --head failed:\n" + _tail(directory / "ray-start.log"))
            time.sleep(0.1)
    except BaseException:
        stop()
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return Service("ray", f"127.0.0.1:{port}", directory, stop, [process])


def add_ray_node(
    head: Service,
    num_cpus: int = 1,
    resources: dict | None = None,
    object_store_mb: int = 128,
    pythonpath: Path | None = ROOT,
    wait_s: float = 90,
) -> Service:
    """A second Ray node on this machine, joined to `head`, all on 127.0.0.1; address = its node id."""
    # `ray start --address` cannot keep a node on 127.0.0.1 (see RAY_LOOPBACK_ENV, and with the switch off it
    # refuses to join), so a small launcher starts the node the way `ray start --block` does.
    directory = Path(tempfile.mkdtemp(prefix="playground-raynode-"))
    ready = directory / "node-id"
    spec = {"gcs": head.address, "temp_dir": str(directory), "num_cpus": num_cpus, "resources": resources or {},
            "object_store_memory": object_store_mb * 2**20, "ready": str(ready)}  # fmt: skip
    log = open(directory / "ray-node.log", "wb")  # noqa: SIM115 - written by the node while it runs
    process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "_ray-node", json.dumps(spec)],
                               stdout=log, stderr=subprocess.STDOUT, env=_ray_env(pythonpath),
                               start_new_session=True, cwd=directory)  # fmt: skip
    log.close()

    def stop() -> None:
        # A node with running work drains on SIGTERM for up to 30 s; a lost node does not wait either.
        _end(process, signal.SIGTERM, grace_s=3)
        _kill_leftovers(directory)

    deadline = time.monotonic() + wait_s
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            stop()
            text = _tail(directory / "ray-node.log")
            shutil.rmtree(directory, ignore_errors=True)
            raise RuntimeError("the second Ray node did not start:\n" + text)
        time.sleep(0.1)
    return Service("ray-node", ready.read_text().strip(), directory, stop, [process])


def _ray_node_main(spec_json: str) -> None:
    # Runs in the launcher process of add_ray_node, with RAY_LOOPBACK_ENV set.
    import ray._private.node
    import ray._private.parameter

    spec = json.loads(spec_json)
    params = ray._private.parameter.RayParams(
        node_ip_address="127.0.0.1",
        node_name=f"node-{os.getpid()}",
        gcs_address=spec["gcs"],
        num_cpus=spec["num_cpus"],
        num_gpus=0,
        resources=spec["resources"],
        object_store_memory=spec["object_store_memory"],
        temp_dir=spec["temp_dir"],
        min_worker_port=0,
        max_worker_port=0,
        node_manager_port=0,
        object_manager_port=0,
        include_log_monitor=False,
    )
    # shutdown_at_exit: on SIGTERM the node ends its processes, as `ray start --block` does.
    node = ray._private.node.Node(params, head=False, shutdown_at_exit=True, spawn_reaper=True)
    Path(spec["ready"]).write_text(node.node_id)
    while True:
        time.sleep(1)


def _kill_leftovers(directory: Path) -> None:
    # Any process still naming our private directory is ours (workers carry the session directory).
    marker = str(directory)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


# --- nginx ------------------------------------------------------------------------------------------------


def nginx_executable() -> str | None:
    """Debian's nginx binary, or None if not installed."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def render_nginx_conf(backends: list[str], listen: str = "127.0.0.1:8080", template: Path = NGINX_TEMPLATE) -> str:
    """deploy/nginx.conf with its replicas block written for `backends` (host:port each) and `listen`."""
    if not backends:
        raise ValueError("nginx needs at least one backend")
    for backend in backends:
        if not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+:\d+", backend):
            raise ValueError(f"not a host:port backend: {backend!r}")
    text = template.read_text()
    ids = [f"r{i}" for i in range(1, len(backends) + 1)]
    lines = ["    # BEGIN replicas (generated by scripts/services.py render_nginx_conf; one upstream per replica)",
             "    map $cookie_dlp_route $dlp_upstream {", "        default playground_any;"]  # fmt: skip
    lines += [f"        {rid} playground_{rid};" for rid in ids]
    lines += ["    }", "    map $upstream_addr $dlp_served {", '        default "";']
    lines += [f'        "~(^|[ ,]){re.escape(backend)}$" {rid};' for rid, backend in zip(ids, backends, strict=True)]
    lines += ["    }", "    upstream playground_any {", "        least_conn;"]
    lines += [f"        server {backend} max_fails=1 fail_timeout=10s;" for backend in backends]
    lines += ["    }"]
    for rid, backend in zip(ids, backends, strict=True):
        lines += [f"    upstream playground_{rid} {{", f"        server {backend} max_fails=1 fail_timeout=10s;"]
        lines += [f"        server {other} backup;" for other in backends if other != backend]
        lines += ["    }"]
    lines += ["    # END replicas"]
    block = re.compile(r"^    # BEGIN replicas.*?^    # END replicas$", re.S | re.M)
    if not block.search(text):
        raise ValueError(f"{template} has no BEGIN/END replicas block")
    text = block.sub(lambda _: "\n".join(lines), text)
    text, count = re.subn(r"^(\s*)listen [^;]+;", lambda m: f"{m.group(1)}listen {listen};", text, flags=re.M)
    if count != 1:
        raise ValueError(f"{template} must have exactly one listen line")
    return text


def start_nginx(backends: list[str], port: int | None = None, wait_s: float = 30) -> Service:
    """A private nginx on 127.0.0.1 in front of `backends` (deploy/nginx.conf); address = its http URL."""
    nginx = nginx_executable()
    if nginx is None:
        raise RuntimeError("nginx not found (Debian: apt-get install nginx)")
    port = port or free_port()
    directory = Path(tempfile.mkdtemp(prefix="playground-nginx-"))
    # Under root nginx's workers run as `nobody`: they must reach the temp directories in the prefix.
    directory.chmod(0o755)
    conf = directory / "nginx.conf"
    conf.write_text(render_nginx_conf(backends, f"127.0.0.1:{port}"))
    check = subprocess.run([nginx, "-t", "-q", "-p", f"{directory}/", "-e", str(directory / "error.log"),
                            "-c", str(conf)], capture_output=True, text=True)  # fmt: skip
    if check.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"nginx rejected the configuration: {check.stderr.strip()}")
    process = subprocess.Popen([nginx, "-p", f"{directory}/", "-e", str(directory / "error.log"), "-c", str(conf),
                                "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)  # fmt: skip

    def stop() -> None:
        _end(process, signal.SIGTERM, grace_s=10)  # SIGTERM: fast shutdown, open WebSockets closed

    try:
        _wait_for_port(port, lambda: process.poll() is None, "nginx", wait_s)
    except BaseException:
        stop()
        text = _tail(directory / "error.log")
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"nginx did not start: {text}") from None
    return Service("nginx", f"http://127.0.0.1:{port}", directory, stop, [process])


# --- availability -----------------------------------------------------------------------------------------


def missing(name: str) -> str | None:
    """Why service `name` ("postgres", "ray", "nginx") cannot start here, or None if it can."""
    if name == "postgres":
        if postgres_bindir() is None:
            return "PostgreSQL server not installed (bash scripts/install_services.sh)"
        try:
            import psycopg  # noqa: F401
            import sqlalchemy  # noqa: F401
        except ImportError as error:
            return f"{error.name} not installed (pip install -r requirements-cluster.txt)"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "no `postgres` user (Debian's postgresql package creates it)"
        return None
    if name == "ray":
        try:
            import importlib.util

            found = importlib.util.find_spec("ray") is not None
        except ValueError:
            found = True
        if not found or ray_executable() is None:
            return "Ray not installed (pip install -r requirements-cluster.txt)"
        return None
    if name == "nginx":
        return None if nginx_executable() else "nginx not installed (bash scripts/install_services.sh)"
    raise ValueError(f"unknown service {name!r}")


# --- command line -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Start one service by hand and keep it until Ctrl-C (or SIGTERM)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_ray-node"]:
        _ray_node_main(argv[1])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="service", required=True)
    sub.add_parser("postgres", help="a throw-away PostgreSQL server; prints its SQLAlchemy URL")
    ray = sub.add_parser("ray", help="a Ray head (and more nodes); prints the address for ray.init")
    ray.add_argument("--cpus", type=int, default=1, help="CPUs each node offers (default 1)")
    ray.add_argument("--nodes", type=int, default=1, help="nodes on this machine, head included (default 1)")
    nginx = sub.add_parser("nginx", help="nginx in front of Streamlit replicas; prints its URL")
    nginx.add_argument("backends", nargs="+", help="replica addresses, host:port")
    nginx.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)

    started: list[Service] = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if args.service == "postgres":
            started.append(start_postgres())
        elif args.service == "ray":
            started.append(start_ray_head(num_cpus=args.cpus))
            started += [add_ray_node(started[0], num_cpus=args.cpus) for _ in range(args.nodes - 1)]
            print("Drivers on this machine need: " + " ".join(f"{k}={v}" for k, v in RAY_LOOPBACK_ENV.items()))
        else:
            started.append(start_nginx(args.backends, port=args.port))
        for service in started:
            print(f"{service.name}: {service.address}  ({service.directory})", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        for service in reversed(started):
            service.stop()


if __name__ == "__main__":
    main()
