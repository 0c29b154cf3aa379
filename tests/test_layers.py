"""The import graph points one way: model -> loader/config -> index -> rules/reports -> site/cli.

Each module is imported alone in a fresh interpreter, so a module that only works
because something else was imported first, or that pulls in a layer above its own,
fails here.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pmkb

# Module name prefixes by layer, lowest first; a module may import its own layer and below.
LAYERS: list[tuple[str, ...]] = [
    (
        "pmkb.model",
        "pmkb.findings",
        "pmkb.patterns",
        "pmkb.suggest",
        "pmkb.times",
        "pmkb.markdown_text",
        "pmkb.plaintext",
        "pmkb.jsontext",
        "pmkb.cache",
    ),
    ("pmkb.blocks", "pmkb.loader", "pmkb.config", "pmkb.validation", "pmkb.schema", "pmkb.prompts", "pmkb.sections"),
    ("pmkb.index", "pmkb.similarity"),
    ("pmkb.rules", "pmkb.reports", "pmkb.report_models", "pmkb.incidents"),
    ("pmkb.pipeline",),
    ("pmkb.site", "pmkb.cli", "pmkb.scaffold", "pmkb.init", "pmkb.incidents.draft"),
]
# The core serves the CLI and the site alike, so it knows neither.
FRONT_END_PACKAGES = ("mkdocs", "click", "jinja2", "material")
CORE_LAYERS = 4


def _layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (number, len(prefix))
    return None if best is None else best[0]


def _modules() -> list[str]:
    names = [info.name for info in pkgutil.walk_packages(pmkb.__path__, "pmkb.")]
    return sorted(names, key=lambda name: (_layer_of(name) if _layer_of(name) is not None else -1, name))


ALL_MODULES = _modules()

# One fresh interpreter imports every module, lowest layer first; after each import,
# nothing of a higher layer (nor, for the core, of a front end) may have been loaded.
_IN_LAYER_ORDER = """
import json, sys
report = []
for module in json.loads(sys.argv[1]):
    before = set(sys.modules)
    __import__(module)
    report.append([module, sorted(set(sys.modules) - before)])
print(json.dumps(report))
"""
_PROBE = """
import json, sys
import {module}
print(json.dumps(sorted(sys.modules)))
"""


def _run(code: str, *args: str) -> str:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"importing fails:\n{result.stderr}"
    return result.stdout


def _imported_by(module: str) -> list[str]:
    loaded: list[str] = json.loads(_run(_PROBE.format(module=module)))
    return loaded


def _pmkb_imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every pmkb module a source file imports, at module level or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith("pmkb.") and _layer_of(name) is not None:
                yield node.lineno, name


def test_every_module_has_a_layer():
    unplaced = [name for name in ALL_MODULES if _layer_of(name) is None]
    assert unplaced == [], "add each new module to LAYERS in tests/test_layers.py"


def test_modules_import_in_layer_order_in_a_fresh_interpreter():
    report = json.loads(_run(_IN_LAYER_ORDER, json.dumps(ALL_MODULES)))
    problems = []
    for module, newly_loaded in report:
        own = _layer_of(module)
        assert own is not None
        above = [name for name in newly_loaded if name.startswith("pmkb.") and (_layer_of(name) or 0) > own]
        if above:
            problems.append(f"{module} loads {above}")
        if own < CORE_LAYERS:
            front_end = sorted({name.split(".")[0] for name in newly_loaded} & set(FRONT_END_PACKAGES))
            if front_end:
                problems.append(f"{module} is core yet loads {front_end}")
    assert [module for module, _ in report] == ALL_MODULES
    assert problems == []


def test_no_source_file_imports_upward_even_inside_a_function():
    root = Path(pmkb.__file__).parent
    problems = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        own = _layer_of(module)
        for line, name in _pmkb_imports(path):
            if own is not None and (_layer_of(name) or 0) > own:
                problems.append(f"{path.relative_to(root.parent)}:{line}: imports {name}")
    assert problems == []


def test_the_index_imports_no_rule():
    loaded = _imported_by("pmkb.index")
    assert "pmkb.index" in loaded
    assert [name for name in loaded if name == "pmkb.rules" or name.startswith("pmkb.rules.")] == []


def test_the_probe_sees_what_a_module_drags_in():
    # The CLI loads the rules and click: were it placed in a lower layer, the checks above would fail.
    loaded = _imported_by("pmkb.cli")
    assert "pmkb.rules" in loaded and "click" in loaded
