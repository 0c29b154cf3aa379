"""A generated page's source path is the file's real path, as `Path.resolve()` gives it."""

from __future__ import annotations

from pathlib import Path

from pmkb.site.pages import _RealPaths


def test_real_paths_agree_with_resolve(tmp_path: Path, monkeypatch) -> None:
    real = tmp_path / "real"
    (real / "nested").mkdir(parents=True)
    for name in ("a.md", "nested/b.md", "target.md"):
        (real / name).write_text("x\n")
    (real / "linked.md").symlink_to(real / "target.md")
    (tmp_path / "folder-link").symlink_to(real, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    paths = [
        real / "a.md",
        real / "nested" / "b.md",
        real / "linked.md",
        tmp_path / "folder-link" / "a.md",
        tmp_path / "folder-link" / "linked.md",
        Path("real/a.md"),
        Path("folder-link/nested/b.md"),
        real / "missing.md",
    ]
    real_path = _RealPaths()
    for _ in range(2):  # the second round reads the folders it resolved in the first
        assert [real_path(path) for path in paths] == [path.resolve() for path in paths]
    assert real_path(real / "linked.md") == real / "target.md"
