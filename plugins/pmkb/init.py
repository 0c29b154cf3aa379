"""`pmkb init [DIR]`: a knowledge base that checks, builds and publishes from the first commit.

Writes mkdocs.yml, the document folders, docs/, a pre-commit config, a GitHub Actions
workflow and the requirements CI installs, from the templates in `scaffolds/init/`.
It never overwrites: a file that exists is left as it is and reported as skipped.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import jinja2

# Material's recommended separator: splits on punctuation and before camelCase humps, so
# "OrderDbConnectionsSaturated" and "order-db" are found by their parts.
SEARCH_SEPARATOR = r'[\s\-,:!=\[\]()"`/]+|\.(?!\d)|&[lg]t;|(?!\b)(?=[A-Z][a-z])'

# The pre-commit hook, the same whether run locally (`repo: local`, what init writes) or
# from this repository (.pre-commit-hooks.yaml, where pre-commit installs pmkb itself).
PMKB_CHECK_HOOK: dict[str, Any] = {
    "id": "pmkb-check",
    "name": "pmkb check",
    "entry": "pmkb check",
    "files": r"\.md$",
    "pass_filenames": True,
    "require_serial": True,
}

DEFAULT_BRANCH = "main"
WORKFLOW_PATH = ".github/workflows/pmkb.yml"
PLACEHOLDER_REQUIREMENT = "pmkb @ git+https://github.com/<your-org>/pmkb@<commit-sha>"

# Relative path -> template under scaffolds/init/ (None: an empty file that keeps a folder in git).
FILES: dict[str, str | None] = {
    "mkdocs.yml": "mkdocs.yml.j2",
    "postmortems/.gitkeep": None,
    "runbooks/.gitkeep": None,
    "docs/.gitkeep": None,
    ".pre-commit-config.yaml": "pre-commit-config.yaml.j2",
    WORKFLOW_PATH: "github-workflow.yml.j2",
    "requirements.txt": "requirements.txt.j2",
    ".gitignore": "gitignore.j2",
}


@dataclass(frozen=True)
class Requirement:
    """The line CI installs pmkb with, and whether CI can actually reach it."""

    line: str
    notes: list[str]
    reachable: bool


@dataclass
class InitReport:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def _https_remote(remote: str) -> str | None:
    """A URL pip can clone in CI: https as is, GitHub-style ssh (git@host:org/repo) rewritten."""
    if remote.startswith("https://"):
        return remote
    if remote.startswith("git@") and ":" in remote:
        host, path = remote[len("git@") :].split(":", 1)
        return f"https://{host}/{path}"
    return None


def pmkb_requirement() -> Requirement:
    """How the running pmkb was installed, as a line for requirements.txt (PEP 610 direct_url.json).

    pmkb is not on a package index yet, so CI must install it from where it lives: the git
    URL and commit it was installed from, or the remote and commit of the local clone.
    """
    try:
        distribution = metadata.distribution("pmkb")
        direct = json.loads(distribution.read_text("direct_url.json") or "null")
        version = distribution.version
    except (metadata.PackageNotFoundError, ValueError):
        direct, version = None, ""
    if direct is None:
        return Requirement(f"pmkb=={version}", [], True) if version else _placeholder("an unknown place")
    url = str(direct.get("url", ""))
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        commit = vcs.get("commit_id") or vcs.get("requested_revision")
        return Requirement(
            f"pmkb @ git+{url}" + (f"@{commit}" if commit else ""),
            ["pmkb is not on a package index yet: this installs the commit `pmkb init` ran from."],
            True,
        )
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https"):
        return Requirement(f"pmkb @ {url}", [], True)
    if parsed.scheme == "file" and "dir_info" in direct:
        folder = Path(unquote(parsed.path))
        remote = _git(folder, "remote", "get-url", "origin")
        commit = _git(folder, "rev-parse", "HEAD")
        https = _https_remote(remote) if remote else None
        if https and commit:
            return Requirement(
                f"pmkb @ git+{https}@{commit}",
                [
                    "pmkb is not on a package index yet: this installs the commit of the clone",
                    f"`pmkb init` ran from ({folder}); push that commit, or pin another one.",
                ],
                True,
            )
        return _placeholder(f"the local folder {folder}")
    return _placeholder(url or "an unknown place")


def _placeholder(source: str) -> Requirement:
    return Requirement(
        PLACEHOLDER_REQUIREMENT,
        [
            "pmkb is not on a package index yet, and the pmkb that wrote this file came from",
            f"  {source}",
            "which CI cannot reach. Replace the next line with the git repository that hosts",
            "pmkb, pinned to a commit (the full 40-character sha), e.g.",
            "  pmkb @ git+https://github.com/acme/pmkb@0123456789abcdef0123456789abcdef01234567",
        ],
        False,
    )


def _yaml_single_quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _environment() -> jinja2.Environment:
    # YAML and text, not HTML: values are quoted by the filters instead of escaped.
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("pmkb", "scaffolds/init"),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["yaml"] = lambda value: json.dumps(value, ensure_ascii=False)
    environment.filters["yaml_single"] = _yaml_single_quoted
    return environment


def render_files(
    site_name: str, branch: str = DEFAULT_BRANCH, requirement: Requirement | None = None
) -> dict[str, str]:
    """Every file `pmkb init` writes, by path relative to the knowledge base."""
    chosen = requirement or pmkb_requirement()
    context = {
        "site_name": site_name,
        "branch": branch,
        "search_separator": SEARCH_SEPARATOR,
        "hook": PMKB_CHECK_HOOK,
        "requirement": chosen.line,
        "requirement_notes": chosen.notes,
    }
    environment = _environment()
    return {
        path: environment.get_template(template).render(**context) if template else ""
        for path, template in FILES.items()
    }


def init_knowledge_base(target: Path, files: dict[str, str]) -> InitReport:
    report = InitReport()
    for relative, content in files.items():
        path = target / relative
        folder = path.parent
        if path.name == ".gitkeep" and folder.is_dir() and any(folder.iterdir()):
            report.skipped.append(relative)  # the folder is already in use: nothing to keep
            continue
        folder.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(content)
        except FileExistsError:
            report.skipped.append(relative)
        else:
            report.written.append(relative)
    return report


def _next_steps(target: Path, requirement: Requirement) -> list[str]:
    here = Path.cwd().resolve()
    steps = [] if target.resolve() == here else [f"cd {target}"]
    steps += [
        'pmkb new postmortem "Checkout errors after pool change" --severity SEV-2 --service checkout-api',
        "pmkb new postmortem --from incident.json   # a draft from PagerDuty, Alertmanager or generic JSON",
        "pmkb check",
        "mkdocs serve --livereload      # preview at http://127.0.0.1:8000/",
        "mkdocs build --strict",
    ]
    if not requirement.reachable:
        steps.append("edit requirements.txt: the pmkb line CI installs (see the comment in it)")
    steps.append(
        f'commit and push; in GitHub\'s Settings > Pages, set Source to "GitHub Actions" ({WORKFLOW_PATH} deploys)'
    )
    return steps
