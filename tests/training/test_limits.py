"""How many training workers fit: the container's memory limit (cgroup v2, v1, physical) and the cores."""

from playground.training import limits as resources

GB = 2**30


def test_the_cgroup_v2_limit_wins_and_max_means_none(tmp_path):
    v2, v1 = tmp_path / "memory.max", tmp_path / "memory.limit_in_bytes"
    v2.write_text(f"{3 * GB}\n")
    assert resources.cgroup_limit_bytes(v2, v1) == 3 * GB
    v2.write_text("max\n")
    assert resources.cgroup_limit_bytes(v2, v1) is None
    v1.write_text(f"{2 * GB}\n")
    assert resources.cgroup_limit_bytes(v2, v1) == 2 * GB
    v1.write_text("9223372036854771712\n")  # cgroup v1's "no limit"
    assert resources.cgroup_limit_bytes(tmp_path / "absent", v1) is None


def test_physical_memory_is_read_from_meminfo(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16384000 kB\nMemFree:  100 kB\n")
    assert resources.physical_memory_bytes(meminfo) == 16384000 * 1024


def test_workers_fit_beside_the_server_in_the_memory_limit():
    # Streamlit Community Cloud: about 2.7 GB; a small VPS: 1 GB; a workstation: 32 GB.
    assert resources.workers_for_memory(int(2.7 * GB)) == 2
    assert resources.workers_for_memory(1 * GB) == 1  # never fewer than one
    assert resources.workers_for_memory(32 * GB) == 45
    assert resources.workers_for_memory(None) > 1000


def test_the_fewer_of_cores_and_memory_decides():
    assert resources.max_training_workers(cores=2, limit_bytes=32 * GB) == 2
    assert resources.max_training_workers(cores=16, limit_bytes=32 * GB) == 8
    assert resources.max_training_workers(cores=16, limit_bytes=int(2.7 * GB)) == 2
    assert resources.max_training_workers(cores=1, limit_bytes=int(2.7 * GB)) == 1


def test_an_explicit_memory_setting_overrides_detection(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MEMORY_MB", "2048")
    assert resources.memory_limit_bytes() == 2 * GB
    monkeypatch.delenv("PLAYGROUND_MEMORY_MB")
    assert resources.memory_limit_bytes() > 0
