"""The source stays clean under the project's ruff rules ([tool.ruff] in pyproject.toml),
and keeps the layout rules of docs/architecture.md."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "wiretrace"
ENGINES = {"local": {"local", "pool"}, "search": {"search", "search_pool"},
           "spark": {"spark", "spark_stages", "spark_stories", "spark_work"}}


def _ruff() -> list[str] | None:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    return [exe] if exe else None


@pytest.mark.skipif(_ruff() is None, reason="ruff is not installed (pip install -e .[test])")
def test_ruff_is_clean():
    got = subprocess.run([*_ruff(), "check", "--output-format", "concise", str(SRC)],
                         capture_output=True, text=True, cwd=SRC.parent.parent)
    assert got.returncode == 0, got.stdout + got.stderr


def _modules() -> dict[str, Path]:
    out = {}
    for p in SRC.rglob("*.py"):
        rel = p.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = p
    return out


def _imports(mod: str, path: Path):
    """(imported module, imported name or None) for each import inside the package."""
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = mod.split(".") if is_pkg else mod.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            for a in node.names:
                yield target, a.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wiretrace"):
            for a in node.names:
                yield node.module, a.name


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_name_crosses_a_module_boundary():
    mods = _modules()
    bad = []
    for m, p in mods.items():
        imported = {}  # local name -> module, for ``from . import x`` of a module
        for t, n in _imports(m, p):
            if _private(n) and t != m:
                bad.append((m, t, n))
            if f"{t}.{n}" in mods:
                imported[n] = f"{t}.{n}"
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.alias) and node.asname and node.name in imported:
                imported[node.asname] = imported[node.name]
        bad += [(m, imported[node.value.id], node.attr) for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in imported and _private(node.attr)]
    assert bad == []


def test_no_import_cycles_and_no_engine_imports_another():
    mods = _modules()
    edges = {m: set() for m in mods}
    for m, p in mods.items():
        for t, n in _imports(m, p):
            edges[m].add(f"{t}.{n}" if f"{t}.{n}" in mods else t)
    owner = {f"wiretrace.engines.{x}": e for e, group in ENGINES.items() for x in group}
    cross = [(a, b) for a in edges for b in edges[a]
             if a in owner and b in owner and owner[a] != owner[b] and not b.endswith(".pool")]
    assert cross == []
    # a cycle shows as a module reachable from itself
    for start in mods:
        seen, todo = set(), [t for t in edges[start] if t in mods]
        while todo:
            x = todo.pop()
            if x == start:
                pytest.fail(f"import cycle through {start}")
            if x not in seen:
                seen.add(x)
                todo.extend(t for t in edges.get(x, ()) if t in mods)


def test_modules_stay_under_600_lines():
    long = {m: p.read_text(encoding="utf-8").count("\n") for m, p in _modules().items()}
    assert {m: n for m, n in long.items() if n > 600} == {}
