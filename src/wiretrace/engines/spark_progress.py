"""A quiet Spark driver and stage progress from Spark's own status tracker.

Quiet: the driver JVM (the py4j gateway) writes its console, including what it
prints before any logger is configured (the launcher's "Using Spark's default
log4j profile", Java's "Using incubator modules"), to ``OUT/_spark/driver.log``
instead of the terminal, and logs through a log4j2 configuration of errors
only (``spark.driver.extraJavaOptions``); the context's own level is set once
it runs.

Progress: each wiretrace stage runs its Spark jobs in a job group of its own;
a thread polls :meth:`pyspark.SparkContext.statusTracker` for the group's
tasks and reports them through the engine's ``on_progress`` (the protocol of
:mod:`wiretrace.pipeline.plan`): tasks finished so far, out of the tasks of
the Spark stages started so far (a total that grows as jobs start).

    >>> "rootLogger.level = error" in LOG4J2
    True
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..pipeline.plan import Progress

if TYPE_CHECKING:  # pragma: no cover
    from pyspark import SparkConf, SparkContext

__all__ = ["LOG4J2", "DRIVER_LOG", "quiet_java_options", "start_context", "driver_log", "StageTracker"]

#: the driver's log4j2 configuration: errors only, on the driver's stderr (``driver.log``)
LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
# the shell's level, else Spark prints "Setting default log level" at start
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = error
"""
#: the driver JVM's console, in the stage folder
DRIVER_LOG = "driver.log"
#: seconds between two polls of the status tracker
POLL_EVERY = 0.5
#: where the driver JVM this process started writes its console (one JVM per process)
_LOG: list[str] = []


def quiet_java_options(folder: str, given: str | None) -> str:
    """``spark.driver.extraJavaOptions`` with wiretrace's log4j2 file (written to
    ``folder``) added, unless the caller's options name a log4j configuration.

    >>> import tempfile
    >>> quiet_java_options(tempfile.mkdtemp(), "-Dlog4j2.configurationFile=mine.properties")
    '-Dlog4j2.configurationFile=mine.properties'
    """
    if given and "log4j" in given:
        return given
    path = os.path.join(folder, "log4j2.properties")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(LOG4J2)
    return " ".join(x for x in (given, f"-Dlog4j2.configurationFile=file:{path}") if x)


def start_context(conf: "SparkConf", folder: str) -> "SparkContext":
    """A new SparkContext whose driver JVM writes its console to ``folder/driver.log``
    (when this process has no JVM yet; else the running one is used)."""
    from pyspark import SparkContext
    from pyspark.java_gateway import launch_gateway

    gateway = None
    if getattr(SparkContext, "_gateway", None) is None:
        # the log stays open for the JVM's life: it outlives this scan in a long-running program
        path = os.path.join(folder, DRIVER_LOG)
        log = open(path, "ab")  # noqa: SIM115
        try:
            gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
        finally:
            log.close()  # the JVM has its own copy of the descriptor
        _LOG[:] = [path]
    return SparkContext(conf=conf, gateway=gateway)


def driver_log() -> str | None:
    """The file the driver JVM started by :func:`start_context` writes its console
    to (it serves every later scan of this process), or None."""
    return _LOG[0] if _LOG else None


class StageTracker:
    """Reports the tasks of each wiretrace stage's Spark jobs to ``on_progress``.

    Within ``with tracker.stage("align"):`` the calling thread's jobs belong to
    a job group of that stage, and a thread polls their tasks until the block
    ends (one last poll then, so every finished task is counted)."""

    _ids = itertools.count()

    def __init__(self, sc: "SparkContext", on_progress: Progress | None, every: float = POLL_EVERY):
        self.sc = sc
        self.on_progress = on_progress
        self.every = every

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.on_progress is None:
            yield
            return
        group = f"wiretrace-{name}-{os.getpid()}-{next(self._ids)}"
        self.sc.setJobGroup(group, f"wiretrace {name}")
        self.on_progress(name, 0, None)
        state = _GroupState()
        stop = threading.Event()

        def poll() -> None:
            while not stop.wait(self.every):
                self._report(name, group, state)

        thread = threading.Thread(target=poll, name=f"wiretrace-progress-{name}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            self.sc.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]
            self.sc.setJobDescription(None)  # type: ignore[arg-type]
        self._report(name, group, state)

    def _report(self, name: str, group: str, state: "_GroupState") -> None:
        try:
            done, total = state.poll(self.sc.statusTracker(), group)
        except Exception:  # noqa: BLE001 - progress is a courtesy: a stopped context ends it
            return
        report = self.on_progress
        if report is not None and (done > state.reported or total != state.total):
            step, state.reported, state.total = done - state.reported, done, total
            report(name, max(step, 0), total or None)


class _GroupState:
    """Task counts of one job group's stages; finished stages are not asked again."""

    def __init__(self) -> None:
        self.finished: dict[int, int] = {}  # stage id -> its task count
        self.jobs: dict[int, list[int]] = {}  # job id -> its stage ids
        self.reported = 0
        self.total = 0

    def poll(self, tracker: Any, group: str) -> tuple[int, int]:
        """(tasks finished, tasks of the stages started) in ``group`` so far."""
        for job in tracker.getJobIdsForGroup(group):
            if job not in self.jobs:
                info = tracker.getJobInfo(job)
                if info is not None:
                    self.jobs[job] = list(info.stageIds)
        done = total = 0
        for sid in {s for stages in self.jobs.values() for s in stages}:
            if sid in self.finished:
                done, total = done + self.finished[sid], total + self.finished[sid]
                continue
            info = tracker.getStageInfo(sid)
            if info is None:
                continue
            started = info.numActiveTasks + info.numCompletedTasks + info.numFailedTasks
            if not started:
                continue  # not begun yet, or skipped (its output was reused)
            done += info.numCompletedTasks
            total += info.numTasks
            if info.numCompletedTasks >= info.numTasks:
                self.finished[sid] = info.numTasks
        return done, total
