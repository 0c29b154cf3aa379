"""Cost of similar incidents: building the text index and finding every incident's
neighbours, over the deterministic synthetic knowledge base of `generate.py`.

Each size is loaded once; the figures are the best of `--repeat` runs, in CPU seconds
of this process (a shared machine's load does not inflate them), of (a) building
the index from the loaded postmortems and (b) `KnowledgeBase.similar` for every one of
them, which is what the site build and `pmkb export` do. Doubling the size should
roughly double (b): each lookup walks capped postings, never every other incident.

    python benchmarks/bench_similarity.py --sizes 1250 2500 5000 --repeat 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from pmkb.config import load_config
from pmkb.index import KnowledgeBase
from pmkb.pipeline import load_knowledge_base

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_sites


def measure(kb: KnowledgeBase, repeat: int) -> tuple[float, float, int]:
    """Best seconds to build the index, best seconds for every lookup, pairs found."""
    builds, lookups = [], []
    found = 0
    for _ in range(repeat):
        # Drop the cached index and the lists found with it: each run starts from nothing.
        kb.__dict__.pop("similarity", None)
        kb._similar.clear()
        start = time.process_time()
        _ = kb.similarity
        built = time.process_time()
        found = sum(len(kb.similar(pm_id)) for pm_id in kb.postmortems)
        done = time.process_time()
        builds.append(built - start)
        lookups.append(done - built)
    return min(builds), min(lookups), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1250, 2500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'postmortems':>11}  {'index build':>11}  {'all lookups':>11}  {'per lookup':>10}  {'pairs':>6}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            _, config_file = write_sites(Path(folder), size)
            kb = load_knowledge_base(load_config(config_file), date(2026, 11, 23)).kb
            build, lookups, found = measure(kb, args.repeat)
        per_lookup = lookups / max(1, len(kb.postmortems)) * 1000
        print(f"{size:>11}  {build:>10.2f}s  {lookups:>10.2f}s  {per_lookup:>8.2f}ms  {found:>6}")


if __name__ == "__main__":
    main()
