"""The terminal output of ``corpus-qa validate``: the verdict first, then what to act on.

Three shapes, all read from the typed run and its one verdict (nothing is decided here):

- :func:`summary_lines` (the default): the verdict; a table of the failing expectations
  by reason (documents, findings, places, one example location each); the corpus-wide
  notes; at most ``max_findings`` finding lines, worst first; where the rest are; the
  verdict again (the last line of a CI log). With ``findings=False`` (``-q``) no
  finding lines.
- :func:`statistics_lines` (``--statistics``): the table only, every expectation in it.
- :func:`all_lines` (``--format lines``): one line per finding, every one, for grep and
  editors, then the PASS/FAIL table and the verdict.

A *finding* is one defect (one reason in one document); it may show in several
*places* (spans). Counts are findings, with places beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus_qa.gate import DistinctDocuments, consecutive_documents
from corpus_qa.results import SEVERITY_ORDER, Finding, RunResult, Verdict

DEFAULT_MAX_FINDINGS = 40
"""Finding lines the default output prints: the whole output of a run stays near one
screen of a CI log (80 lines) whatever the corpus."""
DEFAULT_WIDTH = 160
"""Where lines are cut when the output is not a terminal (the JSON and report keep all)."""
MARKS = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}
MAX_KEYS_SHOWN = 4
"""A table row names the keys of its findings (the missing fields) when there are this few."""


@dataclass
class Kind:
    """The counted findings of one reason of one expectation, as counts.

    ``findings`` holds the first ``keep`` of them in :meth:`Finding.sort_key` order (all
    with ``keep=None``); ``count``, ``places``, ``documents`` and the keys count them all,
    so a kind of a million findings costs a few of them in memory.
    """

    expectation: str
    reason: str
    severity: str
    findings: list[Finding] = field(default_factory=list)
    count: int = 0
    places: int = 0
    keep: int | None = None
    distinct: DistinctDocuments = field(
        default_factory=lambda: DistinctDocuments(consecutive=False))
    keys: dict[str, list[Any]] = field(default_factory=dict)
    """Per key: how many findings, and the smallest sort key among them."""

    def add(self, finding: Finding) -> None:
        self.count += 1
        self.places += finding.spans
        self.distinct.add(None, finding)
        if finding.key:
            entry = self.keys.setdefault(finding.key, [0, None])
            entry[0] += 1
            order = finding.sort_key()
            if entry[1] is None or order < entry[1]:
                entry[1] = order
        self.findings.append(finding)
        if self.keep is not None and len(self.findings) > 2 * self.keep + 16:
            self._trim()

    def _trim(self) -> None:
        self.findings.sort(key=lambda f: f.sort_key())
        if self.keep is not None:
            del self.findings[self.keep:]

    @property
    def documents(self) -> int:
        return self.distinct.counts().get(None, 0)

    def rank(self) -> tuple[int, int, str, str]:
        """Worst first: errors before warnings, then rarer reasons before corpus-wide ones."""
        return (SEVERITY_ORDER[self.severity], self.documents, self.expectation, self.reason)


def kinds(findings: Iterable[Finding], *, by_key: bool = False,
          keep: int | None = None) -> list[Kind]:
    """The findings grouped by expectation and reason (and key), worst kind first; each
    kind keeps its first ``keep`` findings (all with ``None``)."""
    consecutive = consecutive_documents(findings)  # a run's: documents one after another
    grouped: dict[tuple[str, str, str | None], Kind] = {}
    for finding in findings:
        key = (finding.expectation, finding.reason, finding.key if by_key else None)
        if key not in grouped:
            grouped[key] = Kind(finding.expectation, finding.reason, finding.severity,
                                keep=keep,
                                distinct=DistinctDocuments(consecutive=consecutive))
        grouped[key].add(finding)
    for kind in grouped.values():
        kind._trim()
    return sorted(grouped.values(), key=Kind.rank)


def worst_first(findings: Iterable[Finding], limit: int | None = None) -> list[Finding]:
    """Every finding (the first ``limit``), worst first, each kind's first finding before
    any kind's second.

    A kind here is an expectation, reason and key (``missing_field`` of ``date`` apart
    from ``missing_field`` of ``source``). Any prefix of the list names as many kinds as
    it can: a cut list still shows every kind of problem the run found, worst first.
    """
    ranked = kinds(findings, by_key=True, keep=limit)
    out: list[Finding] = []
    depth = 0
    total = sum(len(k.findings) for k in ranked)
    while len(out) < total:
        out.extend(k.findings[depth] for k in ranked if depth < len(k.findings))
        depth += 1
    return out if limit is None else out[:limit]


def cut(line: str, width: int) -> str:
    """``line`` on one line of at most ``width`` characters (an ellipsis where it was cut).

    >>> cut("path:1:1: expect_x [reason] a long message", 30)
    'path:1:1: expect_x [reason] a…'
    """
    line = " ".join(line.split()) if "\n" in line or "\r" in line else line
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def headline(result: RunResult, verdict: Verdict) -> str:
    """The verdict line, with the places when findings show in more than one place each."""
    line = verdict.closing_line(len(result.documents))
    places = verdict.places() if verdict.counted else 0
    if places != len(verdict.counted):
        line += f" — {len(verdict.counted):,} findings in {places:,} places"
    return line


def table_lines(result: RunResult, verdict: Verdict, *, every: bool, width: int) -> Iterator[str]:
    """One line per expectation and, under it, one per reason of its counted findings.

    ``every``: each passing expectation on its own line (else one line for all of them).
    """
    by_expectation: dict[str, list[Kind]] = {}
    for kind in kinds(verdict.counted, keep=1):
        by_expectation.setdefault(kind.expectation, []).append(kind)
    checked = {o.type: (o.checked, o.scope) for o in result.outcomes}
    quiet: list[str] = []
    for item in verdict.expectations:
        mine = by_expectation.get(item.type, [])
        count, scope = checked.get(item.type, (0, "document"))
        if item.status == "pass" and not mine and item.gated_unexpected == item.unexpected:
            if scope != "input":  # the input pseudo-expectation shows only when it fails
                quiet.append(item.type)
            continue
        aside = (f", {item.gated_unexpected:,} after waivers/baseline"
                 if item.gated_unexpected != item.unexpected else "")
        yield cut(f"{MARKS[item.status]:5} {item.type} [{item.severity}] "
                  f"{item.unexpected:,}/{count:,} unexpected{aside}", width)
        if item.status == "error":
            outcome = next(o for o in result.outcomes if o.type == item.type)
            yield cut(f"      raised: {outcome.errors[0].splitlines()[0]}", width)
        for kind in sorted(mine, key=lambda k: -k.count):
            first = kind.findings[0]
            places = f" in {kind.places:,} places" if kind.places != kind.count else ""
            yield cut(f"      {kind.reason:<24} {kind.documents:>6,} docs {kind.count:>6,} "
                      f"findings{places}{_keys(kind)}  e.g. {first.path}:{first.line}:"
                      f"{first.column}", width)
    if every:
        yield from (f"PASS  {name}" for name in quiet)
    elif quiet:
        yield cut(f"PASS  {len(quiet)} more expectations: {', '.join(quiet)}", width)


def summary_lines(result: RunResult, verdict: Verdict, *, findings: bool = True,
                  max_findings: int = DEFAULT_MAX_FINDINGS, width: int = DEFAULT_WIDTH,
                  report: str | None = None, seconds: float | None = None) -> list[str]:
    """The default terminal output (see the module docstring); ``report``: its path, if written."""
    lines = [headline(result, verdict), ""]
    lines += table_lines(result, verdict, every=False, width=width)
    if verdict.notes:
        lines.append("")
        lines += verdict.notes  # a few lines, each said in full
    total = len(verdict.counted)
    if findings and total:
        shown = worst_first(verdict.counted, limit=max_findings)
        lines.append("")
        lines.append("Findings, worst first" + (f" ({len(shown)} of {total:,}):"
                                                if len(shown) < total else ":"))
        lines += (cut(f.line_text(), width) for f in shown)
        if len(shown) < total:
            where = report or "the HTML report (--report)"
            lines.append(f"… {total - len(shown):,} more: see {where} or --format lines")
    lines.append("")
    lines.append(_closing(result, verdict, seconds))
    return lines


def statistics_lines(result: RunResult, verdict: Verdict, *, width: int = DEFAULT_WIDTH,
                     seconds: float | None = None) -> list[str]:
    """``--statistics``: the table of every expectation by reason, and the verdict."""
    return [*table_lines(result, verdict, every=True, width=width), "",
            _closing(result, verdict, seconds)]


def all_lines(result: RunResult, verdict: Verdict, *,
              seconds: float | None = None) -> list[str]:
    """``--format lines``: every counted finding on its own uncut line, the table, the verdict."""
    lines = [f.line_text() for f in sorted(verdict.counted, key=lambda f: f.sort_key())]
    if lines:
        lines.append("")
    outcomes = {o.type: o for o in result.outcomes}
    for item in verdict.expectations:
        if item.type == "input" and item.status == "pass" and not item.unexpected:
            continue  # the input pseudo-expectation shows only when an input failed
        aside = (f", {item.gated_unexpected} after waivers/baseline"
                 if item.gated_unexpected != item.unexpected else "")
        lines.append(f"{MARKS[item.status]:5} {item.type} [{item.severity}] {item.unexpected}/"
                     f"{outcomes[item.type].checked} unexpected{aside}")
    lines += verdict.notes
    lines += ["", _closing(result, verdict, seconds)]
    return lines


def _closing(result: RunResult, verdict: Verdict, seconds: float | None) -> str:
    line = headline(result, verdict)
    return line + (f" ({seconds:.2f}s)" if seconds is not None else "")


def _keys(kind: Kind) -> str:
    """What the findings of a kind are about, when they are about a few things (fields)."""
    if not kind.keys or len(kind.keys) > MAX_KEYS_SHOWN:
        return ""
    # by count; keys of equal count in the order their first findings come
    ordered = sorted(kind.keys.items(), key=lambda kv: (kv[1][0], kv[1][1]))
    return " (" + ", ".join(f"{k} {n:,}" for k, (n, _) in ordered) + ")"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def terminal_width(stream: object, default: int = DEFAULT_WIDTH) -> int:
    """The terminal's width when ``stream`` is one, else ``default`` (logs, pipes)."""
    import os

    isatty = getattr(stream, "isatty", None)
    if isatty is None or not isatty():
        return default
    try:
        return max(60, os.get_terminal_size(stream.fileno()).columns)  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        return default


__all__: Sequence[str] = ("DEFAULT_MAX_FINDINGS", "all_lines", "cut", "headline", "kinds",
                          "statistics_lines", "summary_lines", "worst_first")
