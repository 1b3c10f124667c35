"""The one verdict of a run: :func:`gate` turns a run's raw results into a :class:`Verdict`.

Inputs are the run (:class:`~corpus_qa.results.RunResult`), waivers, a baseline and a
``--changed-since`` selection (all read by :mod:`corpus_qa.gating`) and the fail-on
severity. Every output — terminal, JSON, JUnit, Markdown, GitHub annotations, the HTML
report, GX Data Docs and the pytest plugin — reads the verdict and never decides pass or
fail itself.

The rules, in order:

1. a finding an unexpired waiver covers is *waived*; with a baseline, a finding whose
   fingerprint the baseline holds is *known*; the others are *counted*;
2. per expectation, rows (documents, stories, inputs) whose findings were all waived or
   known come off its unexpected count, and ``mostly`` is applied to what is left: the
   expectation passes when at least ``mostly`` of its rows have no counted finding.
   With every finding counted this is the expectation's own result;
3. an expectation that raised is an ``error`` (exit 3), whatever was waived;
4. a corpus of which no document could be read fails (exit 1), naming what was skipped;
5. the run fails (exit 1) when an expectation at or above ``fail_on`` did not pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from corpus_qa.gating import (
    INPUT,
    Baseline,
    BaselineMatcher,
    WaivedFinding,
    Waiver,
    unused_waivers,
    waiver_for,
)
from corpus_qa.results import (
    COUNTED,
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_PASSED,
    KNOWN,
    SEVERITY_ORDER,
    WAIVED,
    BaselineVerdict,
    ExpectationVerdict,
    Finding,
    FindingsAt,
    Outcome,
    RunResult,
    Statuses,
    Tally,
    Verdict,
)

READABLE = ".txt, .md, JSON Lines (.jsonl, also .gz/.zst/.bz2/.xz) or .parquet"
"""What the loaders read, for the message of a corpus with no readable document."""
NAMED_FILES = 5
"""Skipped or unreadable files a message names before it says "and N more"."""
CORPUS_WIDE_SHARE = 0.5
"""A reason found in more than this share of the documents gets a corpus-level note."""
CORPUS_WIDE_MIN_DOCUMENTS = 10
"""…when the corpus has at least this many documents (two of three is not a pattern)."""


def gate(result: RunResult, *, waivers: Sequence[Waiver] = (), baseline: Baseline | None = None,
         selected: Collection[str] | None = None, fail_on: str = "error",
         today: dt.date | None = None) -> Verdict:
    """The verdict on ``result`` once ``waivers`` and ``baseline`` are applied.

    ``selected`` are the ids of the documents validated with ``--changed-since``
    (``None``: the whole corpus); it limits the baseline's "fixed" entries and the
    unused-waiver notes to what was looked at. ``today`` decides which waivers expired.
    """
    if fail_on not in SEVERITY_ORDER:
        raise ValueError(f"fail_on must be one of {', '.join(SEVERITY_ORDER)}, got {fail_on!r}")
    today = today or dt.date.today()
    # One pass over the findings (a run's may be millions, on disk): each is waived (an
    # unexpired waiver covers it), known (in the baseline) or counted; only the status
    # (one byte) is kept, and the waived findings, which waivers name one by one.
    active = [w for w in waivers if not w.expired(today)]
    expired = [w for w in waivers if w.expired(today)]
    matcher = BaselineMatcher(baseline) if baseline is not None else None
    statuses = Statuses()
    waived: list[WaivedFinding] = []
    # The same pass counts each status by severity (the results' statistics, the
    # verdict line) and the counted findings by reason (the corpus-wide notes).
    tallies = {COUNTED: Tally(), WAIVED: Tally(), KNOWN: Tally()}
    wide = CorpusWide(result)
    for finding in result.findings:
        waiver = waiver_for(finding, active)
        if waiver is not None:
            waived.append(WaivedFinding(finding, waiver))
            status = WAIVED
        elif matcher is not None and matcher.known(finding):
            status = KNOWN
        else:
            status = COUNTED
            wide.add(finding)
        statuses.append(status)
        tallies[status].add(finding)
    counted = FindingsAt(result.findings, statuses, COUNTED)
    known = FindingsAt(result.findings, statuses, KNOWN)
    baseline_verdict = None
    if matcher is not None and baseline is not None:
        baseline_verdict = BaselineVerdict(baseline.path, len(counted), len(known),
                                           tuple(matcher.fixed(selected)))
    expectations = tuple(_expectation_verdicts(result, statuses, fail_on))
    problem = corpus_problem(result)
    internal = tuple(result.internal_errors)
    if internal:
        code = EXIT_INTERNAL
    elif problem or any(e.fails_run for e in expectations):
        code = EXIT_FAILED
    else:
        code = EXIT_PASSED
    unused = (tuple(unused_waivers(waivers, waived, today)) if selected is None
              else ())  # with a selection, a waiver may cover documents that were not read
    notes = _notes(result, expired, unused, baseline_verdict, problem)
    notes += wide.notes()
    return Verdict(fail_on=fail_on, exit_code=code, statuses=statuses, counted=counted,
                   known=known, waived=tuple(waived),
                   expired_waivers=tuple(expired), unused_waivers=unused,
                   baseline=baseline_verdict, expectations=expectations, corpus_problem=problem,
                   internal_errors=internal, notes=notes, tallies=tallies)


def _expectation_verdicts(result: RunResult, statuses: Sequence[str],
                          fail_on: str) -> Iterable[ExpectationVerdict]:
    cleared = _cleared_rows(result, statuses)
    limit = SEVERITY_ORDER[fail_on]
    for outcome in result.outcomes:
        gated = max(0, outcome.unexpected - cleared.get(outcome.type, 0))
        status = "error" if outcome.errors else ("pass" if _meets_mostly(outcome, gated)
                                                 else "fail")
        yield ExpectationVerdict(
            type=outcome.type, severity=outcome.severity, status=status,
            unexpected=outcome.unexpected, gated_unexpected=gated,
            fails_run=status != "pass" and SEVERITY_ORDER[outcome.severity] <= limit)


def _cleared_rows(result: RunResult, statuses: Sequence[str]) -> dict[str, int]:
    """Per expectation, the rows whose findings were all waived or known.

    Only the expectations with a finding not counted are looked at (the rows of the
    others are never held: with every finding counted, nothing is), and the story of a
    document only for the documents of their findings.
    """
    affected = {f.expectation for f, s in zip(result.findings, statuses, strict=True)
                if s != COUNTED} if any(s != COUNTED for s in statuses) else set()
    if not affected:
        return {}
    scope = {o.type: o.scope for o in result.outcomes}
    in_stories = {f.document for f in result.findings if f.expectation in affected
                  and scope.get(f.expectation) == "story"}
    story_of = {str(d["id"]): d.get("story") for d in result.documents
                if str(d["id"]) in in_stories} if in_stories else {}
    counted_rows: dict[str, set[Any]] = {}
    all_rows: dict[str, set[Any]] = {}
    for finding, status in zip(result.findings, statuses, strict=True):
        if finding.expectation not in affected:
            continue
        row = _row(finding, scope.get(finding.expectation, "document"), story_of)
        all_rows.setdefault(finding.expectation, set()).add(row)
        if status == COUNTED:
            counted_rows.setdefault(finding.expectation, set()).add(row)
    return {name: len(rows - counted_rows.get(name, set())) for name, rows in all_rows.items()}


def _meets_mostly(outcome: Outcome, unexpected: int) -> bool:
    """At least ``mostly`` of the expectation's rows have no counted finding.

    A row with a finding was looked at even when the runner did not count it as checked
    (a JSONL record without text has an id but never became a document), so the rows
    considered are never fewer than the unexpected ones.
    """
    considered = max(outcome.checked - outcome.missing, outcome.unexpected)
    if considered <= 0:
        return True
    return (considered - unexpected) / considered >= outcome.mostly


def _row(finding: Finding, scope: str, story_of: Mapping[str, str | None]) -> Any:
    """The row of its expectation a finding belongs to: its input, story or document."""
    if finding.expectation == INPUT:
        return (finding.path, finding.line, finding.reason)
    if scope == "story":
        return ("story", story_of.get(finding.document) or finding.document)
    return finding.document


def corpus_problem(result: RunResult) -> str | None:
    """Why the corpus fails as a whole: no document was read (and none left unselected).

    >>> print(corpus_problem(RunResult("s", ["c"], [], [], [], skipped_files=["c/a.docx"])))
    ... # doctest: +NORMALIZE_WHITESPACE
    no document could be read from c: 1 file skipped (no loader reads their format):
    c/a.docx — corpus-qa reads .txt and .md files, and JSON Lines or Parquet records with a
    string text field (--text-field): convert the corpus, fix the input errors, or point
    corpus-qa at the folder that holds the documents
    """
    if result.documents or result.skipped_documents:
        return None
    unreadable = sorted({f.path for f in result.findings if f.expectation == INPUT})
    parts = []
    if result.skipped_files:
        parts.append(f"{_count(len(result.skipped_files), 'file')} skipped (no loader reads "
                     f"their format): {_names(result.skipped_files)}")
    if unreadable:
        parts.append(f"{_count(len(unreadable), 'file')} with input errors (see the 'input' "
                     f"findings): {_names(unreadable)}")
    if not parts:
        parts.append(f"no {READABLE} files found")
    return (f"no document could be read from {', '.join(result.corpus)}: {'; '.join(parts)} — "
            "corpus-qa reads .txt and .md files, and JSON Lines or Parquet records with a "
            "string text field (--text-field): convert the corpus, fix the input errors, or "
            "point corpus-qa at the folder that holds the documents")


def _names(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:NAMED_FILES])
    more = len(paths) - NAMED_FILES
    return shown + (f" and {more:,} more" if more > 0 else "")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def corpus_wide_notes(result: RunResult, counted: Iterable[Finding]) -> tuple[str, ...]:
    """One note per expectation, reason (and key) counted in most documents of the corpus.

    A field no document has is one suite setting, not hundreds of broken documents: the
    note says so and what to change. The findings themselves stay in every output.
    """
    wide = CorpusWide(result)
    for finding in counted:
        wide.add(finding)
    return wide.notes()


class CorpusWide:
    """:func:`corpus_wide_notes` fed one counted finding at a time (as the gate reads
    them), in the run's order."""

    def __init__(self, result: RunResult) -> None:
        self.documents = len(result.documents)
        self.active = self.documents >= CORPUS_WIDE_MIN_DOCUMENTS
        self.scope = {o.type: o.scope for o in result.outcomes}
        self.hit = DistinctDocuments(consecutive=consecutive_documents(result.findings))

    def add(self, finding: Finding) -> None:
        if self.active and self.scope.get(finding.expectation) in ("document", "corpus"):
            self.hit.add((finding.expectation, finding.reason, finding.key), finding)

    def notes(self) -> tuple[str, ...]:
        if not self.active:
            return ()
        documents = self.documents
        notes = []
        for (expectation, reason, key), docs in self.hit.counts().items():
            if docs <= CORPUS_WIDE_SHARE * documents:
                continue
            what = f"{reason} {key}" if key else reason
            remedy = (f"drop '{key}' from its fields" if reason == "missing_field" and key
                      else "change its parameters")
            notes.append(
                f"corpus-wide: {expectation} [{what}] in {docs:,} of {documents:,} documents "
                f"({100 * docs // documents}%): a suite setting more likely than "
                f"{docs:,} broken documents — {remedy}, lower its mostly, or waive it")
        return tuple(notes)


class DistinctDocuments:
    """How many distinct documents have findings, per key.

    With ``consecutive``, the findings of one document come one after another (a run's
    findings are sorted by path, then document), so a key's count grows when its
    document changes and no set of documents is held; else one set per key.

    >>> f = lambda doc: Finding("e", "error", doc, doc + ".txt", "r", "m", (0, 1), 1, 1, "x")
    >>> for consecutive in (True, False):
    ...     hit = DistinctDocuments(consecutive=consecutive)
    ...     for finding in [f("a"), f("a"), f("b")]:
    ...         hit.add("k", finding)
    ...     print(hit.counts())
    {'k': 2}
    {'k': 2}
    """

    def __init__(self, *, consecutive: bool) -> None:
        self.consecutive = consecutive
        self._last: dict[Any, str] = {}
        self._count: dict[Any, int] = {}
        self._sets: dict[Any, set[str]] = {}

    def add(self, key: Any, finding: Finding) -> None:
        if not self.consecutive:
            self._sets.setdefault(key, set()).add(finding.document)
        elif self._last.get(key) != finding.document:
            self._last[key] = finding.document
            self._count[key] = self._count.get(key, 0) + 1

    def counts(self) -> dict[Any, int]:
        if not self.consecutive:
            return {key: len(docs) for key, docs in self._sets.items()}
        return dict(self._count)


def consecutive_documents(findings: Collection[Finding]) -> bool:
    """Whether the findings of a document come one after another: a run's findings (on
    disk, sorted by path and document); a list made otherwise may be in any order."""
    return not isinstance(findings, list | tuple)


def _notes(result: RunResult, expired: Sequence[Waiver], unused: Sequence[Waiver],
           baseline: BaselineVerdict | None, problem: str | None) -> tuple[str, ...]:
    notes = [f"corpus-qa: {w.expired_text()}" for w in expired]
    notes += [f"corpus-qa: {w.unused_text()}" for w in unused]
    if baseline is not None:
        notes.append(f"baseline: {baseline.new} new, {baseline.known} known, "
                     f"{baseline.fixed_count} fixed")
        notes.extend(f"fixed: {entry.line_text()}" for entry in baseline.fixed)
    if result.skipped_files and not problem:
        notes.append(f"skipped {_count(len(result.skipped_files), 'file')} with suffixes no "
                     f"loader reads: {_names(result.skipped_files)}")
    if problem:
        notes.append(f"corpus-qa: {problem}")
    return tuple(notes)
