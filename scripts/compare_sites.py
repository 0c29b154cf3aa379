#!/usr/bin/env python3
"""Compare two built sites, whitespace aside: `compare_sites.py BEFORE AFTER`.

For refactorings that must not change what the site shows. Text files (HTML, XML,
JSON, CSS, JS, SVG) are compared with every run of whitespace collapsed and the
whitespace between tags dropped; gzip files by their content; anything else byte
for byte. Exits 0 when the sites match, 1 with the differences listed otherwise.
"""

from __future__ import annotations

import difflib
import gzip
import re
import sys
from pathlib import Path

TEXT_SUFFIXES = {".html", ".xml", ".json", ".css", ".js", ".svg", ".txt", ".map"}
_SPACE = re.compile(r"\s+")
_BETWEEN_TAGS = re.compile(r">\s+<")


def normalized(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
        path = path.with_suffix("")
    if path.suffix not in TEXT_SUFFIXES:
        return data
    text = data.decode("utf-8", errors="replace")
    return _BETWEEN_TAGS.sub("><", _SPACE.sub(" ", text)).strip().encode("utf-8")


def first_difference(before: bytes, after: bytes, context: int = 160) -> str:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag != "equal":
            old = before[max(0, a0 - context) : a1 + context].decode("utf-8", "replace")
            new = after[max(0, b0 - context) : b1 + context].decode("utf-8", "replace")
            return f"  before: …{old}…\n  after:  …{new}…"
    return ""


def compare(before_root: Path, after_root: Path) -> list[str]:
    before = {path.relative_to(before_root) for path in before_root.rglob("*") if path.is_file()}
    after = {path.relative_to(after_root) for path in after_root.rglob("*") if path.is_file()}
    problems = [f"only before: {path}" for path in sorted(before - after)]
    problems += [f"only after: {path}" for path in sorted(after - before)]
    for path in sorted(before & after):
        old, new = normalized(before_root / path), normalized(after_root / path)
        if old != new:
            detail = first_difference(old, new) if len(old) + len(new) < 2_000_000 else ""
            problems.append(f"differs: {path}\n{detail}".rstrip())
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    problems = compare(Path(argv[0]), Path(argv[1]))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} difference{'s' * (len(problems) != 1)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
