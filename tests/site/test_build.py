"""The build as a whole: failing on knowledge-base errors, navigation, user pages, overrides, search."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, MKDOCS_YML, TODAY, postmortem, write_kb

A = "2024-03-05-checkout"
GOOD = {f"postmortems/{A}.md": GOOD_POSTMORTEM, "runbooks/db-pool.md": GOOD_RUNBOOK}
SECTION_LABELS = ["Postmortems", "Runbooks", "Services", "Severity", "Tags", "Timeline", "Action items", "Alerts"]


def nav_labels(html: str) -> list[str]:
    """Top-level labels of Material's primary navigation, in order."""
    nav = html[html.index('<nav class="md-nav md-nav--primary"') : html.index("md-sidebar--secondary")]
    return [
        label.strip()
        for label in re.findall(
            r'md-nav__item[^"]*">\s*<a href="[^"]*" class="md-nav__link[^"]*">\s*<span class="md-ellipsis">\s*([^<]+?)\s*</span>',
            nav,
        )
    ]


# Errors and warnings -----------------------------------------------------------------


def test_every_error_fails_the_build_with_path_line_and_code(tmp_path):
    broken = postmortem(
        """
        title: Broken
        severity: SEV-9
        started_at: 2024-03-05
        services: [checkout-api]
        runbooks: [nope]
        """
    )
    config = write_kb(
        tmp_path / "kb", {**GOOD, "postmortems/2024/broken.md": broken, "runbooks/bad.md": "no front matter\n"}
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PMKB_TODAY": TODAY.isoformat()}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for expected in (
        "postmortems/2024/broken.md:1: error PMKB003",  # resolved_at missing
        "postmortems/2024/broken.md:3: error PMKB003",  # severity
        "postmortems/2024/broken.md:4: error PMKB003",  # a date is not a timestamp
        "postmortems/2024/broken.md:6: error PMKB008",  # unknown runbook
        "runbooks/bad.md:1: error PMKB002",
    ):
        assert expected in output, expected
    assert "the knowledge base has 5 errors" in output
    assert not (tmp_path / "site" / "index.html").exists()


def test_knowledge_base_warnings_do_not_fail_strict(build_kb):
    overdue = GOOD_POSTMORTEM.replace("due: 2027-01-10", "due: 2025-01-10")
    site = build_kb({**GOOD, f"postmortems/{A}.md": overdue})
    assert site.warnings() == []
    assert any("PMKB010" in record.getMessage() for record in site.records)


def test_strict_warnings_option_makes_them_fail(build_kb, build_failed):
    overdue = GOOD_POSTMORTEM.replace("due: 2027-01-10", "due: 2025-01-10")
    yml = MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      strict_warnings: true\n")
    with pytest.raises(build_failed) as failure:
        build_kb({**GOOD, f"postmortems/{A}.md": overdue}, yml)
    assert any("PMKB010" in message for message in [r.getMessage() for r in failure.value.records if r.levelno >= 30])


def test_unknown_option_is_a_configuration_error(build_kb, build_failed):
    with pytest.raises(build_failed) as failure:
        build_kb(GOOD, MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      similar_limt: 3\n"))
    assert any("did you mean 'similar_limit'" in record.getMessage() for record in failure.value.records)


def test_empty_knowledge_base_builds(build_kb, check_links):
    site = build_kb({})
    assert site.warnings() == []
    assert check_links(site) == []
    assert "No postmortems yet." in site.page("").content


# Navigation and user pages --------------------------------------------------------------


def test_generated_nav_without_user_nav(build_kb):
    site = build_kb({**GOOD, "docs/about.md": "# About\n\nHow we write postmortems.\n"})
    assert nav_labels(site.html(f"postmortems/{A}/")) == ["Dashboard", *SECTION_LABELS, "About"]
    assert site.warnings() == []


def test_user_index_replaces_dashboard_which_moves(build_kb, check_links):
    site = build_kb({**GOOD, "docs/index.md": "# Welcome\n\nOur own landing page.\n"})
    assert "Our own landing page." in site.html("")
    assert "Recent incidents" in site.page("dashboard/").content
    assert nav_labels(site.html(f"postmortems/{A}/")) == ["Welcome", "Dashboard", *SECTION_LABELS]
    assert check_links(site) == []


def test_user_nav_keeps_its_order_and_gets_the_sections(build_kb):
    yml = MKDOCS_YML + "nav:\n  - Guide: guide.md\n  - Upstream: https://example.org/\n"
    site = build_kb({**GOOD, "docs/guide.md": "# Guide\n\nText.\n"}, yml)
    assert site.warnings() == []
    labels = nav_labels(site.html(f"postmortems/{A}/"))
    assert labels[0] == "Guide" and labels[-len(SECTION_LABELS) :] == SECTION_LABELS
    assert "Dashboard" in labels


def test_nav_option_off_leaves_the_user_nav_alone(build_kb):
    yml = MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      nav: false\n") + "nav:\n  - Guide: guide.md\n"
    site = build_kb({**GOOD, "docs/guide.md": "# Guide\n\nText.\n"}, yml)
    assert site.warnings() == []
    assert nav_labels(site.html(f"postmortems/{A}/")) == ["Guide"]
    assert site.page_path(f"postmortems/{A}/").is_file()


def test_hand_written_pages_link_to_generated_ones(build_kb, check_links):
    page = f"# Start here\n\nRead [the checkout incident](postmortems/{A}.md) and [all postmortems](postmortems/index.md).\n"
    site = build_kb({**GOOD, "docs/start.md": page})
    assert site.warnings() == []
    assert f'href="../postmortems/{A}/"' in site.html("start/")
    assert check_links(site) == []


# Templates ------------------------------------------------------------------------------


def test_templates_can_be_overridden_from_the_custom_dir(build_kb):
    yml = MKDOCS_YML.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    override = '{% extends "pmkb/postmortem.html" %}{% block footer %}<p class="ours">Owned by {{ pm.services | join(", ") }}</p>{% endblock %}'
    site = build_kb({**GOOD, "overrides/pmkb/postmortem.html": override}, yml)
    content = site.page(f"postmortems/{A}/").content
    assert '<p class="ours">Owned by checkout-api</p>' in content
    assert "pmkb-header" in content and "pmkb-action-items" not in content


# Search ---------------------------------------------------------------------------------


def test_search_index_favours_documents(build_kb):
    site = build_kb(GOOD)
    docs = site.search_docs()
    first = {doc["location"]: doc for doc in docs if "#" not in doc["location"]}
    postmortem_entry = first[f"postmortems/{A}/"]
    assert {"SEV-2", "checkout-api", "database"} <= set(postmortem_entry["tags"])
    assert A in postmortem_entry["text"]
    assert "DbPoolSaturated" in first["runbooks/db-pool/"]["tags"]
    # Generated lists are navigation: none of them is in the index, per-value pages included.
    locations = {doc["location"].split("#")[0] for doc in docs}
    assert locations == {f"postmortems/{A}/", "runbooks/db-pool/"}
    generated = {"", "postmortems/", "runbooks/", "actions/", "alerts/", "timeline/", "tags/", "services/", "severity/"}
    generated |= {"services/checkout-api/", "tags/database/", "severity/sev-2/"}
    assert not generated & locations


def test_a_users_page_at_a_generated_address_wins(build_kb, check_links):
    site = build_kb({**GOOD, "docs/postmortems/index.md": "# Our incident list\n\nCurated by hand.\n"})
    assert site.warnings() == []
    assert "Curated by hand." in site.html("postmortems/")
    assert 'href="postmortems/"' in site.page("").content  # the dashboard links to the user's page
    assert check_links(site) == []


# Serving --------------------------------------------------------------------------------


class _RecordingServer:
    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path: str) -> None:
        self.watched.append(path)


def test_serve_watches_the_knowledge_base_folders(tmp_path, monkeypatch):
    from mkdocs.config import load_config

    monkeypatch.setenv("PMKB_TODAY", TODAY.isoformat())
    yml = MKDOCS_YML.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    config_file = write_kb(tmp_path, {**GOOD, "overrides/pmkb/.keep": ""}, yml)
    config = load_config(config_file=str(config_file))
    config = config.plugins.on_config(config)
    server = _RecordingServer()
    config.plugins["pmkb"].on_serve(server, config=config, builder=lambda: None)
    assert sorted(os.path.relpath(path, tmp_path) for path in server.watched) == [
        os.path.join("overrides", "pmkb"),
        "postmortems",
        "runbooks",
    ]


def test_a_failed_page_leaves_no_document_for_the_link_rewriter(tmp_path, monkeypatch):
    # Links of a body are rewritten only while that body converts; a template error on its
    # page must not leave the next Markdown rendered as if it were that document.
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import get_files
    from mkdocs.structure.pages import Page

    monkeypatch.setenv("PMKB_TODAY", TODAY.isoformat())
    yml = MKDOCS_YML.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    config_file = write_kb(tmp_path, {**GOOD, "overrides/pmkb/postmortem.html": "{{ no_such_name }}"}, yml)
    config = load_config(config_file=str(config_file))
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    plugin = config.plugins["pmkb"]
    file = files.get_file_from_path(f"postmortems/{A}.md")
    page = Page(None, file, config)
    plugin.on_page_markdown(file.content_string, page=page, config=config, files=files)
    assert plugin.rendering.current == (file, (tmp_path / "postmortems" / f"{A}.md").resolve())
    with pytest.raises(PluginError, match="postmortem.html"):
        config.plugins.on_page_content("<p>body</p>", page=page, config=config, files=files)
    assert plugin.rendering.current is None


def test_a_users_page_with_the_same_url_wins_too(build_kb, check_links):
    # docs/tags.md is published at tags/, where the generated tags/index.md would go.
    site = build_kb({**GOOD, "docs/tags.md": "# Our tags\n\nCurated.\n"})
    assert site.warnings() == []
    assert "Curated." in site.html("tags/")
    assert check_links(site) == []


def test_a_broken_override_names_the_template(build_kb, build_failed):
    yml = MKDOCS_YML.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    with pytest.raises(build_failed) as failure:
        build_kb({**GOOD, "overrides/pmkb/runbook.html": "{{ rb.no_such_field }}"}, yml)
    errors = [record.getMessage() for record in failure.value.records if record.levelname == "ERROR"]
    assert any("pmkb template 'runbook.html' for runbooks/db-pool.md" in message for message in errors)
