"""Findings, per-expectation outcomes, the run's verdict, exit codes and the JSON contract."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus_qa.findings import Hit, Related

SCHEMA_VERSION = 1
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

EXCERPT_CHARS = 80


@dataclass(frozen=True, slots=True)
class Finding:
    """A hit placed in its context: expectation, severity, document, line and column."""

    expectation: str
    severity: str
    document: str
    path: str
    reason: str
    message: str
    span: tuple[int, int]
    line: int
    column: int
    excerpt: str
    related: Related | None = None
    suggestion: str | None = None
    key: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (self.path, self.document, self.span, SEVERITY_ORDER[self.severity],
                self.expectation, self.reason, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "expectation": self.expectation,
            "severity": self.severity,
            "document": self.document,
            "path": self.path,
            "reason": self.reason,
            "message": self.message,
            "span": list(self.span),
            "line": self.line,
            "column": self.column,
            "excerpt": self.excerpt,
            "related": (
                {"document": self.related.document, "span": list(self.related.span)}
                if self.related else None
            ),
            "suggestion": self.suggestion,
            "key": self.key,
        }

    def line_text(self) -> str:
        """The grep-able one-liner: ``path:line:col: expectation [reason] message``."""
        text = f"{self.path}:{self.line}:{self.column}: {self.expectation} [{self.reason}] {self.message}"
        if self.suggestion:
            text += f" (suggestion: {self.suggestion})"
        return text


def locate(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character ``offset`` in ``text``.

    >>> locate("ab\\ncd", 4)
    (2, 2)
    """
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def excerpt(text: str, span: tuple[int, int], limit: int = EXCERPT_CHARS) -> str:
    """The span's text on one line, cut to ``limit`` characters with an ellipsis.

    >>> excerpt("one\\ntwo three", (0, 13), limit=9)
    'one two …'
    """
    piece = " ".join(text[span[0]:span[1]].split())
    if not piece and span[0] < len(text):  # an empty span: show what follows it
        piece = " ".join(text[span[0]:span[0] + limit].split())
    return piece if len(piece) <= limit else piece[: limit - 1].rstrip() + " …"


def place(hit: Hit, expectation: str, severity: str, document: str, path: str, text: str,
          first_line: int = 1) -> Finding:
    """Turn a check's hit into a finding for ``document`` (whose text starts at ``first_line``)."""
    line, column = locate(text, hit.span[0])
    return Finding(
        expectation=expectation, severity=severity, document=document, path=path,
        reason=hit.reason, message=hit.message, span=hit.span,
        line=line + first_line - 1, column=column, excerpt=excerpt(text, hit.span),
        related=hit.related, suggestion=hit.suggestion, key=hit.key,
    )


@dataclass
class Outcome:
    """One expectation's result over the whole corpus (aggregated across chunks)."""

    type: str
    severity: str
    mostly: float
    kwargs: dict[str, Any]
    description: str
    scope: str = "document"
    checked: int = 0
    unexpected: int = 0
    missing: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        """``mostly`` applies to the whole corpus: at least that fraction of rows passed."""
        if self.errors:
            return False
        considered = self.checked - self.missing
        if considered <= 0:
            return True
        return (considered - self.unexpected) / considered >= self.mostly

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "severity": self.severity,
            "success": self.success,
            "checked": self.checked,
            "unexpected": self.unexpected,
            "mostly": self.mostly,
            "kwargs": self.kwargs,
            "description": self.description,
            "scope": self.scope,
            "errors": self.errors,
            "exception": self.errors[0].splitlines()[0] if self.errors else None,
        }


@dataclass
class RunResult:
    """Everything one validation run found."""

    suite: str
    corpus: list[str]
    outcomes: list[Outcome]
    findings: list[Finding]
    documents: list[dict[str, Any]]
    stories: list[dict[str, Any]] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    skipped_documents: int = 0
    """Documents read but not validated (not selected by ``--changed-since``)."""
    started: str = ""
    duration_s: float = 0.0
    tool_version: str = ""
    sources: list[dict[str, Any]] = field(default_factory=list)
    """Per corpus file read: path, format, records read, documents, problems (in order)."""
    text_of: Callable[[str], str] | None = field(default=None, repr=False, compare=False)
    """The text of a validated document by id, as validated (for outputs that show it)."""

    @property
    def internal_errors(self) -> list[str]:
        return [f"{o.type}: {e}" for o in self.outcomes for e in o.errors]

    def counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def failed(self, fail_on: str = "error") -> list[Outcome]:
        """Expectations that failed at or above the ``fail_on`` severity."""
        limit = SEVERITY_ORDER[fail_on]
        return [o for o in self.outcomes if not o.success and SEVERITY_ORDER[o.severity] <= limit]

    def success(self, fail_on: str = "error") -> bool:
        return not self.internal_errors and not self.failed(fail_on)

    def exit_code(self, fail_on: str = "error") -> int:
        """0 passed, 1 expectations failed, 3 an expectation raised (an internal error)."""
        if self.internal_errors:
            return EXIT_INTERNAL
        return EXIT_PASSED if self.success(fail_on) else EXIT_FAILED

    def to_json(self, fail_on: str = "error") -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "success": self.success(fail_on),
            "fail_on": fail_on,
            "corpus": self.corpus,
            "suite": self.suite,
            "statistics": {
                "documents": len(self.documents),
                "stories": len(self.stories) or len({d.get("story") or d["id"] for d in self.documents}),
                "expectations": len(self.outcomes),
                "findings": self.counts(),
                "skipped_files": len(self.skipped_files),
                "skipped_documents": self.skipped_documents,
            },
            "expectations": [o.to_json() for o in self.outcomes],
            "documents": self.documents,
            "stories": self.stories,
            "findings": [f.to_json() for f in self.findings],
            "skipped_files": self.skipped_files,
            "sources": self.sources,
            "run": {
                "started": self.started,
                "duration_s": round(self.duration_s, 3),
                "tool_version": self.tool_version,
            },
        }


def dump_json(data: dict[str, Any]) -> str:
    """Deterministic JSON: sorted keys, UTF-8, a trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(data: dict[str, Any], path: str | Path) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_json(data), encoding="utf-8")
