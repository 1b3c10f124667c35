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
    Waiver,
    apply_waivers,
    compare_to_baseline,
    unused_waivers,
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
    Outcome,
    RunResult,
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
    applied = apply_waivers(result.findings, waivers, today)
    waived_ids = {id(w.finding) for w in applied.waived}
    known_ids: set[int] = set()
    baseline_verdict = None
    if baseline is not None:
        comparison = compare_to_baseline(applied.kept, baseline, documents=selected)
        known_ids = {id(f) for f in comparison.known}
        baseline_verdict = BaselineVerdict(baseline.path, len(comparison.new),
                                           len(comparison.known), tuple(comparison.fixed))
    statuses = tuple(WAIVED if id(f) in waived_ids else KNOWN if id(f) in known_ids else COUNTED
                     for f in result.findings)
    counted = tuple(f for f, s in zip(result.findings, statuses, strict=True) if s == COUNTED)
    known = tuple(f for f, s in zip(result.findings, statuses, strict=True) if s == KNOWN)
    expectations = tuple(_expectation_verdicts(result, counted, fail_on))
    problem = corpus_problem(result)
    internal = tuple(result.internal_errors)
    if internal:
        code = EXIT_INTERNAL
    elif problem or any(e.fails_run for e in expectations):
        code = EXIT_FAILED
    else:
        code = EXIT_PASSED
    unused = (tuple(unused_waivers(waivers, applied.waived, today)) if selected is None
              else ())  # with a selection, a waiver may cover documents that were not read
    notes = _notes(result, applied.expired, unused, baseline_verdict, problem)
    notes += corpus_wide_notes(result, counted)
    return Verdict(fail_on=fail_on, exit_code=code, statuses=statuses, counted=counted,
                   known=known, waived=tuple(applied.waived),
                   expired_waivers=tuple(applied.expired), unused_waivers=unused,
                   baseline=baseline_verdict, expectations=expectations, corpus_problem=problem,
                   internal_errors=internal, notes=notes)


def _expectation_verdicts(result: RunResult, counted: Iterable[Finding],
                          fail_on: str) -> Iterable[ExpectationVerdict]:
    story_of = {str(d["id"]): d.get("story") for d in result.documents}
    scope = {o.type: o.scope for o in result.outcomes}
    counted_rows: dict[str, set[Any]] = {}
    for finding in counted:
        row = _row(finding, scope.get(finding.expectation, "document"), story_of)
        counted_rows.setdefault(finding.expectation, set()).add(row)
    all_rows: dict[str, set[Any]] = {}
    for finding in result.findings:
        row = _row(finding, scope.get(finding.expectation, "document"), story_of)
        all_rows.setdefault(finding.expectation, set()).add(row)
    limit = SEVERITY_ORDER[fail_on]
    for outcome in result.outcomes:
        mine = counted_rows.get(outcome.type, set())
        cleared = len(all_rows.get(outcome.type, set()) - mine)
        gated = max(0, outcome.unexpected - cleared)
        status = "error" if outcome.errors else ("pass" if _meets_mostly(outcome, gated)
                                                 else "fail")
        yield ExpectationVerdict(
            type=outcome.type, severity=outcome.severity, status=status,
            unexpected=outcome.unexpected, gated_unexpected=gated,
            fails_run=status != "pass" and SEVERITY_ORDER[outcome.severity] <= limit)


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
    documents = len(result.documents)
    if documents < CORPUS_WIDE_MIN_DOCUMENTS:
        return ()
    scope = {o.type: o.scope for o in result.outcomes}
    hit: dict[tuple[str, str, str | None], set[str]] = {}
    for finding in counted:
        if scope.get(finding.expectation) in ("document", "corpus"):
            key = (finding.expectation, finding.reason, finding.key)
            hit.setdefault(key, set()).add(finding.document)
    notes = []
    for (expectation, reason, key), docs in hit.items():
        if len(docs) <= CORPUS_WIDE_SHARE * documents:
            continue
        what = f"{reason} {key}" if key else reason
        remedy = (f"drop '{key}' from its fields" if reason == "missing_field" and key
                  else "change its parameters")
        notes.append(
            f"corpus-wide: {expectation} [{what}] in {len(docs):,} of {documents:,} documents "
            f"({100 * len(docs) // documents}%): a suite setting more likely than "
            f"{len(docs):,} broken documents — {remedy}, lower its mostly, or waive it")
    return tuple(notes)


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
