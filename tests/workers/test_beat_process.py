"""``shomei beat`` sends the periodic tasks plugins register, and a worker runs them."""

import os

from core.clock import SystemClock
from core.system import get_worker_ping, request_worker_ping
from tests.processes import eventually, shomei_env, stop
from workers.tasks.system import ANSWER_PING

PLUGIN = f"""
import os
from core.hookspecs import hookimpl


@hookimpl
def register_periodic_tasks():
    token = os.environ["BEAT_PROBE_TOKEN"]
    return {{"beat-probe": {{"task": "{ANSWER_PING}", "schedule": 1.0, "args": [token]}}}}
"""


def _install_entry_point_plugin(folder):
    dist = folder / "shomei_beat_probe-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: shomei-beat-probe\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[shomei.plugins]\nprobe = shomei_beat_probe\n")
    (folder / "shomei_beat_probe.py").write_text(PLUGIN)


async def test_beat_schedules_a_plugin_task_that_a_worker_runs(tmp_path, settings, processes):
    _install_entry_point_plugin(tmp_path / "site")
    token = await request_worker_ping("default", SystemClock())
    env = shomei_env(settings)
    env.update(
        SHOMEI_LOAD_ENTRYPOINT_PLUGINS="1",
        BEAT_PROBE_TOKEN=token,
        PYTHONPATH=os.pathsep.join([str(tmp_path / "site"), env.get("PYTHONPATH", "")]),
    )
    beat_log, worker_log = tmp_path / "beat.log", tmp_path / "worker.log"
    beat = processes(["beat"], env, beat_log)
    worker = processes(["worker", "--hostname", "beat-test@%h"], env, worker_log)

    async def answered() -> bool:
        view = await get_worker_ping(token)
        return view is not None and view.answered_at is not None

    await eventually(answered, 60, "beat's task to be run by the worker", worker_log)
    assert "beat-probe" in beat_log.read_text()
    assert stop(beat) in (0, -15), beat_log.read_text()[-2000:]
    assert stop(worker) in (0, -15), worker_log.read_text()[-2000:]
