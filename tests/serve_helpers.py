"""A real `mkdocs serve` on a free port, for tests of the preview; every wait is bounded."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kb_helpers import TODAY, benchmark_record
from pmkb.site.similar_worker import WORKED_OUT

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
    def __init__(self, root: Path, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.root = root
        self.process = process
        self.url = url
        self.log = log

    def page(self, path: str) -> str:
        status, html = get(self.url + path)
        assert status == 200, f"{path}: HTTP {status}"
        return html

    def wait_for(self, path: str, condition: Callable[[str], bool], seconds: float = REBUILD_SECONDS) -> str:
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
                    f"{path}: HTTP {status}, not as expected after {seconds} s; server log:\n" + self.tail()
                )
            time.sleep(0.2)

    def builds(self) -> int:
        """How many builds the server has finished so far.

        Counted by the server's "Reloading browsers" after each build: MkDocs logs each
        distinct "Documentation built in N seconds" only once.
        """
        return self.log.read_text(errors="replace").count("Reloading browsers")

    def wait_for_build(self, after: int, seconds: float = REBUILD_SECONDS) -> None:
        """Until more than `after` builds have finished."""
        deadline = time.monotonic() + seconds
        while self.builds() <= after:
            assert self.process.poll() is None, "mkdocs serve exited:\n" + self.tail()
            assert time.monotonic() < deadline, f"no rebuild within {seconds} s; server log:\n" + self.tail()
            time.sleep(0.2)

    def similar_results(self) -> int:
        """How many times the preview's worker has worked out similar incidents so far."""
        return self.log.read_text(errors="replace").count(WORKED_OUT)

    def wait_for_similar(self, after: int, seconds: float = REBUILD_SECONDS) -> None:
        """Until the worker has worked out similar incidents more than `after` times and, when
        its lists changed what the preview showed, the rebuild that shows them is done."""
        deadline = time.monotonic() + seconds
        while True:
            assert self.process.poll() is None, "mkdocs serve exited:\n" + self.tail()
            if benchmark_record().similar_settled(self.log, after):
                return
            assert time.monotonic() < deadline, f"similar incidents not settled in {seconds} s:\n" + self.tail()
            time.sleep(0.2)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@contextmanager
def serving(config: Path, log: Path, *extra: str) -> Iterator[Server]:
    """`mkdocs serve` of `config` until the block ends; its output goes to `log`."""
    port = free_port()
    env = {**os.environ, "PMKB_TODAY": TODAY.isoformat(), "NO_MKDOCS_2_WARNING": "1"}
    # `--livereload`: with click 8.2.2 to 8.3.x, `mkdocs serve` 1.6 starts without it otherwise.
    command = [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}", "-f", str(config)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, *extra], cwd=config.parent, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        served = Server(config.parent, process, f"http://127.0.0.1:{port}/", log)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, "mkdocs serve exited:\n" + log.read_text(errors="replace")
            try:
                if get(served.url)[0] == 200:
                    break
            except OSError:
                pass  # not listening yet
            assert time.monotonic() < deadline, "mkdocs serve did not start:\n" + log.read_text(errors="replace")
            time.sleep(0.3)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
