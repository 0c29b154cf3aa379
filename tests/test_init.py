"""`pmkb init`: a knowledge base that checks and builds right away; never overwrites."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pmkb import init as init_module
from pmkb.cli import main
from pmkb.config import read_mkdocs_yml
from pmkb.init import FILES, PMKB_CHECK_HOOK, SEARCH_SEPARATOR, WORKFLOW_PATH, Requirement, render_files

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def command(name: str) -> str:
    # The console scripts of the interpreter running the tests, as a user's shell finds them.
    found = BIN / name
    return str(found) if found.exists() else name


def run_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        [command(args[0]), *args[1:]], cwd=folder, capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture(scope="module")
def fresh_kb(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("init")
    result = run_in(folder, "pmkb", "init", "kb", "--site-name", "Acme Postmortems")
    return folder / "kb", result


def test_init_writes_every_file_and_says_what_to_do_next(fresh_kb: tuple[Path, Any]) -> None:
    kb, result = fresh_kb
    assert result.returncode == 0, result.stderr
    for relative in FILES:
        assert (kb / relative).is_file(), relative
        assert f"wrote    {relative}" in result.stdout
    assert "Next steps:" in result.stdout and "cd kb" in result.stdout
    assert "pmkb check" in result.stdout and "mkdocs build --strict" in result.stdout
    assert not (kb / "docs" / "index.md").exists()  # pmkb generates the dashboard at /


def test_check_and_strict_build_pass_right_after_init(fresh_kb: tuple[Path, Any]) -> None:
    kb, _ = fresh_kb
    check = run_in(kb, "pmkb", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no errors, no warnings" in check.stdout
    assert "does not exist" not in check.stderr
    build = run_in(kb, "mkdocs", "build", "--strict")
    assert build.returncode == 0, build.stderr
    assert "WARNING" not in build.stderr
    assert "Acme Postmortems" in (kb / "site" / "index.html").read_text()
    assert (kb / "site" / "postmortems" / "index.html").is_file()


def test_generated_config_enables_the_extensions_postmortems_use(fresh_kb: tuple[Path, Any], tmp_path: Path) -> None:
    kb, _ = fresh_kb
    config = read_mkdocs_yml(kb / "mkdocs.yml")
    assert config["theme"]["name"] == "material"
    plugins = config["plugins"]
    assert plugins[0]["search"]["separator"] == SEARCH_SEPARATOR
    assert "pmkb" in plugins[1]
    names = [next(iter(item)) if isinstance(item, dict) else item for item in config["markdown_extensions"]]
    for extension in (
        "tables",
        "admonition",
        "attr_list",
        "md_in_html",
        "toc",
        "pymdownx.details",
        "pymdownx.highlight",
        "pymdownx.superfences",
    ):
        assert extension in names, extension
    # A page using them renders them: Mermaid fence, admonition, details, a table.
    page = kb / "docs" / "architecture.md"
    page.write_text(
        '# Architecture\n\n!!! note\n    Checkout calls payments.\n\n??? info "More"\n    Hidden.\n\n'
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```mermaid\ngraph LR\n  checkout --> payments\n```\n"
    )
    try:
        build = run_in(kb, "mkdocs", "build", "--strict", "-d", str(tmp_path / "site"))
        assert build.returncode == 0, build.stderr
        html = (tmp_path / "site" / "architecture" / "index.html").read_text()
    finally:
        page.unlink()
    assert '<pre class="mermaid"><code>graph LR' in html
    assert 'class="admonition note"' in html and "<details" in html and "<table>" in html


def test_a_second_init_skips_everything_and_changes_nothing(fresh_kb: tuple[Path, Any]) -> None:
    kb, _ = fresh_kb
    (kb / "mkdocs.yml").write_text((kb / "mkdocs.yml").read_text() + "# mine\n")
    before = {relative: (kb / relative).read_bytes() for relative in FILES}
    again = run_in(kb.parent, "pmkb", "init", "kb")
    assert again.returncode == 0, again.stderr
    for relative in FILES:
        assert f"skipped  {relative}" in again.stdout
    assert "wrote" not in again.stdout
    assert {relative: (kb / relative).read_bytes() for relative in FILES} == before


def test_init_fills_in_around_existing_files(tmp_path: Path) -> None:
    (tmp_path / "postmortems").mkdir()
    (tmp_path / "postmortems" / "old.md").write_text("kept")
    (tmp_path / "mkdocs.yml").write_text("site_name: Mine\n")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "skipped  mkdocs.yml" in result.stdout and "skipped  postmortems/.gitkeep" in result.stdout
    assert "does not mention pmkb" in result.stderr
    assert (tmp_path / "mkdocs.yml").read_text() == "site_name: Mine\n"
    assert not (tmp_path / "postmortems" / ".gitkeep").exists()
    assert (tmp_path / "runbooks" / ".gitkeep").exists() and (tmp_path / WORKFLOW_PATH).exists()


def test_init_refuses_a_file_as_folder(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 2
    assert "is not a folder" in result.output or "is a file" in result.output


# The workflow, pre-commit and requirements ------------------------------------------------


def _workflow(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_workflow_checks_pull_requests_and_deploys_the_default_branch_daily() -> None:
    workflow = _workflow(render_files("Postmortems", branch="trunk")[WORKFLOW_PATH])
    triggers = workflow["on"]
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["trunk"]
    assert re.fullmatch(r"\d+ \d+ \* \* \*", triggers["schedule"][0]["cron"])  # daily
    build = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run") for step in build]
    assert "pip install -r requirements.txt" in runs
    assert "pmkb check --format github" in runs and "mkdocs build --strict" in runs
    uses = {step.get("uses", "").split("@")[0]: step for step in build}
    assert uses["actions/configure-pages"]["if"] == "github.event_name != 'pull_request'"
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "site"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["if"] == "github.event_name != 'pull_request'"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_example_workflow_is_the_one_init_writes() -> None:
    assert (REPO / "examples" / "github-workflow.yml").read_text() == render_files("Postmortems")[WORKFLOW_PATH]


def test_pre_commit_hook_is_the_same_locally_and_from_this_repository() -> None:
    config = yaml.safe_load(render_files("Postmortems")[".pre-commit-config.yaml"])
    local = config["repos"][0]
    assert local["repo"] == "local"
    hook = local["hooks"][0]
    assert hook["language"] == "system"
    published = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())[0]
    assert published["language"] == "python"
    for key, value in PMKB_CHECK_HOOK.items():
        assert hook[key] == value and published[key] == value, key


def test_requirements_name_the_source_pmkb_was_installed_from(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    class Distribution:
        version = "0.1.0"

        def __init__(self, direct: dict[str, Any] | None) -> None:
            self.direct = direct

        def read_text(self, name: str) -> str | None:
            return json.dumps(self.direct) if self.direct is not None else None

    def installed(direct: dict[str, Any] | None) -> Requirement:
        monkeypatch.setattr(init_module.metadata, "distribution", lambda name: Distribution(direct))
        return init_module.pmkb_requirement()

    sha = "0123456789abcdef0123456789abcdef01234567"
    from_git = installed({"url": "https://github.com/acme/pmkb", "vcs_info": {"vcs": "git", "commit_id": sha}})
    assert from_git.line == f"pmkb @ git+https://github.com/acme/pmkb@{sha}" and from_git.reachable
    assert installed(None).line == "pmkb==0.1.0"
    local = installed({"url": tmp_path.as_uri(), "dir_info": {"editable": True}})
    assert not local.reachable and str(tmp_path) in "\n".join(local.notes)
    # A local clone with a remote: CI installs the clone's commit from that remote.
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:acme/pmkb.git"], check=True)
    (tmp_path / "f").write_text("x")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", "-C", str(tmp_path), "add", "f"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "commit", "-qm", "c"], check=True, env=env)
    head = subprocess.run(
        ["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    clone = installed({"url": tmp_path.as_uri(), "dir_info": {}})
    assert clone.line == f"pmkb @ git+https://github.com/acme/pmkb.git@{head}" and clone.reachable
    text = render_files("X", requirement=clone)["requirements.txt"]
    assert text.splitlines()[-1] == clone.line and all(line.startswith("#") for line in text.splitlines()[:-1])


def test_package_data_ships_every_scaffold_template() -> None:
    import tomllib

    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["pmkb"]
    package = REPO / "plugins" / "pmkb"
    templates = [path.relative_to(package) for path in (package / "scaffolds").rglob("*") if path.is_file()]
    assert any(path.parts[:2] == ("scaffolds", "init") for path in templates)
    for template in templates:
        # `*` stays within one folder, as in setuptools' globs.
        assert any(len(template.parts) == len(Path(p).parts) and template.match(p) for p in globs), template
