"""Under `mkdocs serve`, similar incidents are worked out beside a rebuild, not in it.

Finding every postmortem's similar incidents is the largest part of a rebuild, and one
edit changes them all a little: each word's weight depends on every text. A writer who
renamed an incident wants to see the page, not wait for those lists. So a rebuild under
`mkdocs serve` shows the lists last worked out (each row built from the current
documents, so titles are current; incidents gone or now related are left out), and
this worker works out the exact lists in a process of their own, started as soon as the
rebuild has loaded the knowledge base: it runs while the rebuild renders and writes
pages (on another core, where there is one), and the server's process answers the
browser meanwhile. Once both are done, when the exact lists differ from what the
preview shows, it asks the server for one more rebuild, which finds them in memory
(and in the similar store, for the next `mkdocs build`) and, like any rebuild,
re-renders only the pages that changed.

A newer rebuild supersedes a job still running: its process is stopped, and the newer
rebuild's own job takes over. The first build of a session, a build whose lists
are in the store, and every `mkdocs build` work them out exactly, as before.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.plugins import get_plugin_logger

import pmkb
from pmkb.index import KnowledgeBase, SimilarLists
from pmkb.similarity import IncidentText, SimilarIncident, every_list

log = get_plugin_logger("pmkb")
Lists = dict[str, list[SimilarIncident]]
# The process that works out the lists: `python -m pmkb.similarity`, able to import this
# pmkb even when the server found it on a path of its own (appended: never shadowing the
# standard library or what is installed).
_PACKAGE_ROOT = str(Path(pmkb.__file__).resolve().parent.parent)
WORKER_COMMAND = (
    sys.executable,
    "-c",
    f"import sys; sys.path.append({_PACKAGE_ROOT!r}); import runpy; "
    "runpy.run_module('pmkb.similarity', run_name='__main__', alter_sys=True)",
)
# What the terminal says once a job is done (the benchmark and the tests wait for it).
WORKED_OUT = "similar incidents worked out"
# How much lower the job's process runs than the server's (a Unix niceness).
_NICENESS = 10
# How often a job in progress checks whether a newer rebuild superseded it.
_POLL_SECONDS = 0.1


@dataclass
class _Job:
    generation: int
    texts: list[IncidentText]
    related: dict[str, list[str]]
    limit: int
    inputs: bytes
    shown: Lists | None  # what the build put on its pages and into kb.json, once it is done
    store: SimilarLists | None


class _LatestFirst:
    """The worker's latest exact lists; the store on disk until there are any (what it holds
    then is what the worker put there, or older)."""

    def __init__(self, worker: SimilarWorker, store: SimilarLists | None) -> None:
        self._worker = worker
        self._store = store

    def get(self, inputs: bytes) -> dict[str, Any] | None:
        latest = self._worker.latest
        if latest is not None:
            return dict(latest[2]) if latest[0] == inputs else None
        return self._store.get(inputs) if self._store is not None else None

    def put(self, inputs: bytes, lists: dict[str, Any]) -> None:
        if self._store is not None:
            self._store.put(inputs, lists)


class SimilarWorker:
    """Works out exact similar lists after each preview rebuild that showed provisional ones."""

    def __init__(self, request_rebuild: Callable[[], None] | None = None) -> None:
        self.request_rebuild = request_rebuild
        self.command: Sequence[str] = WORKER_COMMAND
        # (inputs digest, limit, lists): the most recent exact lists, from a build or a job.
        self.latest: tuple[bytes, int, Lists] | None = None
        self._generation = 0
        self._condition = threading.Condition()
        self._pending: _Job | None = None
        self._latest_job: _Job | None = None  # the job of the latest build that showed provisional lists
        self._busy = False
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None  # the job's, while one runs

    def prepare(self, kb: KnowledgeBase) -> None:
        """Before a build asks for any list: exact lists if known, else provisional ones,
        and the job that works out the exact ones starts."""
        with self._condition:
            self._generation += 1  # a job still running is for an older version: it stops
            generation = self._generation
            latest = self.latest
            self._condition.notify_all()  # a job waiting for its build's lists is superseded
        limit = kb.config.similar_limit
        provisional = latest[2] if latest is not None and latest[1] == limit else None
        kb.use_similar_from(_LatestFirst(self, kb.similar_store), provisional)
        if not kb.similar_is_provisional:
            return
        log.info("showing the similar incidents of the build before while this build's are worked out")
        related = {pm_id: list(ids) for pm_id, ids in kb.related.items()}
        job = _Job(generation, kb.similarity_texts(), related, limit, kb.similarity_inputs, None, kb.similar_store)
        with self._condition:
            self._pending = self._latest_job = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="pmkb-similar", daemon=True)
                self._thread.start()
            self._condition.notify_all()

    def after_build(self, kb: KnowledgeBase) -> None:
        """Once the build is done: remember exact lists, or give its job the lists it showed."""
        shown = {pm_id: kb.similar(pm_id) for pm_id in kb.postmortems}
        with self._condition:
            if not kb.similar_is_provisional:
                self.latest = (kb.similarity_inputs, kb.config.similar_limit, shown)
                return
            job = self._latest_job
            if job is not None and self._current(job):
                job.shown = shown
                self._condition.notify_all()

    def stop(self) -> None:
        """Stop a job still running, and the thread (the server is shutting down)."""
        with self._condition:
            self._generation += 1
            self._pending = None
            self._stopped = True
            self._condition.notify_all()
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()  # now: the server's process may end before the job's next look

    def wait(self, timeout: float | None = None) -> bool:
        """Until no job is pending or running; False when `timeout` passed first."""
        with self._condition:
            return self._condition.wait_for(lambda: self._pending is None and not self._busy, timeout)

    def _loop(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._pending is not None or self._stopped)
                if self._stopped:
                    return
                job, self._pending = self._pending, None
                assert job is not None
                self._busy = True
            try:
                self._run(job)
            except Exception as exc:  # a bug here must not stop the preview: the lists stay as shown
                log.warning(f"could not work out similar incidents: {exc!r}")
            finally:
                with self._condition:
                    self._busy = False
                    self._condition.notify_all()

    def _current(self, job: _Job) -> bool:
        return job.generation == self._generation

    def _run(self, job: _Job) -> None:
        lists = self._work_out(job)
        if lists is None:
            return
        with self._condition:
            self.latest = (job.inputs, job.limit, lists)
        if job.store is not None:
            job.store.put(job.inputs, lists)
        with self._condition:
            # The build that showed provisional lists may still be rendering its pages.
            self._condition.wait_for(lambda: job.shown is not None or not self._current(job) or self._stopped)
            shown = job.shown
            if shown is None or not self._current(job):
                return
        changed = _changed(shown, lists)
        if not changed:
            log.info(f"{WORKED_OUT}: the preview shows them already")
        elif self.request_rebuild is not None:
            noun = "postmortem's list" if changed == 1 else "postmortems' lists"
            log.info(f"{WORKED_OUT}: {changed} {noun} changed; rebuilding")
            self.request_rebuild()

    def _work_out(self, job: _Job) -> Lists | None:
        """The exact lists, from a process of their own: the work does not hold up the
        server's, which answers the browser meanwhile. None when a newer rebuild came first."""
        if not self._current(job):
            return None
        # The input from a file: a pipe would need writing while the process is waited for.
        with tempfile.TemporaryFile() as source:
            pickle.dump((job.texts, job.related, job.limit), source, protocol=pickle.HIGHEST_PROTOCOL)
            source.seek(0)
            process = subprocess.Popen(self.command, stdin=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _yield_to_the_server(process.pid)
        self._process = process
        while True:
            try:
                output, errors = process.communicate(timeout=_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if not self._current(job):
                    process.kill()  # a newer rebuild started: its own job follows
                    process.communicate()
                    self._process = None
                    return None
        self._process = None
        if not self._current(job):
            return None  # stopped while the process ran
        if process.returncode != 0:
            message = errors.decode("utf-8", "replace").strip().splitlines()
            reason = message[-1] if message else f"exit status {process.returncode}"
            log.info(f"similar incidents: their process failed ({reason}); working them out in this one")
            return every_list(job.texts, job.related, job.limit)
        lists: Lists = pickle.loads(output)  # noqa: S301 - written by the process started above
        return lists


def _yield_to_the_server(pid: int) -> None:
    """Lower the job's process's priority: it runs while the rebuild it is for renders
    pages, and the rebuild is what the writer waits for."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, _NICENESS)
    except (AttributeError, OSError):  # not on this system, or the process has ended
        pass


def _changed(shown: Mapping[str, Sequence[SimilarIncident]], exact: Mapping[str, Sequence[SimilarIncident]]) -> int:
    """How many postmortems' lists differ in what pages and kb.json show: the incidents, their
    order and what they share. Scores are not shown, and any edit moves many of them a little."""

    def seen(lists: Mapping[str, Sequence[SimilarIncident]], pm_id: str) -> list[tuple[str, tuple[str, ...]]]:
        return [(item.id, tuple(item.shared)) for item in lists.get(pm_id, ())]

    return sum(1 for pm_id in exact.keys() | shown.keys() if seen(shown, pm_id) != seen(exact, pm_id))


def request_rebuild_of(server: Any) -> Callable[[], None]:
    """A function that asks MkDocs' live-reload server for a rebuild, as its file watcher does."""

    def request() -> None:
        condition = getattr(server, "_rebuild_cond", None)
        if condition is None:  # another server: the lists show on the next edit's rebuild
            return
        with condition:
            server._want_rebuild = True
            condition.notify_all()

    return request
