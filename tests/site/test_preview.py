"""The preview: under `mkdocs serve`, knowledge-base findings are shown on the site, never fatal.

These build in-process the way `mkdocs serve` does (`on_startup(command="serve")`, then
a build with a serve URL); test_serve.py runs the real server.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, MKDOCS_YML, logged, write_kb
from mkdocs.commands.build import build
from mkdocs.config import load_config

PM_ID = "2024-03-05-checkout"
PM = f"postmortems/2024/{PM_ID}.md"
RB = "runbooks/db-pool.md"
# An error whose message repeats text from the file: it must arrive escaped.
HOSTILE = GOOD_POSTMORTEM.replace("severity: SEV-2", 'severity: "<script>alert(1)</script>"')
DANGLING = GOOD_POSTMORTEM.replace("## Impact\n", "## Impact\n\nSee [the runbook][db-pol].\n")
INVALID = (
    "---\ntitle: Half <em>written</em>\nseverity: SEV-2\n---\n\n## Summary\n\nFollow [the runbook][db-pool] first.\n"
)
DUPLICATE = GOOD_POSTMORTEM.replace("title: Checkout errors", f"id: {PM_ID}\ntitle: Duplicate of checkout errors")


def serve_build(
    root: Path,
    files: dict[str, str | bytes],
    yml: str = MKDOCS_YML,
    **overrides: object,
) -> tuple[Path, list[logging.LogRecord]]:
    """Build as `mkdocs serve` does; return the site folder and the log records."""
    with logged("mkdocs", logging.DEBUG) as records:
        config = load_config(
            config_file=str(write_kb(root / "kb", files, yml)),
            site_dir=str(root / "site"),
            **overrides,
        )
        config.plugins.on_startup(command="serve", dirty=False)
        try:
            build(config, serve_url="http://127.0.0.1:8000/")
        finally:
            config.plugins.on_shutdown()
    return root / "site", records


def article(site: Path, url: str) -> str:
    html = (site / url / "index.html").read_text(encoding="utf-8")
    match = re.search(
        r'<article class="md-content__inner md-typeset">(.*?)</article>',
        html,
        re.DOTALL,
    )
    assert match is not None
    return match.group(1)


def banner(content: str) -> str:
    match = re.search(
        r'<div class="admonition [a-z]+ pmkb-problems-banner" role="alert">(.*?)</div>',
        content,
        re.DOTALL,
    )
    return match.group(1) if match else ""


@pytest.fixture(scope="module")
def broken(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, list[logging.LogRecord]]:
    files: dict[str, str | bytes] = {
        PM: DANGLING,
        "postmortems/hostile.md": HOSTILE,
        "postmortems/half-written.md": INVALID,
        "postmortems/2025/duplicate.md": DUPLICATE,
        "postmortems/Not An Id.md": "no front matter at all\n",
        RB: GOOD_RUNBOOK,
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PMKB_TODAY", "2026-11-23")
        return serve_build(tmp_path_factory.mktemp("preview"), files)


def test_errors_do_not_stop_the_build_and_are_listed_in_the_terminal(broken):
    site, records = broken
    assert (site / "index.html").is_file()
    (listing,) = [r.getMessage() for r in records if r.levelno == logging.ERROR]
    assert f"{PM}:" in listing and "error PMKB016" in listing
    assert "postmortems/half-written.md:" in listing and "PMKB003" in listing


def test_a_page_shows_its_findings_in_a_banner(broken):
    site, _ = broken
    content = article(site, f"postmortems/{PM_ID}")
    shown = banner(content)
    line = DANGLING.split("[db-pol]")[0].count("\n") + 1
    assert content.index("pmkb-problems-banner") < content.index("<h1>")
    assert "pmkb-level-error" in shown and "<code>PMKB016</code>" in shown and f"line {line}</span>" in shown
    assert "db-pol" in shown and f'href="../../problems/#problems-postmortems-2024-{PM_ID}-md"' in shown


def test_banner_text_is_escaped(broken):
    site, _ = broken
    shown = banner(article(site, "postmortems/hostile"))
    assert "<script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown


def test_pages_without_findings_have_no_banner(broken):
    site, _ = broken
    assert banner(article(site, "runbooks/db-pool")) == ""


def test_an_invalid_document_still_has_a_page_with_its_body(broken):
    site, _ = broken
    content = article(site, "postmortems/half-written")
    assert "PMKB003" in banner(content)
    assert "<h1>Half &lt;em&gt;written&lt;/em&gt;</h1>" in content
    # Its body is rendered, id links included; the lists leave it out.
    assert '<a href="../../runbooks/db-pool/">the runbook</a>' in content
    assert "half-written" not in article(site, "postmortems")


def test_problems_page_lists_every_file_with_a_link_or_why_it_has_none(broken):
    site, _ = broken
    content = article(site, "problems")
    for path in (
        PM,
        "postmortems/hostile.md",
        "postmortems/half-written.md",
        "postmortems/2025/duplicate.md",
    ):
        assert f"<code>{path}</code>" in content
    assert f'<a href="../postmortems/{PM_ID}/">Open its page</a>' in content
    assert '<a href="../postmortems/half-written/">Open its page</a>' in content
    assert f"No page: {PM} has the same id (&#39;{PM_ID}&#39;) and the page." in content
    assert "No page: &#39;Not An Id&#39; is not a valid id" in content
    assert "&lt;script&gt;" in content and "<script>alert" not in content


def test_dashboard_sums_up_and_nav_has_the_problems_page(broken):
    site, _ = broken
    shown = banner(article(site, ""))
    assert "The knowledge base has" in shown and 'href="problems/"' in shown
    assert 'href="problems/"' in (site / "index.html").read_text(encoding="utf-8").split("<article", 1)[0]


def test_clean_knowledge_base_has_an_empty_problems_page_and_no_banners(tmp_path, monkeypatch):
    monkeypatch.setenv("PMKB_TODAY", "2026-11-23")
    site, records = serve_build(tmp_path, {PM: GOOD_POSTMORTEM, RB: GOOD_RUNBOOK})
    assert "No problems" in article(site, "problems")
    assert "pmkb-problems-banner" not in (site / "index.html").read_text(encoding="utf-8")
    assert "pmkb-problems-banner" not in article(site, f"postmortems/{PM_ID}")
    assert not [r for r in records if r.levelno >= logging.WARNING]


def test_serve_strict_lists_errors_without_stopping(tmp_path, monkeypatch):
    monkeypatch.setenv("PMKB_TODAY", "2026-11-23")
    site, records = serve_build(tmp_path, {PM: DANGLING, RB: GOOD_RUNBOOK}, strict=True)
    assert "PMKB016" in banner(article(site, f"postmortems/{PM_ID}"))
    assert any("PMKB016" in r.getMessage() for r in records if r.levelno == logging.INFO)


def test_a_plain_build_has_no_problems_page(example_site):
    assert not example_site.page_path("problems/").exists()
    assert "pmkb-problems-banner" not in example_site.html("")


def test_a_preview_build_collects_no_garbage_until_a_moment_after_it_is_done(tmp_path, monkeypatch):
    import gc
    import time

    from mkdocs.exceptions import Abort, PluginError

    seen: list[bool] = []
    failing: list[bool] = []

    def page_context(self, context, **_):
        seen.append(gc.isenabled())
        if failing:
            raise PluginError("a page failed")
        return context

    monkeypatch.setattr("pmkb.site.plugin.PmkbPlugin.on_page_context", page_context)
    monkeypatch.setattr("pmkb.site.collector.RESUME_DELAY_SECONDS", 0.3)
    files = {PM: GOOD_POSTMORTEM, RB: GOOD_RUNBOOK}
    assert gc.isenabled()
    config = load_config(config_file=str(write_kb(tmp_path / "serve", files, MKDOCS_YML)), site_dir=str(tmp_path / "s"))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config, serve_url="http://127.0.0.1:8000/")
        assert seen and not any(seen), "no collection pass while pages are built"
        assert gc.isenabled(), "the first build's pass runs at once: nothing is served yet"
        seen.clear()
        build(config, serve_url="http://127.0.0.1:8000/")
        assert seen and not any(seen), "no collection pass while a rebuild's pages are built"
        assert not gc.isenabled(), "nor right after: MkDocs has yet to show the rebuilt site"
        deadline = time.monotonic() + 10
        while not gc.isenabled() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert gc.isenabled(), "the collector runs again a moment after the build"
    finally:
        config.plugins.on_shutdown()
    serve_build(tmp_path / "shutdown", files)
    assert gc.isenabled(), "and at once when the server stops"
    failing.append(True)
    config = load_config(
        config_file=str(write_kb(tmp_path / "failing", files, MKDOCS_YML)), site_dir=str(tmp_path / "x")
    )
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        with pytest.raises(Abort):
            build(config, serve_url="http://127.0.0.1:8000/")
        assert gc.isenabled(), "and at once after a build that failed"
    finally:
        config.plugins.on_shutdown()
    failing.clear()
    seen.clear()
    config = load_config(
        config_file=str(write_kb(tmp_path / "plain", files, MKDOCS_YML)), site_dir=str(tmp_path / "site")
    )
    build(config)
    assert seen and all(seen), "mkdocs build leaves the collector alone"
