"""No orphans: when the process running a worker pool (`ingest --workers 2`) is killed with -9, its
worker processes end too, within seconds, instead of running on unseen."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from communique.parallel.pool import WATCH_SECONDS, _alive

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the worker processes")

JOB = """
import sys
sys.path.insert(0, {tests!r})
from communique.config import Settings
from communique.models import Article
from communique.parallel.pool import WorkerPool
from pool_tasks import sleepy

with WorkerPool(Settings(), 2, task=sleepy) as pool:
    pool.warm()
    print(*pool.pids(), flush=True)
    for _ in pool.run(iter([[Article(text="x", source=str(i))] for i in range(8)])):
        pass
"""


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def test_killing_the_parent_ends_its_workers():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    job = subprocess.Popen([sys.executable, "-c", JOB.format(tests=str(Path(__file__).parent))],
                           stdout=subprocess.PIPE, text=True, env=env)
    try:
        workers = {int(p) for p in job.stdout.readline().split()}
        assert len(workers) == 2, "the pool did not start"
        helpers = _descendants(job.pid)  # the workers, the forkserver, the resource tracker
        assert workers <= helpers
        time.sleep(0.5)  # the workers are now in their minute-long batches
        job.send_signal(signal.SIGKILL)
        job.wait(timeout=10)
        deadline = time.monotonic() + 10 * WATCH_SECONDS + 10
        while time.monotonic() < deadline and any(_alive(p) for p in helpers):
            time.sleep(0.2)
        left = sorted(p for p in helpers if _alive(p))
        assert left == [], f"still running after the parent was killed: {left}"
    finally:
        job.kill()
        for pid in _descendants(job.pid):
            os.kill(pid, signal.SIGKILL)
