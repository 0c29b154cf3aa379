"""Under `mkdocs serve`, rebuild only the pages an edit changes.

MkDocs rebuilds the whole site after every save, so with thousands of postmortems a
writer would wait as long as a full build to see a fix. MkDocs' own `--dirty` mode
skips unchanged files, but writes a search index of the rebuilt pages alone and never
rebuilds the pages that show what changed elsewhere (a renamed incident's title in the
"Related" list of another).

pmkb knows what each of its pages shows, so after each build under `mkdocs serve` it
keeps, for every page it generates (postmortems, runbooks, lists, the dashboard), a
fingerprint of everything the page's HTML is made of: its generated Markdown (front
matter and body), its view models (the titles of related and similar incidents,
runbooks, action items, the rows of a list...), its findings in the preview and
today's date. A fingerprint of what every page shares goes beside them: mkdocs.yml and
the files it inherits, every file of docs_dir and the theme (size and modification
time), the theme's custom_dir, and the set of pages pmkb generates.

A postmortem's, runbook's, service's, tag's or severity's page also keeps what it is
made of (`Views.inputs`: today, the digests of the documents it shows, its findings);
when those are the previous build's, with the shared fingerprint unchanged, the page
keeps its fingerprint without its views being built again.

On the next rebuild, when that shared fingerprint is unchanged, a page whose own
fingerprint is unchanged is left out of the build (`InclusionLevel.EXCLUDED`): MkDocs
neither renders nor writes it. Its file from the previous build is moved back into
place afterwards, and its search entries are put back into the new search index where
a full build would have put them, so `search_index.json`, the sitemap, the feed and
kb.json are the full build's. User pages and the preview's own pages are rebuilt as
usual. When anything shared changed, or a plugin that may read every page is
configured, the rebuild is a full one. A skipped list page keeps the build time it was
last rendered at in its "as of" note.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from pmkb.plaintext import plain
from pmkb.site.pages import PageSpec

log = get_plugin_logger("pmkb")
# Plugins known to look at one page at a time; with any other, every rebuild is a full one.
PER_PAGE_PLUGINS = frozenset({"pmkb", "search", "material/search"})


def other_plugins(plugin_names: Iterable[str]) -> list[str]:
    """The configured plugins (and hooks) not known to look at one page at a time, by name."""
    return sorted(name for name in plugin_names if name not in PER_PAGE_PLUGINS)


_INHERIT = re.compile(r"^INHERIT:\s*['\"]?(?P<path>[^'\"#\n]+?)['\"]?\s*(?:#.*)?$", re.MULTILINE)
# Files MkDocs writes from the theme that list every page it built: a rebuild that skipped
# pages would leave those out, so the previous (full) ones are put back.
LISTINGS = ("sitemap.xml", "sitemap.xml.gz")
# How many files mkdocs.yml may inherit through, one from the next.
_MAX_INHERIT_DEPTH = 20
SearchEntry = dict[str, Any]
_UNIQUE = itertools.count()


def fingerprint(*parts: object) -> str:
    """A digest of the parts' reprs (of a string, its text); a part whose repr is not its value
    makes it unique to this build."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        if type(part) is str:
            # A page's Markdown is most of what is hashed: its text as it is, not its repr,
            # which would look at every character for escapes. The length keeps parts apart.
            data = part.encode("utf-8", "surrogatepass")
            hasher.update(b"str %d\x00" % len(data))
            hasher.update(data)
            continue
        text = repr(part)
        if " object at 0x" in text:
            # An address, not a value: never equal to a later build's, so the page is rebuilt.
            text += f"{id(part)}:{os.getpid()}:{next(_UNIQUE)}"
        hasher.update(text.encode("utf-8", "surrogatepass"))
        hasher.update(b"\x00")
    return hasher.hexdigest()


def _config_files(config_file: Path) -> list[tuple[str, bytes]]:
    """mkdocs.yml and every file it inherits from, with their bytes."""
    found: list[tuple[str, bytes]] = []
    path: Path | None = config_file
    while path is not None and len(found) < _MAX_INHERIT_DEPTH:
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        found.append((str(path), data))
        match = _INHERIT.search(data.decode("utf-8", "replace"))
        path = (path.parent / match["path"]).resolve() if match else None
    return found


def _tree_state(folder: Path) -> list[tuple[str, int, int]]:
    """Every file under `folder` with its size and modification time."""
    state: list[tuple[str, int, int]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            state.append((path, stat.st_size, stat.st_mtime_ns))
    return state


def shared_fingerprint(config: MkDocsConfig, files: Files, generated: Iterable[str]) -> str:
    """What every page of the site is made of, apart from pmkb's own documents."""
    disk: list[tuple[str, str, int, int]] = []
    for file in files:
        if file.generated_by is None and file.abs_src_path:
            try:
                stat = os.stat(file.abs_src_path)
            except OSError:
                continue
            disk.append((file.src_uri, file.abs_src_path, stat.st_size, stat.st_mtime_ns))
    theme_dir = config.theme.custom_dir
    config_file = Path(config.config_file_path) if config.config_file_path else None
    return fingerprint(
        _config_files(config_file) if config_file else [],
        disk,
        _tree_state(Path(theme_dir)) if theme_dir else [],
        sorted(generated),
    )


def page_url_of(entry: SearchEntry) -> str:
    """The URL of the page a search entry belongs to: its location without the anchor."""
    return str(entry.get("location", "")).split("#", 1)[0]


@dataclass
class _Build:
    """What one build left behind for the next."""

    shared: str
    pages: dict[str, str]  # src_uri -> fingerprint of each page pmkb generated
    inputs: dict[str, object]  # src_uri -> what a document's page was made of (`Views.inputs`)
    search: dict[str, list[SearchEntry]]  # page URL -> its entries, in order
    listings: dict[str, bytes]  # the files that list every page (sitemap.xml), as a full build wrote them
    folders: SiteFolders | None = None  # what the build left in each folder of site_dir


@dataclass
class IncrementalPreview:
    """Skips unchanged generated pages on rebuilds under `mkdocs serve` (see the module's docstring)."""

    dirty: bool = False  # `mkdocs serve --dirty`: MkDocs does not clear site_dir
    previous: _Build | None = None
    _shared: str = ""
    _pages: dict[str, str] = field(default_factory=dict)
    _inputs: dict[str, object] = field(default_factory=dict)
    _skipped: list[File] = field(default_factory=list)
    _built: set[str] = field(default_factory=set)
    _aside: Path | None = None
    _files: Files | None = None
    _full_reason_logged: str = ""
    templates: CompiledTemplates = field(default_factory=lambda: CompiledTemplates())

    # Before the build -----------------------------------------------------------------

    def before_build(self, config: MkDocsConfig) -> None:
        """Move the previous build aside, so MkDocs' cleaning of site_dir keeps what we may reuse."""
        self._skipped, self._built, self._aside = [], set(), None
        if self.previous is None or self.dirty:
            return
        site_dir = Path(config.site_dir)
        aside = site_dir.with_name(site_dir.name + ".pmkb-previous")
        shutil.rmtree(aside, ignore_errors=True)
        try:
            aside.mkdir()
            for entry in os.listdir(site_dir):
                if not entry.startswith("."):  # MkDocs leaves hidden files alone; so do we
                    os.replace(site_dir / entry, aside / entry)
        except OSError as exc:
            log.info(plain(f"rebuilding every page: could not keep the previous build ({exc})"))
            self._restore_all(site_dir, aside)
            self.previous = None
            return
        self._aside = aside

    def plan(
        self,
        config: MkDocsConfig,
        files: Files,
        shared: str,
        reusable: Iterable[tuple[File, PageSpec]],
        page_fingerprint: Callable[[PageSpec], str],
        page_inputs: Callable[[PageSpec], object | None] = lambda spec: None,
    ) -> None:
        """Fingerprint every page pmkb adds; leave out of this build those that did not change.

        `shared` is the build's `shared_fingerprint`; `reusable` the pages pmkb adds that
        may be kept from the previous build. A page whose `page_inputs` (None: not known)
        are those of the previous build, with nothing shared changed, keeps its fingerprint
        without being fingerprinted again.
        """
        reusable = list(reusable)
        self._files = files
        self._shared = shared
        kept = self.previous.inputs if self.previous is not None and self.previous.shared == shared else {}
        self._pages, self._inputs = {}, {}
        for file, spec in reusable:
            src_uri = file.src_uri
            inputs = page_inputs(spec)
            if inputs is not None:
                self._inputs[src_uri] = inputs
                if src_uri in kept and kept[src_uri] == inputs:
                    assert self.previous is not None
                    self._pages[src_uri] = self.previous.pages[src_uri]
                    continue
            self._pages[src_uri] = page_fingerprint(spec)
        reason = self._full_rebuild_reason(config)
        if reason:
            if reason != self._full_reason_logged and self.previous is not None:
                log.info(plain(f"rebuilding every page: {reason}"))
                self._full_reason_logged = reason
            return
        previous = self.previous
        assert previous is not None
        site_dir = Path(config.site_dir)
        for file, _ in reusable:
            if previous.pages.get(file.src_uri) != self._pages[file.src_uri]:
                continue
            if self._output_kept(site_dir, file):
                file.inclusion = InclusionLevel.EXCLUDED
                self._skipped.append(file)
        total = len(self._pages)
        log.info(
            f"rebuilding {total - len(self._skipped)} of the {total} pages pmkb generates; the others are unchanged"
        )

    def _full_rebuild_reason(self, config: MkDocsConfig) -> str:
        if self.previous is None:
            return "first build"
        others = other_plugins(config.plugins)
        if others:
            return f"plugin {others[0]!r} may read every page"
        if search_plugin(config) is None and any(name in config.plugins for name in ("search", "material/search")):
            return "the search plugin is not Material for MkDocs' own"
        if self.previous.shared != self._shared:
            return "mkdocs.yml, docs_dir, the theme or the set of pages changed"
        return ""

    def _output_kept(self, site_dir: Path, file: File) -> bool:
        where = self._aside if self._aside is not None else site_dir
        return (where / file.dest_uri).is_file()

    # During the build -----------------------------------------------------------------

    def page_built(self, url: str) -> None:
        self._built.add(url)

    # After the build ------------------------------------------------------------------

    def after_build(self, config: MkDocsConfig) -> None:
        """Put skipped pages' files and search entries back; remember this build for the next."""
        site_dir = Path(config.site_dir)
        if self._aside is not None:
            left = self.previous.folders if self.previous is not None else None
            _put_back(self._aside, site_dir, [file.dest_uri for file in self._skipped], left)
            # What is left of the previous build is garbage: delete it without making the writer wait.
            trash = self._aside.with_name(f"{self._aside.name}-{os.getpid()}-{next(_UNIQUE)}")
            os.replace(self._aside, trash)
            threading.Thread(target=shutil.rmtree, args=(trash, True), daemon=True).start()
            self._aside = None
        search = search_plugin(config)
        by_page = self._merged_search_entries(search.search_index.entries) if search is not None else {}
        if search is not None:
            search.search_index.entries = [entry for entries in by_page.values() for entry in entries]
            # Material's own merge for `--dirty` assumes one rebuilt page; the list is whole already.
            search.search_index_prev = None
        folders = SiteFolders.of(file.dest_uri for file in self._files) if self._files is not None else None
        self.previous = _Build(self._shared, self._pages, self._inputs, by_page, self._listings(site_dir), folders)

    def _listings(self, site_dir: Path) -> dict[str, bytes]:
        """This build's sitemap, or the last full one's, which is written back when pages were skipped."""
        if self._skipped and self.previous is not None:
            for name, data in self.previous.listings.items():
                (site_dir / name).write_bytes(data)
            return self.previous.listings
        return {name: (site_dir / name).read_bytes() for name in LISTINGS if (site_dir / name).is_file()}

    def _merged_search_entries(self, fresh: list[SearchEntry]) -> dict[str, list[SearchEntry]]:
        """Each page's search entries in page order: this build's, or the previous ones of a page not rebuilt."""
        previous = self.previous.search if self.previous is not None else {}
        rebuilt: dict[str, list[SearchEntry]] = {}
        for entry in fresh:
            rebuilt.setdefault(page_url_of(entry), []).append(entry)
        merged: dict[str, list[SearchEntry]] = {}
        assert self._files is not None
        for file in self._files.documentation_pages(inclusion=lambda _: True):
            entries = rebuilt.pop(file.url, []) if file.url in self._built else previous.get(file.url, [])
            if entries:
                merged[file.url] = entries
        merged.update(rebuilt)  # entries of pages not in the file list (another plugin's)
        return merged

    def build_failed(self, config: MkDocsConfig) -> None:
        """Leave site_dir as complete as it was; the next build starts afresh."""
        if self._aside is not None:
            self._restore_all(Path(config.site_dir), self._aside)
            self._aside = None
        self.previous = None

    @staticmethod
    def _restore_all(site_dir: Path, aside: Path) -> None:
        for dirpath, _, filenames in os.walk(aside):
            for name in filenames:
                source = Path(dirpath) / name
                target = site_dir / source.relative_to(aside)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(source, target)
        shutil.rmtree(aside, ignore_errors=True)


@dataclass(frozen=True)
class SiteFolders:
    """The files a build's file list puts in each folder of site_dir, by folder, and the
    folders that hold folders of such files: what that folder holds once the build is done
    (MkDocs writes its theme's own files, such as sitemap.xml, at the top only)."""

    files: dict[str, frozenset[str]]
    parents: frozenset[str]

    @classmethod
    def of(cls, outputs: Iterable[str]) -> SiteFolders:
        files = _by_folder(outputs)
        parents = {folder[:cut] for folder in files for cut in _separators(folder)}
        return cls({folder: frozenset(names) for folder, names in files.items()}, frozenset(parents))

    def holds_only(self, folder: str, names: AbstractSet[str]) -> bool:
        return folder not in self.parents and self.files.get(folder) == names


def _by_folder(outputs: Iterable[str]) -> dict[str, set[str]]:
    """Output paths (`a/b/index.html`) grouped as folder -> names."""
    by_folder: dict[str, set[str]] = {}
    for output in outputs:
        folder, _, name = output.rpartition("/")
        by_folder.setdefault(folder, set()).add(name)
    return by_folder


def _separators(folder: str) -> Iterable[int]:
    return (index for index, character in enumerate(folder) if character == "/")


def _put_back(aside: Path, site_dir: Path, outputs: Iterable[str], left: SiteFolders | None = None) -> None:
    """Move these outputs (paths under both folders) from `aside` back into `site_dir`.

    A folder that holds nothing but such outputs and that this build did not write to
    (with directory URLs, `postmortems/<id>/` of each page left out) moves in one step:
    making a thousand folders again is most of the time of putting pages back. `left`
    says what the build before left in each folder (`aside` is what it left); without
    it, each folder is looked into.
    """
    by_folder = _by_folder(outputs)
    present: set[str] = set()
    aside_path, site_path = str(aside), str(site_dir)

    def make(folder: str) -> None:
        if folder not in present:
            os.makedirs(folder, exist_ok=True)
            present.add(folder)

    for folder, names in by_folder.items():
        source, target = os.path.join(aside_path, folder), os.path.join(site_path, folder)
        if folder and not os.path.lexists(target):
            moves_whole = left.holds_only(folder, names) if left is not None else _holds_only(Path(source), names)
            if moves_whole:
                make(os.path.dirname(target))
                os.replace(source, target)
                present.add(target)
                continue
        make(target)
        for name in names:
            os.replace(os.path.join(source, name), os.path.join(target, name))


def _holds_only(folder: Path, names: set[str]) -> bool:
    """Whether the folder's entries are exactly these files."""
    try:
        with os.scandir(folder) as entries:
            found = list(entries)
    except OSError:
        return False
    return len(found) == len(names) and all(entry.name in names and entry.is_file() for entry in found)


class CompiledTemplates(BytecodeCache):
    """Compiled Jinja templates kept in memory from one rebuild to the next.

    Each rebuild gets new template environments (MkDocs' for the theme, pmkb's own), so
    every template would be compiled again. Jinja checks each kept entry against the
    template's current source, so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._compiled.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


def search_plugin(config: MkDocsConfig) -> Any | None:
    """Material's search plugin, whose index pmkb completes; None for any other."""
    for name in ("material/search", "search"):
        plugin: BasePlugin[Any] | None = config.plugins.get(name)
        if plugin is not None and type(plugin).__module__.startswith("material.plugins.search"):
            return plugin
    return None
