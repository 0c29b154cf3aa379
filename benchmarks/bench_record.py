"""The benchmark of record: pmkb against plain MkDocs on the same machine and content.

For each size N (default 100, 1,000 and 5,000 postmortems, N/10 runbooks, written by
`generate.py`), measured in one run, each as the median of `--repeat` runs with the
peak resident memory of the process:

  plain    `mkdocs build` of the same Markdown as plain pages (Material + search)
  build    `mkdocs build` with pmkb, its cache (.cache/pmkb) kept from the run before
  build0   `mkdocs build` with pmkb from a clean clone: no cache folder
  check    `pmkb check` of the whole knowledge base, cache kept, no file changed since
  check0   `pmkb check` with no cache folder
  check1   `pmkb check` of one postmortem after editing it (the pre-commit case)
  checkE   `pmkb check` of the whole knowledge base right after that edit: the other
           files' records come from the cache, the last check's result no longer applies
  export   `pmkb export` after the build, with the cache the build left
  export0  `pmkb export` with no cache folder
  edit     under `mkdocs serve`, seconds from saving a postmortem with a new title to
           the page and search_index.json serving that title
  settled  seconds from the same save until the similar incidents, worked out beside
           the rebuild, are shown as well (with the rebuild that shows them, if any)

Every pmkb figure is reported as a ratio to the plain build of the same N, with site
and search-index sizes and the largest generated page. A table goes to stdout, all
figures to `--json` (default `benchmarks/results.json`).

    python benchmarks/bench_record.py                       # 100, 1000, 5000; 3 runs each
    python benchmarks/bench_record.py --sizes 100 1000 --repeat 2 --no-serve
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import postmortem_id, write_sites  # noqa: E402
from pmkb.site.similar_worker import WORKED_OUT  # noqa: E402 - what the preview logs once similar incidents settle

# Python may keep the bytecode it compiles, as it does for any installed package (MkDocs'
# own was compiled when it was installed): a shell that forbids it would time pmkb's
# compilation on every run, which no user's machine does.
ENV = {
    **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
    "NO_MKDOCS_2_WARNING": "1",
    "PMKB_TODAY": "2026-11-23",
}
EDIT_TIMEOUT_S = 900.0


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float


@dataclass
class Measure:
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        return max(run.peak_rss_mb for run in self.runs)


def run_measured(command: list[str], cwd: Path, ok_codes: tuple[int, ...] = (0,)) -> Run:
    """Run a command to completion; its wall time and its own peak RSS (from wait4)."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull, tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=devnull, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in ok_codes:
            errors.seek(0)
            sys.exit(
                f"{' '.join(command)} exited {process.returncode}:\n{errors.read()[-3000:].decode(errors='replace')}"
            )
    return Run(elapsed, usage.ru_maxrss / 1024)


def size_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def largest_generated_page(site: Path) -> tuple[str, float]:
    """The biggest index page pmkb generates (not a single document's page), in KB."""
    candidates = [site / "index.html"] + [
        path
        for path in site.rglob("index.html")
        if not re.match(r"(postmortems|runbooks)/[^/]+/index\.html$", path.relative_to(site).as_posix())
    ]
    biggest = max((path for path in candidates if path.exists()), key=lambda path: path.stat().st_size)
    return biggest.relative_to(site).as_posix(), biggest.stat().st_size / 1e3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, needle: str, deadline: float) -> bool:
    while time.perf_counter() < deadline:
        page = fetch(url)
        if page is not None and needle in page:
            return True
        time.sleep(0.05)
    return False


def similar_settled(log: Path, seen_before: int) -> bool:
    """Whether the worker has worked out the lists of a rebuild after `seen_before` results and,
    when they changed what the preview showed, the rebuild that shows them is done."""
    text = log.read_text(errors="replace")
    if text.count(WORKED_OUT) <= seen_before:
        return False
    last = text[text.rindex(WORKED_OUT) :]
    if "rebuilding" not in last.splitlines()[0]:
        return True
    # The rebuild the worker asked for starts after its line ("Detected file changes", as
    # MkDocs logs every rebuild). The lists may be worked out before the build they are for
    # has reloaded the browsers: that reload comes first and does not count.
    started = last.find("Detected file changes")
    return started >= 0 and "Reloading browsers" in last[started:]


def measure_serve_edit(mkdocs: str, yml: Path, repeat: int, serve_args: list[str]) -> tuple[Measure, Measure]:
    """Seconds from saving a postmortem with a new title to the served page and search index
    showing it (edit), and to the similar incidents being worked out and shown (settled).

    The search index is written last, when the rebuild is done: the edit is then in
    every page, the feed and kb.json too. Each edit starts from a settled server.
    """
    port = free_port()
    target = yml.parent / "postmortems" / f"{postmortem_id(1)}.md"
    original = target.read_text()
    url = f"http://127.0.0.1:{port}/postmortems/{postmortem_id(1)}/"
    search_url = f"http://127.0.0.1:{port}/search/search_index.json"
    command = [mkdocs, "serve", "--livereload", "-a", f"127.0.0.1:{port}", "-f", str(yml), *serve_args]
    log = yml.parent / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=yml.parent, env=ENV, stdout=subprocess.DEVNULL, stderr=output)
    edit, settled = Measure(), Measure()
    try:
        if not wait_for(url, "Incident 1 on", time.perf_counter() + EDIT_TIMEOUT_S):
            sys.exit(f"mkdocs serve did not serve {url}")
        for attempt in range(repeat):
            title = f"Edited title number {attempt} of the benchmark"
            time.sleep(1.0)  # the watcher coalesces events; start each edit from a quiet server
            seen = log.read_text(errors="replace").count(WORKED_OUT)
            started = time.perf_counter()
            target.write_text(re.sub(r"^title: .*$", f"title: {title}", original, count=1, flags=re.M))
            for where in (url, search_url):
                if not wait_for(where, title, started + EDIT_TIMEOUT_S):
                    sys.exit(f"the edit did not reach {where} within {EDIT_TIMEOUT_S:.0f} s")
            edit.runs.append(Run(time.perf_counter() - started, 0.0))
            while not similar_settled(log, seen):
                if time.perf_counter() > started + EDIT_TIMEOUT_S:
                    sys.exit(f"similar incidents were not worked out within {EDIT_TIMEOUT_S:.0f} s")
                time.sleep(0.05)
            settled.runs.append(Run(time.perf_counter() - started, 0.0))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        target.write_text(original)
    return edit, settled


def bench_size(size: int, repeat: int, serve: bool, serve_args: list[str]) -> dict[str, object]:
    bindir = Path(sys.executable).parent
    mkdocs, pmkb = str(bindir / "mkdocs"), str(bindir / "pmkb")
    with tempfile.TemporaryDirectory(prefix=f"pmkb-bench-{size}-") as tmp:
        plain_yml, pmkb_yml = write_sites(Path(tmp), size)
        names = ("plain", "build0", "build", "check0", "check", "check1", "checkE", "export0", "export")
        measures = {name: Measure() for name in names}
        one_file = pmkb_yml.parent / "postmortems" / f"{postmortem_id(0)}.md"
        cache = pmkb_yml.parent / ".cache"
        check = [pmkb, "check", "-f", str(pmkb_yml)]
        for attempt in range(repeat):
            shutil.rmtree(plain_yml.parent / "site", ignore_errors=True)
            measures["plain"].runs.append(run_measured([mkdocs, "build", "-q", "-f", str(plain_yml)], plain_yml.parent))
            for name in ("build0", "build"):
                if name == "build0":
                    shutil.rmtree(cache, ignore_errors=True)
                shutil.rmtree(pmkb_yml.parent / "site", ignore_errors=True)
                measures[name].runs.append(run_measured([mkdocs, "build", "-q", "-f", str(pmkb_yml)], pmkb_yml.parent))
            export = [pmkb, "export", "-f", str(pmkb_yml)]
            measures["export"].runs.append(run_measured(export, pmkb_yml.parent))
            shutil.rmtree(cache, ignore_errors=True)
            measures["export0"].runs.append(run_measured(export, pmkb_yml.parent))
            shutil.rmtree(cache, ignore_errors=True)
            measures["check0"].runs.append(run_measured(check, pmkb_yml.parent, (0, 1)))
            measures["check"].runs.append(run_measured(check, pmkb_yml.parent, (0, 1)))
            # The pre-commit case: the file being committed has just changed.
            with open(one_file, "a", encoding="utf-8") as edited:
                edited.write(f"\nEdited before commit number {attempt}.\n")
            measures["check1"].runs.append(run_measured([*check, str(one_file)], pmkb_yml.parent, (0, 1)))
            measures["checkE"].runs.append(run_measured(check, pmkb_yml.parent, (0, 1)))
        if serve:
            measures["edit"], measures["settled"] = measure_serve_edit(mkdocs, pmkb_yml, repeat, serve_args)
        plain_site, pmkb_site = plain_yml.parent / "site", pmkb_yml.parent / "site"
        page, page_kb = largest_generated_page(pmkb_site)
        plain_s = measures["plain"].seconds
        return {
            "size": size,
            "runbooks": max(1, size // 10),
            "seconds": {name: round(measure.seconds, 3) for name, measure in measures.items()},
            "ratio_to_plain": {name: round(measure.seconds / plain_s, 4) for name, measure in measures.items()},
            "peak_rss_mb": {
                name: round(m.peak_rss_mb, 1) for name, m in measures.items() if name not in ("edit", "settled")
            },
            "rss_ratio_build": round(measures["build"].peak_rss_mb / measures["plain"].peak_rss_mb, 3),
            "rss_ratio_build0": round(measures["build0"].peak_rss_mb / measures["plain"].peak_rss_mb, 3),
            "site_mb": {"plain": round(size_mb(plain_site), 1), "pmkb": round(size_mb(pmkb_site), 1)},
            "search_index_mb": {
                "plain": round((plain_site / "search" / "search_index.json").stat().st_size / 1e6, 2),
                "pmkb": round((pmkb_site / "search" / "search_index.json").stat().st_size / 1e6, 2),
            },
            "largest_generated_page": {"path": page, "kb": round(page_kb, 1)},
            "runs": {name: [asdict(run) for run in measure.runs] for name, measure in measures.items()},
        }


def print_table(results: list[dict[str, object]]) -> None:
    header = (
        f"{'N':>6} {'plain s':>8} {'build':>6} {'build0':>6} {'check':>7} {'check0':>7} {'check1':>7} {'checkE':>7} "
        f"{'export':>7} "
        f"{'export0':>7} "
        f"{'edit s':>7} {'settled':>7} {'RSS':>5} {'site MB':>13} {'search MB':>11} {'largest page':>22}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        seconds, ratio = result["seconds"], result["ratio_to_plain"]
        assert isinstance(seconds, dict) and isinstance(ratio, dict)
        site, search, page = result["site_mb"], result["search_index_mb"], result["largest_generated_page"]
        assert isinstance(site, dict) and isinstance(search, dict) and isinstance(page, dict)
        edit = f"{seconds['edit']:>7.2f}" if "edit" in seconds else f"{'-':>7}"
        edit += f" {seconds['settled']:>7.2f}" if "settled" in seconds else f" {'-':>7}"
        print(
            f"{result['size']:>6} {seconds['plain']:>8.2f} {ratio['build']:>6.2f} {ratio['build0']:>6.2f} "
            f"{ratio['check']:>7.3f} {ratio['check0']:>7.3f} {ratio['check1']:>7.3f} {ratio['checkE']:>7.3f} "
            f"{ratio['export']:>7.3f} "
            f"{ratio['export0']:>7.3f} "
            f"{edit} {result['rss_ratio_build']:>5.2f} "
            f"{site['plain']:>6.1f}/{site['pmkb']:<6.1f} {search['plain']:>5.1f}/{search['pmkb']:<5.1f} "
            f"{page['kb']:>7.0f} KB {page['path']}"
        )
    print(
        "\nbuild, check, check1, checkE, export: time as a ratio to the plain build of the same N, with pmkb's "
        "cache from the run before (check1 and checkE: after one file was edited);\nbuild0, check0, export0: the same with no cache (a clean clone); "
        "RSS: peak memory of the pmkb build over the plain build's;\nedit: seconds under mkdocs serve "
        "from saving a new title to the page and search_index.json showing it;\nsettled: seconds until the similar "
        "incidents, worked out beside the rebuild, are shown too."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-serve", action="store_true", help="skip the mkdocs serve edit measurement")
    parser.add_argument("--serve-arg", action="append", default=[], help="extra argument for mkdocs serve")
    parser.add_argument("--json", type=Path, default=Path(__file__).resolve().parent / "results.json")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        results.append(bench_size(size, args.repeat, not args.no_serve, args.serve_arg))
        print(f"N = {size}: done", file=sys.stderr)
    print_table(results)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    args.json.write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    print(f"\nall figures: {args.json}")


if __name__ == "__main__":
    main()
