"""Speed of the PMKB012 blame-language detector (``find_blame``), in ms per postmortem.

Three workloads:

* synthetic: the postmortems ``bench_build.write_sites`` writes (``--size`` of them,
  ~6 KB each, system-focused prose), generated in a temporary directory;
* synthetic+blame: the same files with a blaming and a blameless sentence added to
  every section, so that every file goes through masking and the rules;
* examples: the example postmortems in this repository's postmortems/ folder.

    python benchmarks/bench_blame.py --size 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pmkb.rules.blame import find_blame
from pmkb.rules.blame.text import code_blocks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import write_sites  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MIXED_IN = (
    "Bob forgot to run the migration before deploying, and the on-call engineer failed to escalate.",
    "The health check failed to detect the stale replica because the probe only checked the port.",
    "It was not human error; nobody is to blame for the missing confirmation prompt.",
    "Priya should have noticed the replica lag, but the dashboard did not show it.",
)


def synthetic(size: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        write_sites(Path(tmp), size)
        return [path.read_text(encoding="utf-8") for path in sorted((Path(tmp) / "pmkb" / "postmortems").glob("*.md"))]


def with_blame(texts: list[str]) -> list[str]:
    mixed = []
    for index, text in enumerate(texts):
        sections = text.split("\n## ")
        for number in range(1, len(sections)):
            extra = " ".join(MIXED_IN[(index + number + k) % len(MIXED_IN)] for k in range(2))
            head, _, body = sections[number].partition("\n\n")
            sections[number] = f"{head}\n\n{extra} {body}"
        mixed.append("\n## ".join(sections))
    return mixed


def measure(texts: list[str], repeat: int) -> tuple[float, int]:
    """Median ms per text over ``repeat`` runs, and the number of hits.

    The code blocks are found beforehand, as the loader finds them once per file for
    every rule and ``pmkb check`` hands them to the detector.
    """
    codes = [code_blocks(text) for text in texts]
    times, hits = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        hits = sum(1 for text, code in zip(texts, codes, strict=False) for _ in find_blame(text, code=code))
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000 / len(texts), hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="synthetic postmortems to generate")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    base = synthetic(args.size)
    workloads = {"synthetic": base, "synthetic+blame": with_blame(base)}
    examples = sorted((REPO / "postmortems").rglob("*.md"))
    if examples:
        workloads["examples"] = [path.read_text(encoding="utf-8") for path in examples]

    print(f"{'workload':<16} {'files':>6} {'KB/file':>8} {'ms/file':>8} {'total s':>8} {'hits':>6}")
    for name, texts in workloads.items():
        per_file, hits = measure(texts, args.repeat)
        size_kb = sum(len(text) for text in texts) / len(texts) / 1000
        print(
            f"{name:<16} {len(texts):>6} {size_kb:>8.1f} {per_file:>8.3f} "
            f"{per_file * len(texts) / 1000:>8.2f} {hits:>6}"
        )


if __name__ == "__main__":
    main()
