"""Helpers for the site tests: build a knowledge base with MkDocs, read what it wrote.

Builds run in-process through MkDocs' own API (`load_config` + `build`), with
`strict=True` as `mkdocs build --strict` sets it, and capture every log record so a
test can assert that MkDocs warned about nothing. Helpers are fixtures because this
folder can't be a package: `tests/site` would shadow Python's own `site` module.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from kb_helpers import MKDOCS_YML, TODAY, write_kb
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Site:
    """A built site: its folder and what MkDocs logged while building it."""

    root: Path
    records: list[logging.LogRecord]
    use_directory_urls: bool = True
    site_url: str | None = None
    _pages: dict[str, HtmlPage] = field(default_factory=dict)

    def page_path(self, url: str) -> Path:
        """The file serving a site URL such as `postmortems/x/` (either URL style)."""
        url = url.lstrip("/")
        if not url or url.endswith("/"):
            return self.root / url / "index.html"
        return self.root / url

    def url_of(self, folder: str, name: str) -> str:
        """`postmortems/x/` or `postmortems/x.html`, as this build writes page URLs."""
        return f"{folder}/{name}/" if self.use_directory_urls else f"{folder}/{name}.html"

    def html(self, url: str) -> str:
        return self.page_path(url).read_text(encoding="utf-8")

    def page(self, url: str) -> HtmlPage:
        if url not in self._pages:
            self._pages[url] = HtmlPage.parse(self.html(url))
        return self._pages[url]

    def json(self, name: str) -> Any:
        return json.loads((self.root / name).read_text(encoding="utf-8"))

    def warnings(self) -> list[str]:
        return [record.getMessage() for record in self.records if record.levelno >= logging.WARNING]

    def html_files(self) -> Iterator[Path]:
        return (path for path in sorted(self.root.rglob("*.html")))

    def search_docs(self) -> list[dict[str, Any]]:
        return self.json("search/search_index.json")["docs"]


@dataclass
class HtmlPage:
    """Links, ids and text of one built page."""

    links: list[tuple[str, str]]  # (tag, url) for href and src attributes
    ids: set[str]
    text: str
    content: str  # the page's article (Material's md-content), as HTML

    @classmethod
    def parse(cls, html: str) -> HtmlPage:
        parser = _LinkParser()
        parser.feed(html)
        match = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', html, re.S)
        return cls(parser.links, parser.ids, " ".join(parser.text), match.group(1) if match else "")

    def hrefs(self) -> list[str]:
        return [url for tag, url in self.links if tag == "a"]


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("name"):
            self.ids.add(str(values["name"]))
        for attribute in ("href", "src"):
            value = values.get(attribute)
            if value is not None:
                self.links.append((tag, value))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(data.strip())


class BuildFailed(Exception):
    def __init__(self, message: str, records: list[logging.LogRecord]) -> None:
        super().__init__(message)
        self.records = records


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def build_site(config_file: Path, site_dir: Path, **overrides: Any) -> Site:
    """`mkdocs build --strict -f config_file -d site_dir`, in-process."""
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        try:
            config = load_config(config_file=str(config_file), site_dir=str(site_dir), strict=True, **overrides)
            build(config)
        except (Abort, PluginError) as exc:
            raise BuildFailed(str(exc), handler.records) from exc
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
    return Site(site_dir, handler.records, config.use_directory_urls, config.site_url)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    # Overdue items and stale runbooks depend on "today"; pin it like the CLI tests do.
    monkeypatch.setenv("PMKB_TODAY", TODAY.isoformat())
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")


BuildKb = Callable[..., Site]


@pytest.fixture
def build_kb(tmp_path: Path) -> BuildKb:
    """Write a knowledge base into a temporary folder and build it."""
    counter = iter(range(1000))

    def factory(files: dict[str, str | bytes], mkdocs_yml: str = MKDOCS_YML, **overrides: Any) -> Site:
        number = next(counter)
        config_file = write_kb(tmp_path / f"kb{number}", files, mkdocs_yml)
        return build_site(config_file, tmp_path / f"site{number}", **overrides)

    return factory


@pytest.fixture(scope="session")
def build_shared(tmp_path_factory: pytest.TempPathFactory) -> BuildKb:
    """Like build_kb, but each named knowledge base is built once per test session.

    For modules whose tests all read one build: building is the slow part.
    """
    built: dict[str, Site] = {}

    def factory(name: str, files: dict[str, str | bytes], mkdocs_yml: str = MKDOCS_YML, **overrides: Any) -> Site:
        if name not in built:
            root = tmp_path_factory.mktemp(name)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("PMKB_TODAY", TODAY.isoformat())
                patch.setenv("NO_MKDOCS_2_WARNING", "1")
                built[name] = build_site(write_kb(root / "kb", files, mkdocs_yml), root / "site", **overrides)
        return built[name]

    return factory


def _resolve(page_url_dir: str, url: str) -> tuple[str, str] | None:
    """(site path, fragment) of a relative link found in a page, or None when not internal."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:", "data:")):
        return None
    path = unquote(parts.path)
    if not path:
        return None
    joined = posixpath.normpath(posixpath.join(page_url_dir, path))
    if path.endswith("/") and not joined.endswith("/"):
        joined += "/"
    return joined, parts.fragment


def broken_links(site: Site, check_fragments: bool = True) -> list[str]:
    """Every href/src in every built HTML page that does not resolve to a built file.

    Root-absolute links count as broken: they break when the site is served from a
    sub-path. Links to the site_url's own host are checked like relative ones.
    """
    problems: list[str] = []
    ids: dict[Path, set[str]] = {}
    pages: dict[Path, HtmlPage] = {}
    for path in site.html_files():
        pages[path] = HtmlPage.parse(path.read_text(encoding="utf-8"))
        ids[path] = pages[path].ids
    prefix = site.site_url or ""
    # MkDocs writes 404.html with links from the site's root path on purpose: the server
    # returns it for any missing URL, at any depth.
    mount = urlsplit(prefix).path or "/"
    for path, page in pages.items():
        relative = path.relative_to(site.root).as_posix()
        page_dir = posixpath.dirname(relative)
        for tag, url in page.links:
            if prefix and url.startswith(prefix):
                resolved = _resolve("", url[len(prefix) :] or "./")
            elif relative == "404.html" and url.startswith(mount):
                resolved = _resolve("", url[len(mount) :] or "./")
            elif url.startswith("/"):
                problems.append(f"{relative}: root-absolute link {url!r} breaks under a sub-path")
                continue
            else:
                resolved = _resolve(page_dir, url)
            if resolved is None:
                continue
            target, fragment = resolved
            if target in (".", "./"):
                target = "./"
            file = site.root / target
            if target.endswith("/") or file.is_dir():
                file = file / "index.html"
            if not file.is_file():
                problems.append(f"{relative}: {tag} {url!r} -> {target} does not exist")
                continue
            if check_fragments and fragment and file.suffix == ".html" and tag == "a":
                if file not in ids:
                    ids[file] = HtmlPage.parse(file.read_text(encoding="utf-8")).ids
                if fragment not in ids[file]:
                    problems.append(f"{relative}: {tag} {url!r} -> no id {fragment!r} in {target}")
    return problems


@pytest.fixture
def build_failed() -> type[BuildFailed]:
    return BuildFailed


@pytest.fixture
def check_links() -> Callable[..., list[str]]:
    return broken_links


EXAMPLE_FILES = ("mkdocs.yml", "postmortems", "runbooks", "docs")


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The repository's example knowledge base, built once for every test that reads it."""
    if not all((REPO / name).exists() for name in EXAMPLE_FILES):
        pytest.skip("the example knowledge base is not in the repository")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PMKB_TODAY", TODAY.isoformat())
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        return build_site(REPO / "mkdocs.yml", tmp_path_factory.mktemp("example") / "site")


@pytest.fixture
def example_site_variant(tmp_path: Path) -> Callable[..., Site]:
    """The example knowledge base built with other MkDocs settings (use_directory_urls, site_url)."""
    if not all((REPO / name).exists() for name in EXAMPLE_FILES):
        pytest.skip("the example knowledge base is not in the repository")

    def factory(**overrides: Any) -> Site:
        return build_site(REPO / "mkdocs.yml", tmp_path / "site", **overrides)

    return factory


# The browser tests (test_browser.py, test_a11y.py, test_layout.py) share one pair of
# builds and one Chromium per test session; the helpers live in tests/browser_helpers.py.


@pytest.fixture(scope="session")
def browser_builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from browser_helpers import start_builds

    yield from start_builds(tmp_path_factory)


@pytest.fixture(scope="session")
def browser(browser_builds: Any) -> Iterator[Any]:
    from browser_helpers import launch_browser

    yield from launch_browser()


@pytest.fixture(scope="session")
def sites(browser_builds: Any, browser: Any) -> Any:
    return browser_builds.wait()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    from browser_helpers import tab_for_test

    yield from tab_for_test(browser)
