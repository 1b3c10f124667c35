"""The terminal output: verdict first, a table by expectation and reason, the worst findings."""

from __future__ import annotations

import dataclasses
import datetime as dt

from corpus_qa.gate import gate
from corpus_qa.report import summary
from corpus_qa.results import Finding, Occurrence, Outcome, RunResult

TODAY = dt.date(2030, 1, 1)
META = "expect_document_to_have_metadata"
MOJIBAKE = "expect_document_to_have_no_mojibake"
FIGURES = "expect_versions_to_have_consistent_figures"


def _finding(document: str, expectation: str, reason: str, key: str | None = None,
             severity: str = "error", line: int = 1) -> Finding:
    return Finding(expectation=expectation, severity=severity, document=document,
                   path=f"c/{document}.txt", reason=reason, message=f"{reason} {key or ''} " * 20,
                   span=(line, line + 1), line=line, column=1, excerpt="x", key=key)


def _run(documents: int = 30) -> RunResult:
    found = [_finding(f"d{i}", META, "missing_field", "source") for i in range(documents)]
    found += [_finding("d4", META, "missing_field", "date")]
    found += [_finding(f"d{i}", MOJIBAKE, "mojibake") for i in range(5, 9)]
    mojibake = dataclasses.replace(  # one defect in five places
        _finding("d9", MOJIBAKE, "mojibake"),
        also=tuple(Occurrence((n, n + 1), n, 1, "x", "more") for n in range(2, 6)))
    found.append(mojibake)
    found += [_finding("d1", FIGURES, "figure_changed"), _finding("d2", FIGURES, "figure_changed")]
    outcomes = [
        Outcome("input", "error", 1.0, {}, "", scope="input", checked=documents),
        Outcome(META, "error", 1.0, {}, "", checked=documents, unexpected=documents),
        Outcome(MOJIBAKE, "error", 1.0, {}, "", checked=documents, unexpected=5),
        Outcome(FIGURES, "error", 1.0, {}, "", scope="story", checked=1, unexpected=1),
        Outcome("expect_document_to_be_valid_utf8", "error", 1.0, {}, "", checked=documents),
    ]
    docs = [{"id": f"d{i}", "path": f"c/d{i}.txt", "story": None} for i in range(documents)]
    return RunResult(suite="s", corpus=["c"], outcomes=outcomes, findings=found, documents=docs)


def test_worst_first_names_every_kind_before_repeating_one() -> None:
    run = _run()
    ordered = summary.worst_first(gate(run, today=TODAY).counted)
    assert len(ordered) == len(run.findings)
    first_round = [(f.expectation, f.reason, f.key) for f in ordered[:4]]
    # rarer kinds first: the figure change (2 documents), the missing date (1) and the
    # mojibake (5) come before the missing source of every document
    assert first_round == [(META, "missing_field", "date"), (FIGURES, "figure_changed", None),
                           (MOJIBAKE, "mojibake", None), (META, "missing_field", "source")]


def test_the_default_output_is_the_verdict_the_table_and_a_few_findings() -> None:
    run = _run()
    verdict = gate(run, today=TODAY)
    lines = summary.summary_lines(run, verdict, max_findings=5, width=100,
                                  report="reports/index.html")
    assert lines[0].startswith("corpus-qa: FAILED — 30 documents, 38 errors")
    assert lines[0].endswith("38 findings in 42 places")
    assert lines[-1].startswith(lines[0])
    assert all(len(line) <= 100 for line in lines if not line.startswith("corpus-wide:"))
    text = "\n".join(lines)
    assert "FAIL  expect_document_to_have_no_mojibake [error] 5/30 unexpected" in text
    assert "mojibake                      5 docs      5 findings in 9 places" in text
    assert "(date 1, source 30)" in text
    assert "PASS  1 more expectations: expect_document_to_be_valid_utf8" in text
    assert " input " not in text  # the pseudo-expectation shows only when an input failed
    assert "[missing_field source] in 30 of 30 documents (100%)" in text
    assert "Findings, worst first (5 of 38):" in text
    assert "… 33 more: see reports/index.html or --format lines" in text
    quiet = summary.summary_lines(run, verdict, findings=False)
    assert not any(line.startswith("c/") for line in quiet)


def test_statistics_lists_every_expectation_and_lines_every_finding() -> None:
    run = _run()
    verdict = gate(run, today=TODAY)
    stats = summary.statistics_lines(run, verdict)
    assert "PASS  expect_document_to_be_valid_utf8" in stats
    assert not any(line.startswith("c/") for line in stats)
    every = summary.all_lines(run, verdict)
    assert sum(line.startswith("c/") for line in every) == len(run.findings)
    assert any("[mojibake ×5]" in line for line in every)


def test_cut_keeps_one_line_of_at_most_width() -> None:
    assert summary.cut("a\nb", 10) == "a b"
    assert summary.cut("x" * 30, 10) == "x" * 9 + "…"
