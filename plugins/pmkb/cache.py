"""A persistent cache of what reading and checking each file found, as ruff and mypy keep.

Each file's record is stored under its path with a digest of its bytes (and the file's
stat, which lets a run that needs only a file's id skip reading it), and the whole
store is valid for one key: the pmkb version, a digest of pmkb's own code, the versions
of the libraries whose output findings depend on, and the configuration. A record is
used only when both the key and the file's digest match, so an edit, a pmkb upgrade or
a changed option each make pmkb read the files concerned afresh.

The store is one file in `<folder of mkdocs.yml>/.cache/pmkb/` (the project's cache
folder, where Material for MkDocs keeps its own), with a `.gitignore` so it is never
committed. Beside it, a second store keeps the similar-incident lists of the last
export or site build (`SimilarStore`), written and read the same way. Deleting the folder is always safe. A cache that is missing, unreadable,
corrupt or from another version is ignored; a cache that can't be written leaves the
run as it was. Writes go to a temporary file first and replace the store in one step,
so two runs at once (a pre-commit hook and `mkdocs serve`) never leave a torn file.

Records are pickled, the fastest of the formats measured to load. The store is signed
with a key kept in the user's own cache folder (`$XDG_CACHE_HOME/pmkb/signing-key`, by
default `~/.cache/pmkb/`) and its signature is checked before anything is unpickled,
and the unpickler builds only the types records hold: a store committed to a
repository by someone else, or copied from another machine, is ignored, so it can
neither run code nor hide a finding.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import os
import pickle
import re
import secrets
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

CACHE_FOLDER = Path(".cache") / "pmkb"
STORE_NAME = "documents.pickle"
SIMILAR_STORE_NAME = "similar.pickle"
CHECK_STORE_NAME = "checks.pickle"
# How many `pmkb check` results are kept: a whole check and a few checks of given files.
_KEPT_CHECKS = 4
SIGNING_KEY_NAME = "signing-key"
_FORMAT = 3  # 3: records hold the file's stat; stores are signed with keyed BLAKE2b
_MAGIC = b"pmkb-cache\n"
_SIGNATURE_BYTES = 32
# Libraries whose behaviour shapes what a record holds: YAML values, Markdown blocks,
# validation messages, the secret detector's patterns, transliterated ids.
_LIBRARIES = ("PyYAML", "markdown-it-py", "pydantic", "pydantic-core", "detect-secrets", "anyascii")
# The only globals a record may name: pmkb's record types and the standard values they hold.
_ALLOWED_GLOBALS = frozenset(
    {
        ("pmkb.findings", "Finding"),
        ("pmkb.loader", "Heading"),
        ("pmkb.model", "Postmortem"),
        ("pmkb.model", "Runbook"),
        ("pmkb.model", "ActionItem"),
        ("pmkb.sections", "Excerpts"),
        ("pmkb.similarity", "SimilarIncident"),
        ("pmkb.rules.id_links", "IdLink"),
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
    }
)


def digest(data: bytes) -> bytes:
    """The identity of a file's content."""
    return hashlib.blake2b(data, digest_size=16).digest()


def cache_key(settings: str) -> str:
    """The key a store is valid for: pmkb's version and code, its libraries' versions, the settings."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"format {_FORMAT}\n{settings}\n".encode())
    hasher.update(_code_identity())
    return hasher.hexdigest()


@functools.cache
def _code_identity() -> bytes:
    """pmkb's version and code and its libraries' versions, as this process loaded them:
    worked out once, not on every rebuild of `mkdocs serve`."""
    hasher = hashlib.blake2b(digest_size=16)
    for library in ("pmkb", *_LIBRARIES):
        hasher.update(f"{library} {installed_version(library)}\n".encode())
    # A development install keeps its version number while its code changes.
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        hasher.update(path.relative_to(package).as_posix().encode())
        hasher.update(path.read_bytes())
    return hasher.digest()


def _distribution_key(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _dist_info_versions() -> dict[str, str]:
    """Installed distributions' versions as their `.dist-info` folders name them, from one
    look at each folder on `sys.path` per process; the first folder wins, as for imports."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                distribution, _, version = name.removesuffix(".dist-info").partition("-")
                found.setdefault(_distribution_key(distribution), version)
    return found


def installed_version(distribution: str) -> str:
    """The installed version of a distribution, as its `.dist-info` folder names it, or
    "-" when it is not installed; for the keys of pmkb's stores, which only have to change
    when a version does. Asking importlib.metadata takes a few milliseconds per
    distribution, a tenth of a cached `pmkb check`: it is asked only about a distribution
    installed some other way (an `.egg-info`, say)."""
    found = _dist_info_versions().get(_distribution_key(distribution))
    if found:
        return found
    from importlib import metadata  # on first use: `pmkb --help` needs no cache

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "-"


def user_cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pmkb"


def signing_key() -> bytes | None:
    """This user's key for signing stores, made on first use; None when it can't be kept."""
    path = user_cache_folder() / SIGNING_KEY_NAME
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".signing-key-", dir=path.parent)
        with os.fdopen(handle, "wb") as output:
            output.write(secrets.token_bytes(32))
        # Two first runs at once: the first key written wins, and both read it back.
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) >= 32 else None


def _signature(key: bytes, payload: bytes | memoryview) -> bytes:
    # BLAKE2 in keyed mode is a MAC of its own (RFC 7693): one pass, no HMAC construction around it.
    return hashlib.blake2b(payload, key=key[:64], digest_size=_SIGNATURE_BYTES).digest()


_Stored = tuple[bytes, Any, bytes, tuple[int, ...] | None]
K = TypeVar("K")
V = TypeVar("V")


class _RecordUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"{module}.{name} is not a record type")
        return super().find_class(module, name)


def read_store(path: Path, signing: bytes | None) -> Any | None:
    """What a store holds, once its signature is checked; None when it is missing,
    unreadable, corrupt, signed with another key or names a type records never hold."""
    if signing is None:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        start = len(_MAGIC) + _SIGNATURE_BYTES
        if not data.startswith(_MAGIC):
            return None
        if not hmac.compare_digest(data[len(_MAGIC) : start], _signature(signing, memoryview(data)[start:])):
            return None
        payload = io.BytesIO(data)  # shares data's buffer: no copy of a store of many megabytes
        payload.seek(start)
        return _RecordUnpickler(payload).load()
    except Exception:  # noqa: BLE001 - missing, unreadable or corrupt: start afresh
        return None


def read_keyed_records(path: Path, signing: bytes | None, key: str) -> dict[Any, Any]:
    """The records of a store written as `(key, {name: record})` for this key; empty when
    the store can't be used."""
    stored = read_store(path, signing)
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key and isinstance(stored[1], dict)):
        return {}
    records: dict[Any, Any] = stored[1]
    return records


def write_store(folder: Path, name: str, signing: bytes | None, content: Any) -> None:
    """Sign and write a store in one step; a folder that can't be written leaves the run as it was."""
    if signing is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# pmkb's cache: safe to delete, never to commit\n*\n", encoding="utf-8")
        payload = pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL)
        handle, temporary = tempfile.mkstemp(prefix=f".{Path(name).stem}-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as output:
                output.write(_MAGIC + _signature(signing, payload))
                output.write(payload)
            os.replace(temporary, folder / name)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return  # a read-only or full disk: the run's results stand without a cache


class DocumentCache:
    """Records by file path, each valid while the file's digest is the one stored with it.

    Each record is pickled on its own and read only when asked for, beside a summary
    (small plain values): a run that needs only the summaries of most files, such as
    `pmkb check FILE`, unpickles only the records it uses, and a run that changed a few
    files pickles only theirs again.
    """

    def __init__(self, folder: Path, key: str, signing: bytes | None, loaded: LoadedRecords | None = None) -> None:
        self.folder = folder
        self.key = key
        self._signing = signing
        self._loaded = loaded
        # path -> (digest, summary, pickled record, the file's stat key or None)
        self._stored: dict[str, _Stored] = {}
        self._kept: dict[str, _Stored] = {}
        self._changed = False

    @classmethod
    def open(cls, root: Path, settings: str, loaded: LoadedRecords | None = None) -> DocumentCache:
        """The store of the project at root, empty when there is none that can be used.

        With `loaded` (a preview's, kept from one rebuild to the next), a record that the
        last load unpickled is handed out again rather than unpickled afresh."""
        cache = cls(root / CACHE_FOLDER, cache_key(settings), signing_key(), loaded)
        cache._stored = cache._read()
        if loaded is not None:
            loaded.begin()
        return cache

    def _read(self) -> dict[str, _Stored]:
        records = read_keyed_records(self.folder / STORE_NAME, self._signing, self.key)
        # Shapes are checked once here, so that a lookup need not check them again.
        return {path: kept for path, kept in records.items() if isinstance(kept, tuple) and len(kept) == 4}

    def similar_store(self) -> SimilarStore:
        """The store of similar-incident lists beside this one, valid for the same key."""
        return SimilarStore(self.folder, self.key, self._signing)

    def get(self, path: str, file_digest: bytes) -> tuple[Any, bytes] | None:
        """(summary, pickled record) stored for this path and content, or None."""
        stored = self._stored.get(path)
        if stored is None or stored[0] != file_digest:
            return None
        return stored[1], stored[2]

    def unchanged(self, path: str, stat_key: tuple[int, ...]) -> tuple[bytes, Any] | None:
        """(digest, summary) of a file whose stat is the one stored with its record: a file
        not written since, whose record can be trusted without reading it; else None."""
        stored = self._stored.get(path)
        if stored is None or stored[3] is None or stored[3] != stat_key:
            return None
        return stored[0], stored[1]

    @staticmethod
    def record(pickled: bytes) -> Any | None:
        """A record as `get` gave it, unpickled; None when it can't be read."""
        try:
            return _RecordUnpickler(io.BytesIO(pickled)).load()
        except Exception:  # noqa: BLE001 - a damaged record is a file to read afresh
            return None

    def restore(self, pickled: bytes) -> Any | None:
        """`record`, from the records the last load unpickled when it is one of them."""
        if self._loaded is None:
            return self.record(pickled)
        return self._loaded.restore(pickled, self.record)

    def put(
        self, path: str, file_digest: bytes, summary: Any, record: Any, stat_key: tuple[int, ...] | None = None
    ) -> None:
        """Keep a new or changed record for the next run."""
        try:
            pickled = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
            return  # not a record that can be kept: the file is read afresh next time
        self._kept[path] = (file_digest, summary, pickled, stat_key)
        self._changed = True

    def keep(self, path: str, stat_key: tuple[int, ...] | None = None) -> None:
        """Keep the record read for this path, unchanged, with the file's stat as now known."""
        stored = self._stored.get(path)
        if stored is None:
            return
        if stored[3] != stat_key:
            stored = (*stored[:3], stat_key)
            self._changed = True
        self._kept[path] = stored

    def save(self) -> None:
        """Write the records put in this run (files gone since are dropped), when any changed."""
        if self._signing is None or (not self._changed and self._kept.keys() == self._stored.keys()):
            return
        write_store(self.folder, STORE_NAME, self._signing, (self.key, self._kept))


class KeptFromLastRun(Generic[K, V]):
    """Values one run used, by key, for the next run of the same process (a preview's
    rebuild) to use again; those a run does not use are dropped after it."""

    def __init__(self) -> None:
        self._previous: dict[K, V] = {}
        self._current: dict[K, V] = {}

    def begin(self) -> None:
        """A new run: what the run before used is kept until this one is done."""
        self._previous, self._current = self._current, {}

    def get(self, key: K) -> V | None:
        found = self._current.get(key)
        if found is None:
            found = self._previous.get(key)
        if found is not None:
            self._current[key] = found
        return found

    def put(self, key: K, value: V) -> V:
        self._current[key] = value
        return value


class LoadedRecords(KeptFromLastRun[bytes, Any]):
    """The records one load unpickled, by their pickled bytes, for the next load of the
    same process (a preview's rebuild) to hand out again: unpickling a thousand records
    takes about a tenth of a second of every rebuild, when an edit changes one file.

    Equal bytes unpickle to equal records, so the bytes are the whole key. A record is
    shared by the loads: what a load adds to it is worked out from the same content and
    named by the configuration it depends on (a `Source`'s derived values), and nothing
    else in a record is changed once it is made. Records the last load did not use are dropped.
    """

    def restore(self, pickled: bytes, unpickle: Callable[[bytes], Any | None]) -> Any | None:
        found = self.get(pickled)
        if found is None:
            found = unpickle(pickled)
            if found is not None:
                self.put(pickled, found)
        return found


class SimilarStore:
    """The similar-incident lists of the last run that worked them out, by postmortem id.

    Finding them takes most of an export, and they change only when what they are worked
    out from does: the lists are valid for the key of the document store and a digest of
    every input (each incident's text and metadata, what is left out of each list, how
    many are kept), so one changed title finds them all afresh, while a changed action
    item reuses them. The store is read only when lists are asked for.
    """

    def __init__(self, folder: Path, key: str, signing: bytes | None) -> None:
        self.folder = folder
        self.key = key
        self._signing = signing

    def get(self, inputs: bytes) -> dict[str, Any] | None:
        """The lists stored for these inputs, or None."""
        stored = read_store(self.folder / SIMILAR_STORE_NAME, self._signing)
        if not (isinstance(stored, tuple) and len(stored) == 3 and stored[:2] == (self.key, inputs)):
            return None
        if not isinstance(stored[2], bytes):
            return None
        # Pickled apart: lists of other inputs are never unpickled, only their bytes read.
        lists = DocumentCache.record(stored[2])
        return lists if isinstance(lists, dict) else None

    def put(self, inputs: bytes, lists: dict[str, Any]) -> None:
        """Keep the lists worked out from these inputs for the next run."""
        lists_bytes = pickle.dumps(lists, protocol=pickle.HIGHEST_PROTOCOL)
        write_store(self.folder, SIMILAR_STORE_NAME, self._signing, (self.key, inputs, lists_bytes))


class CheckStore:
    """What the last few runs of `pmkb check` found, each under every input it was worked
    out from (`pipeline.check_inputs`: each file's stat, what was checked, today).

    With the files unchanged since, as their stat tells (`loader.stat_key`, as git's
    index keeps it), a check has nothing to read, parse or compare: all that is left of
    it is starting Python and walking the folders.
    """

    def __init__(self, folder: Path, key: str, signing: bytes | None) -> None:
        self.folder = folder
        self.key = key
        self._signing = signing
        self._read: dict[Any, Any] | None = None

    @classmethod
    def open(cls, root: Path, settings: str) -> CheckStore:
        return cls(root / CACHE_FOLDER, cache_key(settings), signing_key())

    def get(self, inputs: bytes) -> Any | None:
        """The result kept for these inputs, or None."""
        pickled = self._kept().get(inputs)
        return DocumentCache.record(pickled) if isinstance(pickled, bytes) else None

    def put(self, inputs: bytes, result: Any) -> None:
        """Keep this result, with the last few others."""
        kept = {name: value for name, value in self._kept().items() if name != inputs}
        kept[inputs] = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        newest = dict(list(kept.items())[-_KEPT_CHECKS:])
        write_store(self.folder, CHECK_STORE_NAME, self._signing, (self.key, newest))

    def _kept(self) -> dict[Any, Any]:
        # Read once: a check that finds no result keeps its own beside those read.
        if self._read is None:
            self._read = read_keyed_records(self.folder / CHECK_STORE_NAME, self._signing, self.key)
        return self._read
