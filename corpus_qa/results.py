"""Findings, per-expectation outcomes, the gated verdict, exit codes and the JSON contract.

A run gives a :class:`RunResult` (raw statistics: what every expectation found).
:func:`corpus_qa.gate.gate` turns it, with waivers, a baseline, a ``--changed-since``
selection and ``--fail-on``, into one :class:`Verdict`; every output reads that verdict.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus_qa.findings import Hit, Related

if TYPE_CHECKING:
    from corpus_qa.gating import BaselineEntry, WaivedFinding, Waiver

SCHEMA_VERSION = 1
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
"""Ctrl-C (SIGINT), as shells report a process ended by it."""

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
        text = (f"{self.path}:{self.line}:{self.column}: {self.expectation} [{self.reason}] "
                f"{self.message}")
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

    def to_json(self) -> dict[str, Any]:
        """The raw statistics; whether the expectation passed is the verdict's to say."""
        return {
            "type": self.type,
            "severity": self.severity,
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

    def to_json(self, verdict: Verdict) -> dict[str, Any]:
        """The JSON contract: the run's statistics and findings, and ``verdict`` on them.

        ``success``, ``expectations[].success`` / ``status`` / ``fails_run`` /
        ``gated_unexpected``, ``findings[].gate`` and ``gating`` all come from ``verdict``.
        """
        by_type = {e.type: e for e in verdict.expectations}
        findings = []
        for finding, status in zip(self.findings, verdict.statuses, strict=True):
            findings.append({**finding.to_json(), "gate": status})
        return {
            "schema_version": SCHEMA_VERSION,
            "success": verdict.success,
            "fail_on": verdict.fail_on,
            "corpus": self.corpus,
            "suite": self.suite,
            "statistics": {
                "documents": len(self.documents),
                "stories": len(self.stories)
                or len({d.get("story") or d["id"] for d in self.documents}),
                "expectations": len(self.outcomes),
                "findings": self.counts(),
                "skipped_files": len(self.skipped_files),
                "skipped_documents": self.skipped_documents,
            },
            "expectations": [{**o.to_json(), **by_type[o.type].to_json()} for o in self.outcomes],
            "documents": self.documents,
            "stories": self.stories,
            "findings": findings,
            "skipped_files": self.skipped_files,
            "gating": verdict.to_json(),
            "sources": self.sources,
            "run": {
                "started": self.started,
                "duration_s": round(self.duration_s, 3),
                "tool_version": self.tool_version,
            },
        }


# --- the gated verdict -------------------------------------------------------------------

COUNTED = "counted"
"""A finding that counts towards the verdict."""
WAIVED = "waived"
"""A finding an active waiver accepted."""
KNOWN = "known"
"""A finding the baseline already holds."""


@dataclass(frozen=True)
class ExpectationVerdict:
    """One expectation once waived and baselined findings no longer count.

    ``status`` is ``pass``, ``fail`` (too many rows unexpected for ``mostly``) or
    ``error`` (the expectation raised). ``unexpected`` is the run's raw count of
    unexpected rows, ``gated_unexpected`` the rows that still have a counted finding.
    ``fails_run``: the status is not ``pass`` and the severity is at or above fail-on.
    """

    type: str
    severity: str
    status: str
    unexpected: int
    gated_unexpected: int
    fails_run: bool

    @property
    def success(self) -> bool:
        return self.status == "pass"

    def to_json(self) -> dict[str, Any]:
        return {"success": self.success, "status": self.status,
                "gated_unexpected": self.gated_unexpected, "fails_run": self.fails_run}


@dataclass(frozen=True)
class BaselineVerdict:
    """The run's counted-before-baseline findings against a baseline file."""

    path: str
    new: int
    known: int
    fixed: tuple[BaselineEntry, ...]

    @property
    def fixed_count(self) -> int:
        return sum(entry.count for entry in self.fixed)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "new": self.new, "known": self.known,
                "fixed": self.fixed_count, "fixed_findings": [e.to_json() for e in self.fixed]}


@dataclass(frozen=True)
class Verdict:
    """The one verdict of a run, made by :func:`corpus_qa.gate.gate`; outputs only read it.

    ``statuses`` holds, for each finding of the run (in order), whether it is
    :data:`COUNTED`, :data:`WAIVED` or :data:`KNOWN` (in the baseline). ``corpus_problem``
    says why the corpus as a whole fails (no document could be read), else ``None``.
    ``notes`` are the lines the terminal prints before the verdict line.
    """

    fail_on: str
    exit_code: int
    statuses: tuple[str, ...]
    counted: tuple[Finding, ...]
    known: tuple[Finding, ...]
    waived: tuple[WaivedFinding, ...]
    expired_waivers: tuple[Waiver, ...]
    unused_waivers: tuple[Waiver, ...]
    baseline: BaselineVerdict | None
    expectations: tuple[ExpectationVerdict, ...]
    corpus_problem: str | None
    internal_errors: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def success(self) -> bool:
        return self.exit_code == EXIT_PASSED

    @property
    def failing(self) -> tuple[str, ...]:
        """The expectations that fail the run, in suite order."""
        return tuple(e.type for e in self.expectations if e.fails_run)

    def expectation(self, type_: str) -> ExpectationVerdict:
        """The verdict on the expectation ``type_`` (:class:`KeyError` if it did not run)."""
        for item in self.expectations:
            if item.type == type_:
                return item
        raise KeyError(type_)

    def counts(self) -> dict[str, int]:
        """Counted findings by severity."""
        counts = {"error": 0, "warning": 0, "info": 0}
        for finding in self.counted:
            counts[finding.severity] += 1
        return counts

    def closing_line(self, documents: int) -> str:
        """The verdict in one line, as the terminal and the pytest plugin end with it.

        ``corpus-qa: FAILED — 2 documents, 6 errors, 2 warnings, 2 info``, then what the
        waivers and the baseline set aside, if anything.
        """
        counts = self.counts()
        aside = []
        if self.waived:
            aside.append(f"{len(self.waived)} waived")
        if self.known:
            aside.append(f"{len(self.known)} known in the baseline")
        return (f"corpus-qa: {self.word} — {documents} documents, {counts['error']} errors, "
                f"{counts['warning']} warnings, {counts['info']} info"
                + (f" ({', '.join(aside)} not counted)" if aside else ""))

    def not_waived(self) -> Iterator[Finding]:
        """The findings no waiver accepted, counted or known (what a new baseline records)."""
        known = iter(self.known)
        counted = iter(self.counted)
        for status in self.statuses:
            if status == COUNTED:
                yield next(counted)
            elif status == KNOWN:
                yield next(known)

    @property
    def word(self) -> str:
        """``passed`` or ``FAILED``: how every output spells the verdict in text."""
        return "passed" if self.success else "FAILED"

    def to_json(self) -> dict[str, Any]:
        """The ``gating`` object of the JSON results."""
        return {
            "fail_on": self.fail_on,
            "exit_code": self.exit_code,
            "failing": list(self.failing),
            "counted": self.counts(),
            "waived": len(self.waived),
            "waived_findings": [{"document": w.finding.document,
                                 "expectation": w.finding.expectation,
                                 "reason": w.finding.reason, "waiver": w.waiver.location,
                                 "why": w.waiver.why} for w in self.waived],
            "expired_waivers": [{**w.to_json(), "message": w.expired_text()}
                                for w in self.expired_waivers],
            "unused_waivers": [{**w.to_json(), "message": w.unused_text()}
                               for w in self.unused_waivers],
            "baseline": self.baseline.to_json() if self.baseline else None,
            "corpus_problem": self.corpus_problem,
            "internal_errors": list(self.internal_errors),
            "notes": list(self.notes),
        }


def dump_json(data: dict[str, Any]) -> str:
    """Deterministic JSON: sorted keys, UTF-8, a trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(data: dict[str, Any], path: str | Path) -> None:
    """Write ``data`` as :func:`dump_json` to ``path``, atomically."""
    from corpus_qa.outputs import write_atomically

    write_atomically(path, dump_json(data))
