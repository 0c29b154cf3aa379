"""Knowledge-base configuration: the `pmkb` entry of mkdocs.yml's `plugins`.

One model serves the MkDocs plugin and the CLI, so both read the same options with
the same defaults and the same error messages.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from pmkb.patterns import validate_patterns
from pmkb.suggest import closest
from pmkb.times import parse_day

DEFAULT_SEVERITIES = ["SEV-1", "SEV-2", "SEV-3"]
DEFAULT_CATEGORIES = [
    "deploy",
    "config-change",
    "capacity",
    "dependency",
    "infrastructure",
    "database",
    "network",
    "security",
    "data",
    "process",
    "unknown",
]
DEFAULT_REQUIRED_SECTIONS = ["Summary", "Impact", "Timeline", "Root Cause", "Lessons Learned"]
DEFAULT_RECOMMENDED_SECTIONS = [
    "Contributing Factors",
    "What Went Well",
    "What Went Poorly",
    "Detection",
    "Resolution",
]
DEFAULT_SECTION_ALIASES = {
    "Root Cause": ["Root Causes", "Root Cause Analysis"],
    "What Went Poorly": ["What Went Wrong"],
    "Lessons Learned": ["Lessons", "Learnings"],
    "Timeline": ["Timeline (UTC)"],
}
DEFAULT_RUNBOOK_SECTIONS = ["Symptoms", "Diagnosis", "Mitigation", "Escalation"]
DEFAULT_RUNBOOK_SECTION_ALIASES = {"Mitigation": ["Remediation"]}

# Text that stands in for a section not yet written (PMKB015), matched whole, ignoring case
# and surrounding punctuation, or as a prefix before a colon ("TODO: ask the vendor").
DEFAULT_PLACEHOLDERS = [
    "TBD", "TBC", "TODO", "FIXME", "N/A", "NA", "none", "...", "…", "to be written",
    "to be done", "to be determined", "to be confirmed", "coming soon", "fill in", "lorem ipsum",
]

RuleSetting = Literal["error", "warning", "off"]


class ConfigError(Exception):
    """A configuration problem the user must fix; the message names file and line."""


class BlameOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: bool = True
    extra: list[str] = Field(default_factory=list)
    allow: list[str] = Field(default_factory=list)

    _patterns = field_validator("extra", "allow")(validate_patterns)


class SecretsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allow: list[str] = Field(default_factory=list)

    _patterns = field_validator("allow")(validate_patterns)


class HollowOptions(BaseModel):
    """PMKB015 hollow-section: what counts as an unwritten section."""

    model_config = ConfigDict(extra="forbid")

    placeholders: list[str] = Field(default_factory=lambda: list(DEFAULT_PLACEHOLDERS))
    # Fewest words a required section must have: one number for every section, or
    # per section name; 0 (the default) checks no count.
    min_words: int | dict[str, int] = Field(default=0)

    @field_validator("min_words")
    @classmethod
    def _not_negative(cls, value: int | dict[str, int]) -> int | dict[str, int]:
        counts = value.values() if isinstance(value, dict) else [value]
        if any(count < 0 for count in counts):
            raise ValueError("min_words must be 0 or more")
        return value

    def min_words_for(self, section: str) -> int:
        if isinstance(self.min_words, int):
            return self.min_words
        wanted = section.strip().casefold()
        return next((count for name, count in self.min_words.items() if name.strip().casefold() == wanted), 0)


class KBConfig(BaseModel):
    """Every option has a default that serves; see the README for what each does."""

    model_config = ConfigDict(extra="forbid")

    postmortems_dir: str = "postmortems"
    runbooks_dir: str = "runbooks"
    severities: list[str] = Field(default_factory=lambda: list(DEFAULT_SEVERITIES), min_length=1)
    categories: list[str] = Field(default_factory=lambda: list(DEFAULT_CATEGORIES), min_length=1)
    action_items_required_for: list[str] = Field(default_factory=lambda: ["SEV-1", "SEV-2"])
    required_sections: list[str] = Field(default_factory=lambda: list(DEFAULT_REQUIRED_SECTIONS))
    recommended_sections: list[str] = Field(
        default_factory=lambda: list(DEFAULT_RECOMMENDED_SECTIONS)
    )
    section_aliases: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_SECTION_ALIASES.items()}
    )
    runbook_sections: list[str] = Field(default_factory=lambda: list(DEFAULT_RUNBOOK_SECTIONS))
    runbook_section_aliases: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_RUNBOOK_SECTION_ALIASES.items()}
    )
    runbook_review_days: int = Field(default=180, ge=1)
    rules: dict[str, RuleSetting] = Field(default_factory=dict)
    blame: BlameOptions = Field(default_factory=BlameOptions)
    secrets: SecretsOptions = Field(default_factory=SecretsOptions)
    hollow: HollowOptions = Field(default_factory=HollowOptions)
    scaffolds_dir: str = ".pmkb/scaffolds"
    # Site options: ignored by the CLI, read by the MkDocs plugin.
    nav: bool = True
    strict_warnings: bool = False
    similar_limit: int = Field(default=5, ge=0)
    recurrence_days: int = Field(default=90, ge=1)
    # How many incidents the dashboard lists under "Recent incidents".
    dashboard_recent: int = Field(default=10, ge=1)

    # Where mkdocs.yml lives; not a user option.
    root: Path = Field(default_factory=Path.cwd, exclude=True)
    # The file name errors about these options name.
    _source: str = PrivateAttr(default="mkdocs.yml")

    @field_validator("rules", mode="before")
    @classmethod
    def _normalise_rules(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("rules must be a mapping of rule code or name to error, warning or off")
        # Which rules exist is the rule registry's to say (pmkb.rules.rule_settings).
        normalised: dict[str, str] = {}
        for key, setting in value.items():
            code = str(key)
            if setting is False or setting is None or str(setting).lower() in {"off", "ignore", "false", "none"}:
                normalised[code] = "off"
            elif str(setting).lower() in {"warn", "warning"}:
                normalised[code] = "warning"
            elif setting is True or str(setting).lower() in {"error", "on", "true"}:
                normalised[code] = "error"
            else:
                raise ValueError(f"rule {key}: use error, warning or off, not {setting!r}")
        return normalised

    def option_error(self, option: str, message: str) -> ConfigError:
        """An error about one of these options, worded like the ones found while reading them."""
        return ConfigError(f"{self._source}: pmkb plugin option {option!r}: {message}")

    @property
    def postmortems_path(self) -> Path:
        return (self.root / self.postmortems_dir).resolve()

    @property
    def runbooks_path(self) -> Path:
        return (self.root / self.runbooks_dir).resolve()

    def severity_rank(self, severity: str) -> int:
        """0 for the most severe level; unknown levels sort last."""
        try:
            return self.severities.index(severity)
        except ValueError:
            return len(self.severities)

    @classmethod
    def from_options(cls, options: dict[str, Any] | None, root: Path, source: str = "mkdocs.yml") -> "KBConfig":
        try:
            config = cls.model_validate({**(options or {}), "root": root})
        except ValidationError as exc:
            raise ConfigError(_describe_config_errors(exc, source)) from None
        config._source = source
        return config


def _describe_config_errors(exc: ValidationError, source: str) -> str:
    messages = []
    known = [name for name in KBConfig.model_fields if name != "root"]
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            close = closest(str(error["loc"][-1]), known)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            messages.append(f"{source}: pmkb plugin: unknown option {location!r}{hint}")
        else:
            message = error["msg"].removeprefix("Value error, ")
            messages.append(f"{source}: pmkb plugin option {location!r}: {message}")
    return "\n".join(messages)


def resolve_today(option: str | None = None) -> date:
    """The date that counts as today: --today, else PMKB_TODAY, else the current date.

    Raises ConfigError naming the source when the value is not a YYYY-MM-DD date.
    """
    source, text = ("--today", option) if option is not None else ("PMKB_TODAY", os.environ.get("PMKB_TODAY") or None)
    if text is None:
        return date.today()
    try:
        return parse_day(text)
    except ValueError:
        raise ConfigError(f"{source} must be a date YYYY-MM-DD, not {text!r}") from None


class _TolerantLoader(yaml.SafeLoader):
    """Safe loading that tolerates MkDocs' custom tags (!ENV, !relative, !!python/name:...)."""


def _construct_env(loader: _TolerantLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = items[:-1], items[-1] if len(items) > 1 else None
        if len(items) == 1:
            names = items
    for name in names:
        if name in os.environ:
            return yaml.safe_load(os.environ[name]) if os.environ[name] else ""
    return default


def _construct_unknown(loader: _TolerantLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_TolerantLoader.add_constructor("!ENV", _construct_env)
_TolerantLoader.add_multi_constructor("", _construct_unknown)


def read_mkdocs_yml(path: Path) -> dict[str, Any]:
    """mkdocs.yml as a mapping, following INHERIT the way MkDocs does."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (run in the folder of mkdocs.yml or pass -f PATH)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.load(text, Loader=_TolerantLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{line}: invalid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: mkdocs.yml must be a mapping")
    parent = data.pop("INHERIT", None)
    if parent:
        base = read_mkdocs_yml((path.parent / str(parent)).resolve())
        data = _merge(base, data)
    mapping: dict[str, Any] = data
    return mapping


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def plugin_options(mkdocs_config: dict[str, Any], path: Path) -> dict[str, Any]:
    """The `pmkb` plugin's options from a parsed mkdocs.yml (plugins as list or mapping)."""
    plugins = mkdocs_config.get("plugins")
    entries: list[Any]
    if isinstance(plugins, dict):
        entries = [{name: options} for name, options in plugins.items()]
    elif isinstance(plugins, list):
        entries = plugins
    else:
        entries = []
    for entry in entries:
        if entry == "pmkb":
            return {}
        if isinstance(entry, dict) and "pmkb" in entry:
            options = entry["pmkb"]
            if options is None:
                return {}
            if not isinstance(options, dict):
                raise ConfigError(f"{path}: the pmkb plugin's options must be a mapping")
            return options
    return {}


def load_config(config_file: Path) -> KBConfig:
    """Read the pmkb options of a mkdocs.yml for the CLI."""
    config_file = config_file.resolve()
    data = read_mkdocs_yml(config_file)
    return KBConfig.from_options(plugin_options(data, config_file), config_file.parent, str(config_file.name))
