"""Putting the pages a preview rebuild left out back into the site (incremental.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pmkb.site.incremental import SiteFolders, _put_back


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def tree(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): path.read_text() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize("known", [False, True], ids=["looked into", "known from the build before"])
def test_left_out_pages_come_back_whole_folders_and_single_files(tmp_path: Path, known: bool) -> None:
    aside, site = tmp_path / "aside", tmp_path / "site"
    write(aside / "index.html", "home before")
    write(aside / "postmortems/a/index.html", "a")  # only a left-out page: the folder moves
    write(aside / "postmortems/b/index.html", "b")
    write(aside / "postmortems/b/stale.png", "rebuilt elsewhere")  # not an output kept: stays aside
    write(aside / "postmortems/c/index.html", "c")
    write(aside / "flat/one.html", "one")  # without directory URLs, pages share a folder
    write(aside / "flat/two.html", "two")
    write(aside / "mixed/kept.html", "kept")
    write(aside / "mixed/gone.html", "no longer generated")
    write(site / "index.html", "home rebuilt")
    write(site / "postmortems/c/extra.txt", "written by this build")
    write(site / "postmortems/index.html", "list rebuilt")

    outputs = [
        "postmortems/a/index.html",
        "postmortems/b/index.html",
        "postmortems/c/index.html",
        "flat/one.html",
        "flat/two.html",
        "mixed/kept.html",
    ]
    # What the build before left: the files of its file list (the theme's own files aside).
    left = SiteFolders.of(name for name in tree(aside) if name != "index.html") if known else None
    _put_back(aside, site, outputs, left)

    assert tree(site) == {
        "index.html": "home rebuilt",
        "postmortems/index.html": "list rebuilt",
        "postmortems/a/index.html": "a",
        "postmortems/b/index.html": "b",
        "postmortems/c/index.html": "c",
        "postmortems/c/extra.txt": "written by this build",
        "flat/one.html": "one",
        "flat/two.html": "two",
        "mixed/kept.html": "kept",
    }
    assert tree(aside) == {
        "index.html": "home before",
        "postmortems/b/stale.png": "rebuilt elsewhere",
        "mixed/gone.html": "no longer generated",
    }
    assert not (aside / "postmortems/a").exists() and not (aside / "flat").exists()


def test_what_a_build_left_in_each_folder() -> None:
    left = SiteFolders.of(["index.html", "postmortems/a/index.html", "postmortems/a/img/x.png", "p/b/index.html"])
    assert left.holds_only("p/b", {"index.html"})
    assert not left.holds_only("postmortems/a", {"index.html"}), "it holds a folder as well"
    assert not left.holds_only("p/b", {"index.html", "other.html"})
    assert not left.holds_only("p/c", {"index.html"}), "a folder it did not write to"
