"""The MkDocs plugin `pmkb`: a thin shell over the same core as the CLI."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from mkdocs.config.base import LegacyConfig
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger

from pmkb.config import ConfigError, KBConfig
from pmkb.index import KnowledgeBase

log = get_plugin_logger("pmkb")


def today_from_environment() -> date:
    text = os.environ.get("PMKB_TODAY")
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PluginError(f"PMKB_TODAY must be a date YYYY-MM-DD, not {text!r}") from None


class PmkbPlugin(BasePlugin):
    """Validates the knowledge base on every build and fails the build on errors."""

    kb_config: KBConfig
    kb: KnowledgeBase | None = None

    def load_config(self, options: dict[str, Any], config_file_path: str | None = None) -> tuple[list, list]:
        # One options model for the plugin and the CLI, so both accept exactly the same keys.
        self.config = LegacyConfig((), config_file_path=config_file_path)
        root = Path(config_file_path).parent.resolve() if config_file_path else Path.cwd()
        try:
            self.kb_config = KBConfig.from_options(options, root, source=Path(config_file_path or "mkdocs.yml").name)
        except ConfigError as exc:
            return [("", str(exc))], []
        return [], []

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.kb = self.load_knowledge_base()
        return config

    def load_knowledge_base(self) -> KnowledgeBase:
        kb = KnowledgeBase.load(self.kb_config, today_from_environment())
        errors = [item for item in kb.findings if item.level == "error"]
        for item in kb.findings:
            if item.level == "warning":
                # Knowledge-base warnings are advice; only an opted-in setting makes --strict fail on them.
                (log.warning if self.kb_config.strict_warnings else log.info)(item.as_text())
        if errors:
            listing = "\n".join(item.as_text() for item in errors)
            raise PluginError(f"the knowledge base has {len(errors)} error{'s' * (len(errors) != 1)}:\n{listing}")
        return kb
