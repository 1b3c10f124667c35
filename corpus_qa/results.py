"""Findings, per-expectation outcomes, the gated verdict, exit codes and the JSON contract.

A run gives a :class:`RunResult` (raw statistics: what every expectation found).
:func:`corpus_qa.gate.gate` turns it, with waivers, a baseline, a ``--changed-since``
selection and ``--fail-on``, into one :class:`Verdict`; every output reads that verdict.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
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
class Occurrence:
    """One more place where a finding's defect shows: span, line, column, excerpt, message."""

    span: tuple[int, int]
    line: int
    column: int
    excerpt: str
    message: str
    suggestion: str | None = None
    text_line: int | None = None
    text_column: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"span": list(self.span), "line": self.line, "column": self.column,
                "excerpt": self.excerpt, "message": self.message,
                "suggestion": self.suggestion, "text_line": self.text_line,
                "text_column": self.text_column}


@dataclass(frozen=True, slots=True)
class Finding:
    """A hit placed in its context: expectation, severity, document, line and column.

    ``line`` and ``column`` are where the finding is in its *file*. For a text file that
    is where the span starts. For a record (``record`` is ``"line"`` for a JSON Lines
    record, ``"row"`` for a Parquet row) it is the record itself: its line (or row) and
    column 1. ``text_line`` and ``text_column`` are where the span starts in the
    document's text (``None`` for input findings, which have no text).

    A finding is one defect (one root cause): one reason in one document (per ``key``
    and related document). The fields describe its first occurrence; ``also`` holds the
    others (every mojibake run of a mis-decoded file is one finding with many spans).
    """

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
    record: str | None = None
    text_line: int | None = None
    text_column: int | None = None
    also: tuple[Occurrence, ...] = ()

    @property
    def spans(self) -> int:
        """How many places the defect shows in (occurrences)."""
        return 1 + len(self.also)

    def occurrences(self) -> tuple[Finding, ...]:
        """Each occurrence as a one-span finding (the first is this finding's own span)."""
        first = replace(self, also=()) if self.also else self
        return (first, *(replace(first, span=o.span, line=o.line, column=o.column,
                                 excerpt=o.excerpt, message=o.message,
                                 suggestion=o.suggestion, text_line=o.text_line,
                                 text_column=o.text_column) for o in self.also))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its field values, rebuilt by the constructor: twice as fast as the
        # default for a slotted dataclass (findings cross processes and go through the
        # run's spools several times).
        return (Finding, _FINDING_FIELDS(self))

    def root_cause(self) -> tuple[Any, ...]:
        """What makes two findings one defect: expectation, document, reason, key, related."""
        return (self.expectation, self.document, self.reason, self.key,
                self.related.document if self.related else None)

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
            "record": self.record,
            "text_line": self.text_line,
            "text_column": self.text_column,
            "occurrences": self.spans,
            "spans": [Occurrence(self.span, self.line, self.column, self.excerpt,
                                 self.message, self.suggestion, self.text_line,
                                 self.text_column).to_json(),
                      *(o.to_json() for o in self.also)],
        }

    def location(self) -> str:
        """Where the finding is: ``path:line:col`` in a text file, ``path:line`` for a record."""
        return location(self.to_json())

    def line_text(self) -> str:
        """The grep-able one-liner: ``path:line:col: expectation [reason] message``.

        A finding in a record says where in the record's text it is:
        ``part-0.jsonl:4: expectation [reason] text line 3, column 10: message``; a
        finding of several occurrences says how many (``[mojibake ×21]``).
        """
        text = finding_line(self.to_json())
        if self.suggestion:
            text += f" (suggestion: {self.suggestion})"
        return text


def location(finding: Mapping[str, Any]) -> str:
    """``path:line:col`` of a finding (as JSON) in a text file, ``path:line`` for a record.

    >>> location({"path": "a.txt", "line": 3, "column": 5})
    'a.txt:3:5'
    >>> location({"path": "part-0.jsonl", "line": 4, "column": 1, "record": "line"})
    'part-0.jsonl:4'
    """
    if finding.get("record"):
        return f"{finding['path']}:{finding.get('line', 1)}"
    return f"{finding['path']}:{finding.get('line', 1)}:{finding.get('column', 1)}"


def in_record(finding: Mapping[str, Any]) -> str:
    """For a finding in a record, where it is inside the record (else ``""``).

    >>> in_record({"record": "line", "line": 4, "text_line": 3, "text_column": 10,
    ...            "span": [40, 45]})
    'text line 3, column 10'
    >>> in_record({"record": "row", "line": 12, "text_line": None, "span": [0, 0]})
    'row 12'
    >>> in_record({"line": 3, "text_line": 3, "text_column": 1, "span": [9, 12]})
    ''
    """
    record = finding.get("record")
    if not record:
        return ""
    parts = [f"row {finding.get('line', 1)}"] if record == "row" else []
    span = finding.get("span") or (0, 0)
    if finding.get("text_line") and tuple(span) != (0, 0):  # (0, 0): the whole document
        parts.append(f"text line {finding['text_line']}, column {finding.get('text_column', 1)}")
    return ", ".join(parts)


def finding_line(finding: Mapping[str, Any]) -> str:
    """One grep-able line of a finding (as JSON): ``path:line:col: expectation [reason] message``.

    >>> finding_line({"path": "p.jsonl", "line": 4, "column": 1, "record": "line",
    ...               "text_line": 2, "text_column": 5, "span": [9, 12],
    ...               "expectation": "e", "reason": "r", "message": "bad"})
    'p.jsonl:4: e [r] text line 2, column 5: bad'
    """
    message = " ".join(str(finding.get("message", "")).split())
    inside = in_record(finding)
    times = f" ×{finding['occurrences']}" if finding.get("occurrences", 1) > 1 else ""
    return (f"{location(finding)}: {finding['expectation']} [{finding['reason']}{times}] "
            + (f"{inside}: " if inside else "") + message)


_FINDING_FIELDS = attrgetter(*(f.name for f in fields(Finding)))


def group(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per root cause (:meth:`Finding.root_cause`), its occurrences in span order.

    The groups keep the order in which their first finding came.

    >>> a = Finding("e", "error", "d", "d.txt", "mojibake", "one", (9, 12), 2, 1, "x")
    >>> b = Finding("e", "error", "d", "d.txt", "mojibake", "two", (0, 3), 1, 1, "y")
    >>> (one,) = group([a, b])
    >>> one.message, one.spans, [o.span for o in one.occurrences()]
    ('two', 2, [(0, 3), (9, 12)])
    """
    groups: dict[tuple[Any, ...], list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.root_cause(), []).append(finding)
    out = []
    for members in groups.values():
        if len(members) == 1:
            out.append(members[0])
            continue
        members.sort(key=lambda f: f.span)
        first = members[0]
        out.append(replace(first, also=tuple(
            Occurrence(f.span, f.line, f.column, f.excerpt, f.message, f.suggestion,
                       f.text_line, f.text_column)
            for f in members[1:])))
    return out


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
          first_line: int = 1, record: str | None = None) -> Finding:
    """Turn a check's hit into a finding for ``document``.

    ``first_line`` is where the document starts in its file; ``record`` is ``None`` for a
    whole file, ``"line"`` / ``"row"`` for a JSON Lines record / Parquet row, whose
    findings are placed at ``first_line`` (the record's line or row) and column 1.

    >>> from corpus_qa.findings import Hit
    >>> hit = Hit("r", "m", (6, 9))
    >>> f = place(hit, "e", "error", "d", "p.jsonl", "One.\\nA bad.", 4, record="line")
    >>> (f.line, f.column, f.text_line, f.text_column)
    (4, 1, 2, 2)
    >>> f = place(hit, "e", "error", "d", "p.txt", "One.\\nA bad.")
    >>> (f.line, f.column, f.text_line, f.text_column)
    (2, 2, 2, 2)
    """
    text_line, text_column = locate(text, hit.span[0])
    if record is None:
        line, column = text_line + first_line - 1, text_column
    else:
        line, column = first_line, 1
    return Finding(
        expectation=expectation, severity=severity, document=document, path=path,
        reason=hit.reason, message=hit.message, span=hit.span,
        line=line, column=column, excerpt=excerpt(text, hit.span),
        related=hit.related, suggestion=hit.suggestion, key=hit.key,
        record=record, text_line=text_line, text_column=text_column,
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
class Tally:
    """Findings (defects) and their places (spans) by severity, counted in one pass.

    >>> tally = Tally()
    >>> tally.add(Finding("e", "warning", "d", "d.txt", "r", "m", (0, 1), 1, 1, "x"))
    >>> tally.findings, tally.places["warning"]
    ({'error': 0, 'warning': 1, 'info': 0}, 1)
    """

    findings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITY_ORDER, 0))
    places: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITY_ORDER, 0))

    def add(self, finding: Finding) -> None:
        self.findings[finding.severity] += 1
        self.places[finding.severity] += finding.spans

    def __iadd__(self, other: Tally) -> Tally:
        for severity in SEVERITY_ORDER:
            self.findings[severity] += other.findings[severity]
            self.places[severity] += other.places[severity]
        return self

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Tally:
        tally = cls()
        for finding in findings:
            tally.add(finding)
        return tally


@dataclass
class RunResult:
    """Everything one validation run found."""

    suite: str
    corpus: list[str]
    outcomes: list[Outcome]
    findings: Collection[Finding]
    """The findings in :meth:`Finding.sort_key` order: a list, or a run's on-disk spool
    (:class:`corpus_qa.engine.rowstore.SortedSpool`: ``len`` and iteration only)."""
    documents: Collection[dict[str, Any]]
    """The document records in corpus order: a list, or a run's on-disk spool
    (:class:`corpus_qa.engine.rowstore.RecordSpool`: ``len`` and iteration only)."""
    stories: Collection[dict[str, Any]] = field(default_factory=list)
    """The stories pass 2 validated, in the order they were validated: a list, or a
    run's on-disk spool (``len`` and iteration only)."""
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
    pairs_of: Callable[[str], list[dict[str, Any]]] | None = field(
        default=None, repr=False, compare=False)
    """The story view's pairs of a story by id (``{"documents", "aligned", "figures"}``
    each), kept on disk during the run and not part of the JSON results."""

    @property
    def internal_errors(self) -> list[str]:
        return [f"{o.type}: {e}" for o in self.outcomes for e in o.errors]

    def counts(self) -> dict[str, int]:
        """Findings (defects) by severity."""
        return Tally.of(self.findings).findings

    def occurrence_counts(self) -> dict[str, int]:
        """Occurrences (spans) of the findings by severity."""
        return Tally.of(self.findings).places

    def to_json(self, verdict: Verdict) -> dict[str, Any]:
        """The JSON contract: the run's statistics and findings, and ``verdict`` on them.

        ``success``, ``expectations[].success`` / ``status`` / ``fails_run`` /
        ``gated_unexpected``, ``findings[].gate`` and ``gating`` all come from ``verdict``.
        """
        by_type = {e.type: e for e in verdict.expectations}
        findings = GatedFindings(self.findings, verdict.statuses)
        tally = verdict.tally() or Tally.of(self.findings)  # the gate counted them already
        return {
            "schema_version": SCHEMA_VERSION,
            "success": verdict.success,
            "fail_on": verdict.fail_on,
            "corpus": self.corpus,
            "suite": self.suite,
            "statistics": {
                "documents": len(self.documents),
                "stories": len(self.stories) or _distinct_stories(self.documents),
                "expectations": len(self.outcomes),
                "findings": tally.findings,
                "occurrences": tally.places,
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


def _distinct_stories(documents: Collection[Mapping[str, Any]]) -> int:
    """How many stories the documents belong to (a document without one is its own),
    counted without holding every id in memory: a 64-bit hash of each story in a NumPy
    array (8 bytes a document); only when two hashes are equal (a story of several
    documents, or two stories of one hash) are the stories counted again, exactly, by
    :class:`corpus_qa.diskmap.SeenIds` (which keeps each story on disk)."""
    import numpy as np

    from corpus_qa.diskmap import SeenIds

    hashes = np.fromiter((hash(d.get("story") or d["id"]) for d in documents), dtype=np.int64,
                         count=len(documents))
    hashes.sort()
    if not (hashes[1:] == hashes[:-1]).any():
        return len(hashes)
    seen, count = SeenIds(), 0
    for document in documents:
        story = document.get("story") or document["id"]
        if story not in seen:
            seen[story] = None
            count += 1
    return count


class GatedFindings:
    """The findings of the JSON results (``{**finding.to_json(), "gate": status}``), made
    as they are read: ``len`` and iteration, each a fresh pass over the run's findings,
    so the results of a run of millions of findings are never all in memory at once."""

    def __init__(self, findings: Collection[Finding], statuses: Iterable[str]) -> None:
        self._findings, self._statuses = findings, statuses

    def __len__(self) -> int:
        return len(self._findings)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for finding, status in zip(self._findings, self._statuses, strict=True):
            yield {**finding.to_json(), "gate": status}

    def json_texts(self, depth: int) -> Iterator[str]:
        """The text :func:`stream_json` writes for each finding at ``depth``: what
        ``_indented`` makes of it as a dict, written from the finding's fields directly
        (the results' largest list: 7 µs a finding instead of 18, measured on the
        missing-field findings of generated news). A finding with a field of an unusual type (not a
        plain ``str``/``int``/``None``) goes the dict's way."""
        newline = "\n" + "  " * depth
        for finding, status in zip(self._findings, self._statuses, strict=True):
            text = _finding_text(finding, status, newline)
            yield _indented({**finding.to_json(), "gate": status}, depth) if text is None else text


# --- the gated verdict -------------------------------------------------------------------

COUNTED = "counted"
"""A finding that counts towards the verdict."""
WAIVED = "waived"
"""A finding an active waiver accepted."""
KNOWN = "known"
"""A finding the baseline already holds."""


class Statuses(Sequence[str]):
    """The gate status of each finding of a run, in order: one byte per finding.

    >>> statuses = Statuses([COUNTED, WAIVED])
    >>> statuses.append(KNOWN)
    >>> (len(statuses), statuses[1], statuses == (COUNTED, WAIVED, KNOWN))
    (3, 'waived', True)
    """

    _NAMES = (COUNTED, WAIVED, KNOWN)
    _CODES = {name: code for code, name in enumerate(_NAMES)}

    def __init__(self, statuses: Iterable[str] = ()) -> None:
        self._codes = bytearray(self._CODES[s] for s in statuses)

    def append(self, status: str) -> None:
        self._codes.append(self._CODES[status])

    def __len__(self) -> int:
        return len(self._codes)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self._NAMES[c] for c in self._codes[index])
        return self._NAMES[self._codes[index]]

    def __iter__(self) -> Iterator[str]:
        names = self._NAMES
        return (names[c] for c in self._codes)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Statuses):
            return self._codes == other._codes
        if isinstance(other, Sequence) and not isinstance(other, str):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Statuses({list(self)!r})"


class FindingsAt:
    """The findings of a run whose gate status is ``status``, in order (what the verdict
    counts, or the baseline knows): read from the run's findings on each pass, never
    copied. ``len`` and iteration; equal to a tuple of the same findings."""

    def __init__(self, findings: Collection[Finding], statuses: Statuses, status: str) -> None:
        self._findings, self._statuses, self._status = findings, statuses, status
        self._len = sum(1 for s in statuses if s == status)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[Finding]:
        if not self._len:
            return
        for finding, status in zip(self._findings, self._statuses, strict=True):
            if status == self._status:
                yield finding

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FindingsAt | tuple | list):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FindingsAt({self._status!r}, {self._len} findings)"


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
    statuses: Sequence[str]
    counted: Collection[Finding]
    known: Collection[Finding]
    waived: tuple[WaivedFinding, ...]
    expired_waivers: tuple[Waiver, ...]
    unused_waivers: tuple[Waiver, ...]
    baseline: BaselineVerdict | None
    expectations: tuple[ExpectationVerdict, ...]
    corpus_problem: str | None
    internal_errors: tuple[str, ...]
    notes: tuple[str, ...]
    tallies: Mapping[str, Tally] | None = None
    """The findings of each status counted by severity, with their places, as the gate
    counted them (``None``: counted again from ``statuses`` when asked)."""

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

    def tally(self, status: str | None = None) -> Tally | None:
        """The findings of ``status`` (every finding with None) counted by severity, with
        their places, as the gate counted them; None when it did not."""
        if self.tallies is None:
            return None
        if status is not None:
            counted = self.tallies[status]
            return Tally(dict(counted.findings), dict(counted.places))
        total = Tally()
        for tally in self.tallies.values():
            total += tally
        return total

    def counts(self) -> dict[str, int]:
        """Counted findings by severity."""
        return (self.tally(COUNTED) or Tally.of(self.counted)).findings

    def places(self) -> int:
        """Where the counted findings show: the sum of their spans."""
        return sum((self.tally(COUNTED) or Tally.of(self.counted)).places.values())

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
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False,
                      default=as_json_list) + "\n"


def write_json(data: dict[str, Any], path: str | Path) -> None:
    """Write ``data`` as :func:`dump_json` to ``path``, atomically and streaming (see
    :func:`stream_json`): byte for byte the same text, never held in memory whole."""
    from corpus_qa.outputs import atomic_open

    with atomic_open(path) as out:
        stream_json(data, out.write)


STREAM_DEPTH = 2
"""Nesting depth from which :func:`stream_json` encodes a value in one piece (a finding,
a document record, an expectation: small); the objects and lists above it are written
item by item."""


def stream_json(value: Any, write: Callable[[str], Any], depth: int = 0) -> None:
    """Write :func:`dump_json`'s text of ``value`` in pieces through ``write``.

    The top-level object and its lists (documents, findings, stories) are written one
    item at a time, each item encoded by :mod:`json` with the same options and indented
    to its place, so memory holds one item's text at a time instead of the whole file.

    >>> import io
    >>> out = io.StringIO()
    >>> stream_json({"b": [1, {"x": "é"}], "a": {}}, out.write)
    >>> out.getvalue() == dump_json({"b": [1, {"x": "é"}], "a": {}})
    True
    """
    indent = "  " * (depth + 1)
    if (isinstance(value, dict) and value and depth < STREAM_DEPTH
            and all(isinstance(key, str) for key in value)):  # else json converts the keys
        write("{")
        for i, key in enumerate(sorted(value)):
            write(("," if i else "") + "\n" + indent + json.dumps(key, ensure_ascii=False) + ": ")
            stream_json(value[key], write, depth + 1)
        write("\n" + "  " * depth + "}")
    elif _is_array(value) and len(value) and depth < STREAM_DEPTH:
        write("[")
        if hasattr(value, "json_texts"):  # items that lay themselves out (GatedFindings)
            for i, text in enumerate(value.json_texts(depth + 1)):
                write(("," if i else "") + "\n" + indent + text)
        else:
            for i, item in enumerate(value):
                write(("," if i else "") + "\n" + indent)
                stream_json(item, write, depth + 1)
        write("\n" + "  " * depth + "]")
    else:
        if _is_array(value) and not len(value):
            value = []  # an empty spool
        write(_indented(value, depth))
    if depth == 0:
        write("\n")


_encode_string = json.encoder.encode_basestring  # the C function (json's own, unescaped)


class _Unusual(Exception):
    """A value :func:`_pieces` leaves to :mod:`json` (a key that is not a string)."""


def _indented(value: Any, depth: int) -> str:
    """``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=as_json_list)``
    with each line after the first indented by ``depth`` levels: the same text.

    json's indenting encoder is pure Python (it yields every piece through nested
    generators); here strings are escaped by json's C function and the layout is laid
    out by hand, about four times faster on the records of a run. A dict with a key that
    is not a string is left to :mod:`json` itself (its key conversions stay its own).
    """
    out: list[str] = []
    try:
        _pieces(value, "\n" + "  " * depth, out)
    except _Unusual:
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False,
                          default=as_json_list)
        return text.replace("\n", "\n" + "  " * depth) if depth else text
    return "".join(out)


def _pieces(value: Any, newline: str, out: list[str]) -> None:
    """Append the text of ``value`` to ``out``; ``newline``: a line break and the
    indentation of the line ``value`` starts on. The order of the tests is json's."""
    if isinstance(value, str):
        out.append(_encode_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float_text(value))
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        out.append("[" + inner)
        for i, item in enumerate(value):
            if i:
                out.append("," + inner)
            if type(item) is str:  # the common leaves, without a call
                out.append(_encode_string(item))
            elif type(item) is int:
                out.append(int.__repr__(item))
            else:
                _pieces(item, inner, out)
        out.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        out.append("{" + inner)
        for i, (key, item) in enumerate(sorted(value.items())):
            if not isinstance(key, str):
                raise _Unusual
            out.append(("," + inner if i else "") + _encode_string(key) + ": ")
            if type(item) is str:  # the common leaves, without a call
                out.append(_encode_string(item))
            elif type(item) is int:
                out.append(int.__repr__(item))
            elif item is None:
                out.append("null")
            else:
                _pieces(item, inner, out)
        out.append(newline + "}")
    else:
        _pieces(as_json_list(value), newline, out)


def _finding_text(finding: Finding, status: str, newline: str) -> str | None:
    """``_indented({**finding.to_json(), "gate": status}, depth)`` (``newline``: a line
    break and the indentation of depth), or None when a field is not of the plain type
    this layout assumes."""
    if not _plain_finding(finding) or type(status) is not str:
        return None
    enc = _encode_string
    i1 = newline + "  "
    i2 = i1 + "  "
    i3 = i2 + "  "
    related = finding.related
    if related is None:
        related_text = "null"
    else:
        related_text = ("{" + i2 + '"document": ' + enc(related.document) + "," + i2
                        + '"span": [' + i3 + str(related.span[0]) + "," + i3
                        + str(related.span[1]) + i2 + "]" + i1 + "}")
    spans = [_occurrence_text(finding.span, finding.line, finding.column, finding.excerpt,
                              finding.message, finding.suggestion, finding.text_line,
                              finding.text_column, i2)]
    spans += [_occurrence_text(o.span, o.line, o.column, o.excerpt, o.message, o.suggestion,
                               o.text_line, o.text_column, i2) for o in finding.also]
    sep = "," + i1
    return "{" + i1 + sep.join((
        '"column": ' + str(finding.column),
        '"document": ' + enc(finding.document),
        '"excerpt": ' + enc(finding.excerpt),
        '"expectation": ' + enc(finding.expectation),
        '"gate": ' + enc(status),
        '"key": ' + _text_or_null(finding.key),
        '"line": ' + str(finding.line),
        '"message": ' + enc(finding.message),
        '"occurrences": ' + str(1 + len(finding.also)),
        '"path": ' + enc(finding.path),
        '"reason": ' + enc(finding.reason),
        '"record": ' + _text_or_null(finding.record),
        '"related": ' + related_text,
        '"severity": ' + enc(finding.severity),
        '"span": [' + i2 + str(finding.span[0]) + "," + i2 + str(finding.span[1]) + i1 + "]",
        '"spans": [' + i2 + ("," + i2).join(spans) + i1 + "]",
        '"suggestion": ' + _text_or_null(finding.suggestion),
        '"text_column": ' + _int_or_null(finding.text_column),
        '"text_line": ' + _int_or_null(finding.text_line),
    )) + newline + "}"


def _occurrence_text(span: tuple[int, int], line: int, column: int, excerpt: str,
                     message: str, suggestion: str | None, text_line: int | None,
                     text_column: int | None, newline: str) -> str:
    """An occurrence's dict (``Occurrence.to_json``) laid out at ``newline``."""
    inner = newline + "  "
    deeper = inner + "  "
    sep = "," + inner
    return "{" + inner + sep.join((
        '"column": ' + str(column),
        '"excerpt": ' + _encode_string(excerpt),
        '"line": ' + str(line),
        '"message": ' + _encode_string(message),
        '"span": [' + deeper + str(span[0]) + "," + deeper + str(span[1]) + inner + "]",
        '"suggestion": ' + _text_or_null(suggestion),
        '"text_column": ' + _int_or_null(text_column),
        '"text_line": ' + _int_or_null(text_line),
    )) + newline + "}"


def _text_or_null(value: str | None) -> str:
    return "null" if value is None else _encode_string(value)


def _int_or_null(value: int | None) -> str:
    return "null" if value is None else str(value)


def _plain_span(span: Any) -> bool:
    return (type(span) is tuple and len(span) == 2 and type(span[0]) is int
            and type(span[1]) is int)


def _plain_place(line: Any, column: Any, excerpt: Any, message: Any, suggestion: Any,
                 text_line: Any, text_column: Any) -> bool:
    return (type(line) is int and type(column) is int and type(excerpt) is str
            and type(message) is str and (suggestion is None or type(suggestion) is str)
            and (text_line is None or type(text_line) is int)
            and (text_column is None or type(text_column) is int))


def _plain_finding(f: Finding) -> bool:
    """Whether every field of ``f`` is of the plain type :func:`_finding_text` lays out."""
    related = f.related
    return (type(f.expectation) is str and type(f.severity) is str and type(f.document) is str
            and type(f.path) is str and type(f.reason) is str and _plain_span(f.span)
            and _plain_place(f.line, f.column, f.excerpt, f.message, f.suggestion,
                             f.text_line, f.text_column)
            and (f.key is None or type(f.key) is str)
            and (f.record is None or type(f.record) is str)
            and (related is None or (type(related) is Related and type(related.document) is str
                                     and _plain_span(related.span)))
            and type(f.also) is tuple
            and all(type(o) is Occurrence and _plain_span(o.span)
                    and _plain_place(o.line, o.column, o.excerpt, o.message, o.suggestion,
                                     o.text_line, o.text_column) for o in f.also))


def _float_text(value: float) -> str:
    """A float as json writes it (``allow_nan``: NaN and the infinities by name)."""
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == float("-inf"):
        return "-Infinity"
    return float.__repr__(value)


def as_json_list(value: Any) -> list[Any]:
    """A sized iterable of records (a spool, the gated findings) as the list it stands for."""
    if _is_array(value):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _is_array(value: Any) -> bool:
    """A list, a tuple, or a sized iterable of records (a run's spool of documents)."""
    return isinstance(value, list | tuple) or (
        hasattr(value, "__len__") and hasattr(value, "__iter__")
        and not isinstance(value, str | bytes | dict))
