"""View models worked out for a whole build at once agree with their one-page definitions."""

from __future__ import annotations

from pathlib import Path

from kb_helpers import TODAY, benchmark_generator
from pmkb.config import load_config
from pmkb.pipeline import load_knowledge_base
from pmkb.reports import action_rows
from pmkb.site.pages import plan
from pmkb.site.views import Views


def test_each_service_page_shows_the_open_action_items_of_its_own_incidents(tmp_path: Path) -> None:
    _, config_file = benchmark_generator().write_sites(tmp_path, 90)
    config_file.write_text("site_name: pmkb\nplugins:\n  - pmkb:\n      list_page_size: 8\n", encoding="utf-8")
    kb = load_knowledge_base(load_config(config_file), TODAY).kb
    views = Views(kb)
    ranked = [(row.postmortem_id, row.item.title) for row in action_rows(kb) if row.item.is_open]
    pages = [spec for spec in plan(kb, "index.md") if spec.kind == "service"]
    assert any(spec.part > 1 for spec in pages), "the services' lists should be split"
    shown: dict[str, list[tuple[str, str]]] = {}
    for spec in pages:
        page = views.page(spec.kind, spec.subject, spec.part)
        on_page = {row.id for row in page["incidents"]}
        actions = [(row.postmortem.id, row.title) for row in page["open_actions"]]
        # This page's incidents' open items, every one of them, ranked as everywhere else.
        assert actions == [key for key in ranked if key[0] in on_page]
        shown.setdefault(spec.subject, []).extend(actions)
    for service, actions in shown.items():
        of_service = [key for key in ranked if service in kb.postmortems[key[0]].services]
        assert sorted(actions) == sorted(of_service)
        assert views.page("service", service, 1)["open_action_count"] == len(of_service)
