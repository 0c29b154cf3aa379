"""Under `mkdocs serve`, similar incidents are worked out after a rebuild (similar_worker.py).

The rebuild after an edit shows the lists last worked out, with current titles; the
worker then works out the exact lists, and the rebuild it asks for shows what a full
`mkdocs build` of the edited knowledge base shows. Built in-process the way `mkdocs
serve` builds; test_serve_incremental.py runs the real server.
"""

from __future__ import annotations

import json
import logging
import pickle
import re
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kb_helpers import TODAY, benchmark_generator, logged
from mkdocs.commands.build import build
from mkdocs.config import load_config
from pmkb.cli import main
from pmkb.site.similar_worker import SimilarWorker, request_rebuild_of

SIZE = 16
PROVISIONAL = "showing the similar incidents of the build before"


def _front(text: str, name: str) -> str:
    match = re.search(rf"^{name}: .*$", text, re.M)
    assert match is not None
    return match.group(0)


class Serving:
    """Rebuilds of one knowledge base as `mkdocs serve` makes them, with their log."""

    def __init__(self, mkdocs_yml: Path, site: Path) -> None:
        self.mkdocs_yml = mkdocs_yml
        self.site = site
        self.records: list[logging.LogRecord] = []
        first = load_config(config_file=str(mkdocs_yml), site_dir=str(site))
        first.plugins.on_startup(command="serve", dirty=False)
        self.plugins = first.plugins
        self.worker: SimilarWorker = first.plugins["pmkb"].similar_worker

    def build(self) -> list[str]:
        """Rebuild; the messages pmkb logged."""
        with logged("mkdocs.plugins.pmkb", logging.INFO) as records:
            build(
                load_config(config_file=str(self.mkdocs_yml), site_dir=str(self.site)),
                serve_url="http://127.0.0.1:8000/",
            )
        return [record.getMessage() for record in records]

    def similar(self) -> dict[str, list[str]]:
        exported = json.loads((self.site / "kb.json").read_text(encoding="utf-8"))
        return {pm["id"]: pm["similar"] for pm in exported["postmortems"]}

    def page(self, pm_id: str) -> str:
        return (self.site / "postmortems" / pm_id / "index.html").read_text(encoding="utf-8")


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[Serving]:
    _plain, mkdocs_yml = benchmark_generator().write_sites(tmp_path / "kb", SIZE)
    session = Serving(mkdocs_yml, tmp_path / "site")
    try:
        yield session
    finally:
        session.plugins.on_shutdown()


def _exported_similar(mkdocs_yml: Path) -> dict[str, list[str]]:
    """The lists `pmkb export` works out afresh: what a full build shows."""
    result = CliRunner().invoke(main, ["export", "--no-cache", "-f", str(mkdocs_yml), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    return {pm["id"]: pm["similar"] for pm in json.loads(result.stdout)["postmortems"]}


def test_a_rebuild_shows_the_lists_before_and_the_next_shows_the_exact_ones(serving: Serving, tmp_path: Path) -> None:
    generator = benchmark_generator()
    edited_id, model_id = generator.postmortem_id(1), generator.postmortem_id(6)
    assert PROVISIONAL not in " ".join(serving.build()), "the first build works the lists out itself"
    assert serving.worker.wait(30)
    before = serving.similar()

    # The edited incident takes another's title and metadata: its neighbours change.
    edited = serving.mkdocs_yml.parent / "postmortems" / f"{edited_id}.md"
    model = (serving.mkdocs_yml.parent / "postmortems" / f"{model_id}.md").read_text(encoding="utf-8")
    text = edited.read_text(encoding="utf-8")
    for name in ("title", "services", "tags", "category"):
        text = text.replace(_front(text, name), _front(model, name), 1)
    edited.write_text(text, encoding="utf-8")
    exact = _exported_similar(serving.mkdocs_yml)
    assert exact != before, "the edit must change some list for this test to mean anything"

    messages = serving.build()
    assert PROVISIONAL in " ".join(messages)
    assert serving.similar() == before
    title = _front(model, "title").split(": ", 1)[1].strip('"')
    assert title in serving.page(edited_id), "the edited page shows at once"

    assert serving.worker.wait(30)
    assert serving.worker.latest is not None
    messages = serving.build()  # the rebuild the worker asks the server for
    assert PROVISIONAL not in " ".join(messages)
    assert serving.similar() == exact
    for pm_id, ids in exact.items():
        listed = re.findall(r'href="\.\./([^/"]+)/"', serving.page(pm_id).split('id="similar-incidents"', 1)[-1])
        assert all(other in listed for other in ids), pm_id


def _retitle(serving: Serving, number: int, title: str) -> None:
    target = serving.mkdocs_yml.parent / "postmortems" / f"{benchmark_generator().postmortem_id(number)}.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace(_front(text, "title"), f"title: {title}"), encoding="utf-8")


def test_a_newer_rebuild_stops_a_job_still_running(serving: Serving, tmp_path: Path) -> None:
    serving.build()
    go, steps = tmp_path / "go", tmp_path / "steps"
    # The worker's process, held until `go` exists, noting when it starts and finishes.
    held = (
        "import os, runpy, time\n"
        f"open({str(steps)!r}, 'a').write('start\\n')\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.02)\n"
        "runpy.run_module('pmkb.similarity', run_name='__main__')\n"
        f"open({str(steps)!r}, 'a').write('done\\n')\n"
    )
    serving.worker.command = [sys.executable, "-c", held]
    requested: list[bool] = []
    serving.worker.request_rebuild = lambda: requested.append(True)
    _retitle(serving, 2, "Ledger replay stalled the settlement queue")
    serving.build()
    for _ in range(1000):  # the first job's process is under way, held
        if steps.exists():
            break
        time.sleep(0.01)
    assert steps.read_text() == "start\n"
    _retitle(serving, 2, "Settlement queue stalled by a ledger replay")
    serving.build()
    go.touch()
    assert serving.worker.wait(60)
    assert steps.read_text() == "start\nstart\ndone\n", "the held job was stopped, the newer one ran"
    latest = serving.worker.latest
    assert latest is not None and latest[0] == serving.plugins["pmkb"].kb.similarity_inputs
    assert len(requested) <= 1, "only the newer job may ask for a rebuild"


def test_the_job_starts_with_the_build_and_waits_for_what_it_showed(
    serving: Serving, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Started once the knowledge base is loaded, the job does not wait for the build's end
    # to work the lists out; only comparing them with what the build showed waits for it.
    serving.build()
    requested: list[bool] = []
    serving.worker.request_rebuild = lambda: requested.append(True)
    _retitle(serving, 5, "Ledger replay stalled the settlement queue")
    with monkeypatch.context() as patch:
        patch.setattr(SimilarWorker, "after_build", lambda self, kb: None)  # as if the build never ended
        assert PROVISIONAL in " ".join(serving.build())
    inputs = serving.plugins["pmkb"].kb.similarity_inputs
    deadline = time.monotonic() + 30
    while (serving.worker.latest is None or serving.worker.latest[0] != inputs) and time.monotonic() < deadline:
        time.sleep(0.02)
    latest = serving.worker.latest
    assert latest is not None and latest[0] == inputs, "worked out without the build's end"
    assert not serving.worker.wait(0.3), "compared only with what the build showed"
    assert requested == []
    serving.build()  # the next build supersedes the job that waits
    assert serving.worker.wait(30)
    assert requested == []


def test_the_rebuild_request_is_the_one_mkdocs_file_watcher_makes() -> None:
    class Server:
        def __init__(self) -> None:
            self._rebuild_cond = threading.Condition()
            self._want_rebuild = False

    server = Server()
    request_rebuild_of(server)()
    assert server._want_rebuild
    request_rebuild_of(object())()  # another server: nothing to do, no error


def test_when_the_process_fails_the_lists_are_worked_out_in_the_server_s(serving: Serving) -> None:
    serving.build()
    _retitle(serving, 3, "Ledger replay stalled the settlement queue")
    serving.worker.command = [sys.executable, "-c", "import sys; sys.exit('no lists today')"]
    serving.build()
    assert serving.worker.wait(30)
    latest = serving.worker.latest
    assert latest is not None and latest[0] == serving.plugins["pmkb"].kb.similarity_inputs
    assert {pm_id: [item.id for item in found] for pm_id, found in latest[2].items()} == _exported_similar(
        serving.mkdocs_yml
    )


def test_only_what_pages_show_counts_as_a_change() -> None:
    from pmkb.similarity import SimilarIncident
    from pmkb.site.similar_worker import _changed

    shown = {"a": [SimilarIncident("b", 0.5, ("pool",)), SimilarIncident("c", 0.4, ("db",))]}
    rescored = {"a": [SimilarIncident("b", 0.5001, ("pool",)), SimilarIncident("c", 0.3999, ("db",))]}
    reordered = {"a": [SimilarIncident("c", 0.5, ("db",)), SimilarIncident("b", 0.4, ("pool",))]}
    reworded = {"a": [SimilarIncident("b", 0.5, ("pool", "queue")), SimilarIncident("c", 0.4, ("db",))]}
    assert _changed(shown, rescored) == 0, "scores are not shown"
    assert _changed(shown, reordered) == 1
    assert _changed(shown, reworded) == 1
    assert _changed(shown, {**shown, "d": []}) == 0
    assert _changed(shown, {**shown, "d": [SimilarIncident("a", 0.3, ())]}) == 1


def test_a_large_knowledge_base_goes_to_the_worker_process_whole() -> None:
    """More input than a pipe holds at once: the process gets all of it."""
    from pmkb.similarity import IncidentText, every_list
    from pmkb.site.similar_worker import _Job

    words = ["pool", "queue", "cache", "dns", "tls", "disk", "quota", "retry", "lease", "shard"]
    texts = [
        IncidentText(
            id=f"incident-{number:04d}",
            title=f"{words[number % 10]} {words[number * 7 % 10]} trouble",
            body=" ".join(words[(number + step) % 10] for step in range(600)),
            services=(f"service-{number % 13}",),
        )
        for number in range(300)
    ]
    job = _Job(1, texts, {}, 5, b"inputs", {}, None)
    worker = SimilarWorker()
    worker._generation = 1
    # A process slow to start reading: the input must wait for it, not be dropped.
    slow = "import runpy, time; time.sleep(0.5); runpy.run_module('pmkb.similarity', run_name='__main__')"
    worker.command = [sys.executable, "-c", slow]
    assert len(pickle.dumps(texts)) > 500_000  # a pipe holds 64 KB
    found: list[Any] = []
    working = threading.Thread(target=lambda: found.append(worker._work_out(job)), daemon=True)
    working.start()
    working.join(60)
    assert not working.is_alive(), "the worker and its process wait for each other"
    assert found == [every_list(texts, {}, 5)]


def test_shutting_down_stops_the_job_s_process(serving: Serving, tmp_path: Path) -> None:
    serving.build()
    started = tmp_path / "started"
    held = f"import time; open({str(started)!r}, 'w').close(); time.sleep(60)"
    worker = serving.worker
    worker.command = [sys.executable, "-c", held]
    _retitle(serving, 4, "Ledger replay stalled the settlement queue")
    serving.build()
    for _ in range(1000):
        if started.exists():
            break
        time.sleep(0.01)
    assert started.exists()
    process = worker._process
    assert process is not None
    latest = worker.latest
    serving.plugins.on_shutdown()
    assert process.wait(5) != 0, "killed, not left to run"
    assert worker.wait(5)
    assert worker.latest is latest, "nor worked out in the server's process instead"
