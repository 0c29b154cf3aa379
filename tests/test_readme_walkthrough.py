"""The README's "Your own knowledge base" commands, run as written in an empty folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def readme_blocks(section: str) -> list[str]:
    text = (REPO / "README.md").read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", body, re.S)


def test_install_block_says_pmkb_is_not_on_an_index_and_installs_from_a_clone() -> None:
    install = readme_blocks("Your own knowledge base")[0]
    assert "pip install ./pmkb" in install
    assert not re.search(r"pip install pmkb\b(?!\S)", install)
    text = (REPO / "README.md").read_text()
    assert "not on a package index yet" in text


def test_walkthrough_runs_as_written(tmp_path: Path) -> None:
    walkthrough = readme_blocks("Your own knowledge base")[1]
    commands = [line for line in walkthrough.splitlines() if line.strip()]
    assert [line.split()[:2] for line in commands[:1]] == [["pmkb", "init"]]
    assert any(line.startswith("pmkb new postmortem --from") for line in commands)
    assert "pmkb check" in commands and "mkdocs build --strict" in commands
    assert commands[-1] == "mkdocs serve --livereload"
    # The README's layout: the clone of pmkb next to the new knowledge base. `mkdocs serve`
    # never returns, so the script stops before it.
    (tmp_path / "pmkb").symlink_to(REPO, target_is_directory=True)
    script = "set -euo pipefail\n" + "\n".join(commands[:-1]) + "\n"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PMKB_TODAY", None)
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    kb = tmp_path / "my-postmortems"
    drafts = sorted(path.name for path in (kb / "postmortems").rglob("*.md"))
    assert len(drafts) == 2, drafts
    assert (kb / "site" / "index.html").is_file()
    assert "All checks passed" in done.stdout or "no errors" in done.stdout
