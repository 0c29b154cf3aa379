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
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from pmkb.loader import DEFAULT_MAX_FILE_BYTES
from pmkb.model import DEFAULT_EARLIEST_YEAR, DEFAULT_LATEST_YEAR, MAX_REVIEW_DAYS
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
    "TBD",
    "TBC",
    "TODO",
    "FIXME",
    "N/A",
    "NA",
    "none",
    "...",
    "…",
    "to be written",
    "to be done",
    "to be determined",
    "to be confirmed",
    "coming soon",
    "fill in",
    "lorem ipsum",
]

RuleSetting = Literal["error", "warning", "off"]


class ConfigError(Exception):
    """A configuration problem the user must fix; the message names file and line.

    `problems` pairs each message with the plugin option it concerns ("" when none),
    so MkDocs can name the option in its own report.
    """

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems if problems is not None else [("", message)]


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
    recommended_sections: list[str] = Field(default_factory=lambda: list(DEFAULT_RECOMMENDED_SECTIONS))
    section_aliases: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_SECTION_ALIASES.items()}
    )
    runbook_sections: list[str] = Field(default_factory=lambda: list(DEFAULT_RUNBOOK_SECTIONS))
    runbook_section_aliases: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_RUNBOOK_SECTION_ALIASES.items()}
    )
    runbook_review_days: int = Field(default=180, ge=1, le=MAX_REVIEW_DAYS)
    rules: dict[str, RuleSetting] = Field(default_factory=dict)
    blame: BlameOptions = Field(default_factory=BlameOptions)
    secrets: SecretsOptions = Field(default_factory=SecretsOptions)
    hollow: HollowOptions = Field(default_factory=HollowOptions)
    scaffolds_dir: str = ".pmkb/scaffolds"
    # Dates outside these years are findings: typos such as 0999 or 9999 would otherwise
    # make month-by-month series unbounded.
    earliest_year: int = Field(default=DEFAULT_EARLIEST_YEAR, ge=1)
    latest_year: int = Field(default=DEFAULT_LATEST_YEAR, le=9998)
    # A larger document is a PMKB001 finding rather than unbounded work.
    max_file_bytes: int = Field(default=DEFAULT_MAX_FILE_BYTES, ge=1024, le=1024**3)
    # Keep what reading and checking each file found in .cache/pmkb/, by content (pmkb.cache).
    cache: bool = True
    # Site options: ignored by the CLI, read by the MkDocs plugin.
    nav: bool = True
    # "sanitize" strips scripts, event handlers and javascript:/data: URLs from document
    # bodies: for sites that publish what many contributors write. "raw" keeps raw HTML.
    html: Literal["raw", "sanitize"] = "raw"
    strict_warnings: bool = False
    similar_limit: int = Field(default=5, ge=0)
    recurrence_days: int = Field(default=90, ge=1)
    # How many incidents the dashboard lists under "Recent incidents".
    dashboard_recent: int = Field(default=10, ge=1)
    # Rows per page of a generated list; a longer list continues on numbered pages
    # (/postmortems/page/2/), so no page grows with the knowledge base.
    list_page_size: int = Field(default=200, ge=1)

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
        return ConfigError(f"{self._source}: pmkb plugin option {option!r}: {message}", [(option, message)])

    @model_validator(mode="after")
    def _years_in_order(self) -> KBConfig:
        if self.earliest_year > self.latest_year:
            raise ValueError(f"earliest_year {self.earliest_year} is after latest_year {self.latest_year}")
        return self

    def cache_settings(self) -> str:
        """Every option as text, for the cache's key: what a file's findings may depend on."""
        return self.model_dump_json(exclude={"cache"})

    @property
    def years(self) -> tuple[int, int]:
        return (self.earliest_year, self.latest_year)

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
    def from_options(cls, options: dict[str, Any] | None, root: Path, source: str = "mkdocs.yml") -> KBConfig:
        try:
            config = cls.model_validate({**(options or {}), "root": root})
        except ValidationError as exc:
            problems = _describe_config_errors(exc)
            message = "\n".join(f"{source}: pmkb plugin option {option!r}: {text}" for option, text in problems)
            raise ConfigError(message, problems) from None
        config._source = source
        return config


def _describe_config_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """(option, message) for every problem, the option as a dotted path."""
    problems: list[tuple[str, str]] = []
    known = [name for name in KBConfig.model_fields if name != "root"]
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            close = closest(str(error["loc"][-1]), known)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append((location, f"unknown option{hint}"))
        else:
            problems.append((location, error["msg"].removeprefix("Value error, ")))
    return problems


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


def read_mkdocs_yml(path: Path, _inherited_by: tuple[Path, ...] = ()) -> dict[str, Any]:
    """mkdocs.yml as a mapping, following INHERIT the way MkDocs does."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if _inherited_by:
            raise ConfigError(f"{_inherited_by[-1]}: INHERIT names {path}: no such file") from None
        raise ConfigError(f"{path}: no such file (run in the folder of mkdocs.yml or pass -f PATH)") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a mkdocs.yml file") from None
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
        target = (path.parent / str(parent)).resolve()
        chain = (*_inherited_by, path)
        if target in chain:
            loop = " -> ".join(str(item) for item in (*chain[chain.index(target) :], target))
            raise ConfigError(f"{path}: INHERIT loops back to a file that inherits it: {loop}")
        base = read_mkdocs_yml(target, chain)
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


def _contains(outer: Path, inner: Path) -> bool:
    return outer == inner or outer in inner.parents


def check_folders(config: KBConfig, site_dir: Path, docs_dir: Path) -> None:
    """Refuse folders a build would misuse, before MkDocs cleans site_dir.

    A source folder inside site_dir (or holding it) would be emptied by the build's
    cleaning step, so any nesting of the two is a configuration error; so is a
    source folder that is a file.
    """
    sources = {
        "postmortems_dir": config.postmortems_path,
        "runbooks_dir": config.runbooks_path,
        "docs_dir": docs_dir.resolve(),
    }
    for option in ("postmortems_dir", "runbooks_dir"):
        folder = sources[option]
        if folder.exists() and not folder.is_dir():
            raise ConfigError(
                f"{option}: {folder} is not a folder (a file has that name)", [(option, f"{folder} is not a folder")]
            )
    site = site_dir.resolve()
    for option, folder in sources.items():
        if _contains(site, folder) or _contains(folder, site):
            relation = "is" if site == folder else "is inside" if _contains(folder, site) else "contains"
            message = (
                f"site_dir {site} {relation} {option} {folder}: building would delete the sources; "
                "choose folders that do not contain one another"
            )
            raise ConfigError(message, [(option if option != "docs_dir" else "", message)])


def load_config(config_file: Path) -> KBConfig:
    """Read the pmkb options of a mkdocs.yml for the CLI, with the folder checks of a build."""
    config_file = config_file.resolve()
    data = read_mkdocs_yml(config_file)
    config = KBConfig.from_options(plugin_options(data, config_file), config_file.parent, str(config_file.name))
    site_dir, docs_dir = data.get("site_dir", "site"), data.get("docs_dir", "docs")
    if not isinstance(site_dir, str) or not isinstance(docs_dir, str):
        raise ConfigError(f"{config_file}: site_dir and docs_dir must be folder names")
    check_folders(config, config_file.parent / site_dir, config_file.parent / docs_dir)
    return config
