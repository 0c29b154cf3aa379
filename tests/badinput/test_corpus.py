"""Every bad-input case through every command and the build: no traceback, the exit code
the contract defines, bounded time and memory, an unchanged source tree, plain output.

Commands run in a child process per case (see driver.py) under an address-space limit
and a timeout, so a regression that hangs or eats memory fails here instead of taking
the machine down. Builds are few and shared: one knowledge base holds every file that
once hung the build, one the folder overlap, one the values that must still publish.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from badinput.cases import CASES, CASES_BY_NAME, Case
from hostile_kb import assert_plain
from kb_helpers import MKDOCS_YML, write_kb

DRIVER = Path(__file__).with_name("driver.py")
TODAY = "2026-11-23"
MEMORY_LIMIT = 3 * 1024**3  # bytes of address space; the runaway cases once took 24 GB
COMMAND_TIMEOUT = 600  # seconds for every command of every case, on a loaded machine
BUILD_TIMEOUT = 300
TEXT_OUTPUTS = ("check", "check github", "stats", "brief", "actions")


def _limit_resources() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _environment() -> dict[str, str]:
    return {**os.environ, "PMKB_TODAY": TODAY, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}


def _run_limited(arguments: list[str], timeout: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        arguments,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=_environment(),
        preexec_fn=_limit_resources,
        check=False,
    )


def tree_digest(root: Path) -> dict[str, str]:
    """What each entry under root is, without opening anything that is not a regular file."""
    digest: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == root:
            # pmkb's cache (.cache/pmkb) is the one folder a command may write to.
            dirnames[:] = [name for name in dirnames if name != ".cache"]
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            info = os.lstat(path)
            key = str(path.relative_to(root))
            if stat.S_ISREG(info.st_mode):
                digest[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(info.st_mode):
                digest[key] = "link:" + os.readlink(path)
            else:
                digest[key] = f"mode:{stat.S_IFMT(info.st_mode)}"
    return digest


def write_case(root: Path, case: Case) -> Path:
    config_file = write_kb(root, case.all_files(), case.mkdocs_yml)
    (root / "postmortems").mkdir(exist_ok=True)
    if case.setup is not None:
        case.setup(root)
    return config_file


def _unsupported(case: Case) -> str | None:
    if case.name == "FIFO" and not hasattr(os, "mkfifo"):
        return "named pipes are not available here"
    if case.name == "link to /dev/zero" and not Path("/dev/zero").exists():
        return "/dev/zero is not available here"
    return None


def _skip_if_unsupported(case: Case) -> None:
    reason = _unsupported(case)
    if reason:
        pytest.skip(reason)


@dataclass
class CaseRun:
    root: Path
    before: dict[str, str]
    results: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CaseRun]:
    """Every case written, snapshotted and run through every command in one limited child."""
    written: dict[str, tuple[Path, dict[str, str]]] = {}
    for number, case in enumerate(CASES):
        if _unsupported(case):
            continue
        config_file = write_case(tmp_path_factory.mktemp(f"case{number}") / "kb", case)
        written[case.name] = (config_file, tree_digest(config_file.parent))
    arguments = [sys.executable, str(DRIVER), TODAY, *(str(config_file) for config_file, _ in written.values())]
    completed = _run_limited(arguments, COMMAND_TIMEOUT, tmp_path_factory.getbasetemp())
    assert completed.returncode == 0, completed.stderr[-3000:]
    results: dict[str, dict[str, dict[str, Any]]] = json.loads(completed.stdout)
    return {
        name: CaseRun(config_file.parent, before, results[str(config_file)])
        for name, (config_file, before) in written.items()
    }


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_through_every_command(corpus_runs: dict[str, CaseRun], case: Case):
    _skip_if_unsupported(case)
    run = corpus_runs[case.name]
    results = run.results
    assert tree_digest(run.root) == run.before, "a command changed the source tree"
    for name, result in results.items():
        assert result["traceback"] is None, f"{name}:\n{result['traceback']}"
        assert "Traceback" not in result["stderr"], f"{name}:\n{result['stderr']}"
        assert_plain(result["stderr"])
        if name in TEXT_OUTPUTS:
            assert_plain(result["stdout"], allow_annotations=name == "check github")
    if case.config_error:
        for name, result in results.items():
            assert result["exit"] == 2, (name, result)
        assert case.message in results["check"]["stderr"], results["check"]["stderr"]
        return
    assert results["check"]["exit"] == (1 if case.has_errors else 0), results["check"]["stdout"]
    for name in ("export", "stats", "stats json", "brief", "actions"):
        assert results[name]["exit"] == 0, (name, results[name])
    json.loads(results["export"]["stdout"])
    if case.finding is not None:
        code, path, line = case.finding
        findings = json.loads(results["check json"]["stdout"])
        matching = [
            item
            for item in findings
            if item["code"] == code and item["path"] == path and (line is None or item["line"] == line)
        ]
        assert matching, f"no {case.finding} in {findings}"
        assert any(case.message in item["message"] for item in matching), matching
        if case.has_errors and code in ("PMKB001", "PMKB002", "PMKB003"):
            # The broken document is left out of the export, and stderr says so.
            assert "left out" in results["export"]["stderr"]


# Builds ----------------------------------------------------------------------------------

# Every file that once hung the build or ate memory, in one knowledge base.
HUNG_BUILD_CASES = ["FIFO", "link to /dev/zero", "alias bomb as status", "started in 9999", "file over the size limit"]


def _build(config_file: Path, site_dir: Path | None) -> subprocess.CompletedProcess[str]:
    arguments = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config_file)]
    if site_dir is not None:
        arguments += ["-d", str(site_dir)]
    return _run_limited(arguments, BUILD_TIMEOUT, config_file.parent)


def test_build_with_every_once_hanging_file_fails_in_bounded_time(tmp_path: Path):
    root = tmp_path / "kb"
    files: dict[str, str | bytes] = {}
    for name in HUNG_BUILD_CASES:
        case = CASES_BY_NAME[name]
        files.update({path.replace("bad.md", f"bad-{len(files)}.md"): text for path, text in case.files.items()})
    config_file = write_kb(root, {**CASES_BY_NAME["FIFO"].all_files(), **files})
    for name in HUNG_BUILD_CASES:
        setup = CASES_BY_NAME[name].setup
        if setup is not None:
            _skip_if_unsupported(CASES_BY_NAME[name])
            setup(root)
    before = tree_digest(root)
    completed = _build(config_file, tmp_path / "site")
    assert tree_digest(root) == before
    assert completed.returncode == 1, completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr
    for code in ("PMKB001", "PMKB002", "PMKB003"):
        assert code in completed.stderr
    assert_plain(completed.stderr)


def test_build_refuses_site_dir_over_the_sources_and_deletes_nothing(tmp_path: Path):
    case = CASES_BY_NAME["site_dir is postmortems_dir"]
    config_file = write_case(tmp_path / "kb", case)
    before = tree_digest(tmp_path / "kb")
    completed = _build(config_file, None)
    assert tree_digest(tmp_path / "kb") == before
    assert completed.returncode == 1
    assert "site_dir" in completed.stderr and "Traceback" not in completed.stderr


def test_build_publishes_long_and_hostile_values_with_a_plain_log(tmp_path: Path):
    files = {**CASES_BY_NAME["injection"].all_files(), **CASES_BY_NAME["long id, tag and service"].files}
    config_file = write_kb(tmp_path / "kb", files, MKDOCS_YML)
    before = tree_digest(tmp_path / "kb")
    completed = _build(config_file, tmp_path / "site")
    assert tree_digest(tmp_path / "kb") == before
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert_plain(completed.stderr)
    assert "Traceback" not in completed.stderr
    pages = [path for path in (tmp_path / "site" / "postmortems").iterdir() if path.name.startswith("a-very-long")]
    assert len(pages) == 1 and (pages[0] / "index.html").exists()
