"""The package's own hygiene: one copy of each shared type, no reaching into another
module's private helpers (a helper two modules use gets a public name where it lives)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import corpus_qa

PACKAGE = Path(corpus_qa.__file__).resolve().parent

# Private names still imported across modules, in modules other work is changing; each
# is to get a public name there. New ones are not allowed.
LEFTOVER_PRIVATE_IMPORTS = {
    ("corpus_qa/repair/diacritics.py", "corpus_qa.checks.versions", "_consistent_accents"),
    ("corpus_qa/sources/locate.py", "corpus_qa.sources.parquet", "_pyarrow"),
}


def _modules() -> list[tuple[str, ast.Module]]:
    return [(f"corpus_qa/{path.relative_to(PACKAGE).as_posix()}", ast.parse(path.read_text()))
            for path in sorted(PACKAGE.rglob("*.py"))]


def test_no_module_imports_another_modules_private_names() -> None:
    imported = {
        (name, node.module, alias.name)
        for name, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("corpus_qa")
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    }
    assert imported <= LEFTOVER_PRIVATE_IMPORTS, sorted(imported - LEFTOVER_PRIVATE_IMPORTS)


def test_each_protocol_is_defined_once() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for name, tree in _modules():
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id == "Protocol" for base in node.bases):
                where[node.name].append(name)
    assert {cls: files for cls, files in where.items() if len(files) > 1} == {}


def test_hit_like_is_what_hits_and_findings_share() -> None:
    from corpus_qa.findings import Hit, HitLike
    from corpus_qa.results import Finding

    wanted = {n for n, v in vars(HitLike).items() if isinstance(v, property)}
    assert wanted == {"reason", "message", "span", "suggestion", "key"}
    for cls in (Hit, Finding):
        assert wanted <= set(cls.__dataclass_fields__), cls
