"""`mkdocs serve` itself: a knowledge-base error never freezes the preview.

Before, a rebuild that failed on a knowledge-base error left MkDocs' server waiting
for a good build: every request hung. Here a real server runs on a free port; the test
breaks a document, expects the page to answer with the finding in its banner and on
/problems/, then fixes it and expects the banner to go. Every wait is bounded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, TODAY, write_kb

PM_ID = "2024-03-05-checkout"
PM = f"postmortems/{PM_ID}.md"
STARTUP_SECONDS = 90  # the first build, on a busy CI machine
REBUILD_SECONDS = 30  # from saving a file to the page showing it
REQUEST_SECONDS = 15  # one request; a frozen server would never answer


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_SECONDS) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


class Server:
    def __init__(
        self, root: Path, process: subprocess.Popen[bytes], url: str, log: Path
    ) -> None:
        self.root = root
        self.process = process
        self.url = url
        self.log = log

    def page(self, path: str) -> str:
        status, html = get(self.url + path)
        assert status == 200, f"{path}: HTTP {status}"
        return html

    def wait_for(
        self, path: str, condition: Callable[[str], bool], seconds: float
    ) -> str:
        """The page once it answers 200 and `condition` holds; fails after `seconds`.

        A new page answers 404 until the rebuild that creates it is done; a request
        that never returns fails at REQUEST_SECONDS.
        """
        deadline = time.monotonic() + seconds
        while True:
            assert self.process.poll() is None, "mkdocs serve exited:\n" + self.tail()
            status, html = get(self.url + path)
            if status == 200 and condition(html):
                return html
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{path}: HTTP {status}, not as expected after {seconds} s; server log:\n"
                    + self.tail()
                )
            time.sleep(0.5)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module; each test leaves the knowledge base as it found it."""
    tmp_path = tmp_path_factory.mktemp("serve")
    config = write_kb(
        tmp_path / "kb", {PM: GOOD_POSTMORTEM, "runbooks/db-pool.md": GOOD_RUNBOOK}
    )
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "PMKB_TODAY": TODAY.isoformat(), "NO_MKDOCS_2_WARNING": "1"}
    # `--livereload`: with click 8.2.2 to 8.3.x, `mkdocs serve` 1.6 starts without it otherwise.
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "serve",
        "--livereload",
        "-a",
        f"127.0.0.1:{port}",
        "-f",
        str(config),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=config.parent, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        served = Server(config.parent, process, f"http://127.0.0.1:{port}/", log)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, "mkdocs serve exited:\n" + log.read_text(
                errors="replace"
            )
            try:
                if get(served.url)[0] == 200:
                    break
            except OSError:
                pass  # not listening yet
            assert time.monotonic() < deadline, (
                "mkdocs serve did not start:\n" + log.read_text(errors="replace")
            )
            time.sleep(0.5)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def has_banner(html: str) -> bool:
    return "pmkb-problems-banner" in html


def test_an_error_shows_on_the_page_and_goes_when_fixed(server: Server):
    page = f"postmortems/{PM_ID}/"
    first = server.page(page)
    assert not has_banner(first)
    assert "livereload" in first  # the server watches files and reloads the browser

    source = server.root / PM
    good = source.read_text(encoding="utf-8")
    broken = good.replace(
        "## Impact\n", "## Impact\n\nAs the [pool runbook][db-pol] says.\n"
    )
    line = broken.split("[db-pol]")[0].count("\n") + 1
    source.write_text(broken, encoding="utf-8")

    html = server.wait_for(page, has_banner, REBUILD_SECONDS)
    assert (
        "<code>PMKB016</code>" in html
        and f"line {line}</span>" in html
        and "db-pol" in html
    )
    problems = server.page("problems/")
    assert f"<code>{PM}</code>" in problems and "PMKB016" in problems

    source.write_text(good, encoding="utf-8")
    server.wait_for(page, lambda html: not has_banner(html), REBUILD_SECONDS)
    assert "No problems" in server.page("problems/")


def test_a_document_that_fails_validation_gets_a_page(server: Server):
    draft = server.root / "postmortems" / "half-written.md"
    draft.write_text(
        "---\ntitle: Half written\n---\n\n## Summary\n\nStill typing.\n",
        encoding="utf-8",
    )
    html = server.wait_for("postmortems/half-written/", has_banner, REBUILD_SECONDS)
    assert "PMKB003" in html and "Still typing." in html
    assert server.page("").count("pmkb-problems-banner") == 1

    draft.unlink()
    server.wait_for("", lambda html: not has_banner(html), REBUILD_SECONDS)
