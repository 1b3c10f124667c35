"""The one verdict: ``gate`` on hand-built runs (waivers, baseline, selection, fail-on)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from corpus_qa.gate import corpus_problem, gate
from corpus_qa.gating import Baseline, Waiver, baseline_entries
from corpus_qa.results import (
    COUNTED,
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_PASSED,
    KNOWN,
    WAIVED,
    Finding,
    Occurrence,
    Outcome,
    RunResult,
)

MOJIBAKE = "expect_document_to_have_no_mojibake"
TODAY = dt.date(2030, 1, 1)


def finding(document: str, expectation: str = MOJIBAKE, reason: str = "mojibake",
            severity: str = "error", excerpt: str | None = None) -> Finding:
    return Finding(expectation=expectation, severity=severity, document=document,
                   path=f"c/{document}.txt", reason=reason, message=f"{reason} in {document}",
                   span=(0, 4), line=1, column=1, excerpt=excerpt or f"Ã© {document}")


def waiver(document: str, expectation: str = MOJIBAKE, expires: dt.date | None = None,
           line: int = 2) -> Waiver:
    return Waiver(document=document, expectation=expectation, why="accepted", expires=expires,
                  file="waivers.yml", line=line)


def run_with(outcome: Outcome, findings: list[Finding], documents: list[dict] | None = None,
             **extra: object) -> RunResult:
    docs = documents if documents is not None else [
        {"id": f"d{i}", "path": f"c/d{i}.txt", "story": None} for i in range(10)]
    return RunResult(suite="s", corpus=["c"], outcomes=[outcome], findings=findings,
                     documents=docs, **extra)  # type: ignore[arg-type]


def mojibake_run(*docs: str, mostly: float = 1.0, severity: str = "error") -> RunResult:
    found = [finding(d, severity=severity) for d in docs]
    return run_with(Outcome(MOJIBAKE, severity, mostly, {}, "", checked=10,
                            unexpected=len(docs)), found)


def test_with_every_finding_counted_the_verdict_is_the_runs() -> None:
    verdict = gate(mojibake_run("d1", "d2"), today=TODAY)
    assert verdict.exit_code == EXIT_FAILED and not verdict.success
    assert verdict.failing == (MOJIBAKE,)
    (judged,) = verdict.expectations
    assert (judged.status, judged.unexpected, judged.gated_unexpected, judged.fails_run) == \
        ("fail", 2, 2, True)
    assert verdict.statuses == (COUNTED, COUNTED)
    assert verdict.word == "FAILED"
    assert gate(mojibake_run(), today=TODAY).exit_code == EXIT_PASSED


def test_waived_findings_leave_the_count_and_the_verdict() -> None:
    run = mojibake_run("d1", "d2")
    one = gate(run, waivers=[waiver("d2")], today=TODAY)
    assert one.statuses == (COUNTED, WAIVED)
    assert one.expectation(MOJIBAKE).gated_unexpected == 1
    assert one.exit_code == EXIT_FAILED
    both = gate(run, waivers=[waiver("d*")], today=TODAY)
    assert both.exit_code == EXIT_PASSED and both.counted == ()
    assert [w.finding.document for w in both.waived] == ["d1", "d2"]
    assert both.expectation(MOJIBAKE).status == "pass"


def test_mostly_is_applied_to_what_is_left() -> None:
    run = mojibake_run("d1", "d2", "d3", mostly=0.8)
    assert gate(run, today=TODAY).failing == (MOJIBAKE,)  # 3 of 10 unexpected
    verdict = gate(run, waivers=[waiver("d3")], today=TODAY)  # 2 of 10: within mostly 0.8
    assert verdict.failing == () and verdict.exit_code == EXIT_PASSED


def test_story_rows_and_internal_errors() -> None:
    docs = [{"id": d, "path": f"c/{d}.txt", "story": "s"} for d in "ab"]
    found = [finding("a", "expect_versions_x", "figure_changed", excerpt="10,000"),
             finding("b", "expect_versions_x", "figure_changed", excerpt="12,000")]
    run = run_with(Outcome("expect_versions_x", "error", 1.0, {}, "", scope="story",
                           checked=1, unexpected=1), found, docs)
    half = gate(run, waivers=[waiver("b", "expect_versions_x")], today=TODAY)
    assert half.failing == ("expect_versions_x",)  # the story still has one counted finding
    assert gate(run, waivers=[waiver("*", "expect_versions_x")], today=TODAY).failing == ()
    broken = run_with(Outcome("expect_versions_x", "error", 1.0, {}, "", scope="story",
                              errors=["Traceback: boom"]), [], docs)
    verdict = gate(broken, waivers=[waiver("*", "expect_versions_x")], today=TODAY)
    assert verdict.exit_code == EXIT_INTERNAL
    assert verdict.expectation("expect_versions_x").status == "error"
    assert verdict.internal_errors == ("expect_versions_x: Traceback: boom",)


def test_fail_on_decides_whether_a_failed_warning_fails_the_run() -> None:
    run = mojibake_run("d1", severity="warning")
    lenient = gate(run, today=TODAY)
    assert lenient.exit_code == EXIT_PASSED
    judged = lenient.expectation(MOJIBAKE)
    assert (judged.status, judged.fails_run) == ("fail", False)
    assert gate(run, fail_on="warning", today=TODAY).failing == (MOJIBAKE,)
    with pytest.raises(ValueError, match="fail_on must be one of error, warning, info"):
        gate(run, fail_on="fatal")


def test_baseline_known_new_and_fixed_within_the_selection() -> None:
    old = [finding("d1"), finding("d5")]
    baseline = Baseline(baseline_entries(old), "base.json")
    run = mojibake_run("d1", "d2")
    verdict = gate(run, baseline=baseline, today=TODAY)
    assert verdict.statuses == (KNOWN, COUNTED)
    assert [f.document for f in verdict.counted] == ["d2"]
    assert [f.document for f in verdict.known] == ["d1"]
    assert verdict.baseline is not None
    assert (verdict.baseline.new, verdict.baseline.known, verdict.baseline.fixed_count) == (1, 1, 1)
    assert verdict.exit_code == EXIT_FAILED
    assert "baseline: 1 new, 1 known, 1 fixed" in verdict.notes
    selected = gate(run, baseline=baseline, selected={"d1", "d2"}, today=TODAY)
    assert selected.baseline is not None and selected.baseline.fixed == ()
    assert [f.document for f in gate(run, baseline=baseline, waivers=[waiver("d2")],
                                     today=TODAY).not_waived()] == ["d1"]


def test_expired_and_unused_waivers_are_notes() -> None:
    run = mojibake_run("d1")
    expired = waiver("d1", expires=dt.date(2029, 12, 31), line=2)
    unused = waiver("nothing*", line=7)
    verdict = gate(run, waivers=[expired, unused], today=TODAY)
    assert verdict.exit_code == EXIT_FAILED  # the expired waiver no longer applies
    assert verdict.expired_waivers == (expired,) and verdict.unused_waivers == (unused,)
    assert verdict.notes[:2] == (
        "corpus-qa: waivers.yml:2: waiver for expect_document_to_have_no_mojibake on 'd1' "
        "expired on 2029-12-31 and no longer applies — fix the findings, or renew it "
        "(why: accepted)",
        "corpus-qa: waivers.yml:7: waiver for expect_document_to_have_no_mojibake on "
        "'nothing*' matched no finding — remove it, or check its document glob and expectation",
    )
    data = verdict.to_json()
    assert [w["line"] for w in data["unused_waivers"]] == [7]
    assert data["expired_waivers"][0]["expires"] == "2029-12-31"
    # With --changed-since a waiver may be for documents that were not validated.
    assert gate(run, waivers=[unused], selected={"d1"}, today=TODAY).unused_waivers == ()


def test_a_corpus_with_no_document_read_fails() -> None:
    outcome = Outcome("input", "error", 1.0, {}, "", scope="input")
    empty = run_with(outcome, [], [], skipped_files=["c/a.docx", "c/b.pdf"])
    verdict = gate(empty, today=TODAY)
    assert verdict.exit_code == EXIT_FAILED and verdict.failing == ()
    assert verdict.corpus_problem == (
        "no document could be read from c: 2 files skipped (no loader reads their format): "
        "c/a.docx, c/b.pdf — corpus-qa reads .txt and .md files, and JSON Lines or Parquet "
        "records with a string text field (--text-field): convert the corpus, fix the input "
        "errors, or point corpus-qa at the folder that holds the documents")
    assert verdict.notes[-1] == f"corpus-qa: {verdict.corpus_problem}"
    # --changed-since with nothing changed: every document was read, none selected.
    unchanged = run_with(outcome, [], [], skipped_documents=5)
    assert corpus_problem(unchanged) is None
    assert gate(unchanged, today=TODAY).exit_code == EXIT_PASSED


def test_records_without_text_fail_the_input_expectation() -> None:
    # The runner counts a record that never became a document as unexpected, not checked.
    outcome = Outcome("input", "error", 1.0, {}, "", scope="input", checked=0, unexpected=1)
    missing = Finding("input", "error", "c.jsonl#1", "c.jsonl", "missing_text", "no text",
                      (0, 0), 1, 1, "")
    verdict = gate(run_with(outcome, [missing], []), today=TODAY)
    assert verdict.expectation("input").status == "fail"
    assert verdict.failing == ("input",)
    assert "1 file with input errors (see the 'input' findings): c.jsonl" in \
        (verdict.corpus_problem or "")


def test_the_verdict_is_immutable_and_the_json_reads_it() -> None:
    run = mojibake_run("d1", "d2")
    verdict = gate(run, waivers=[waiver("d1")], today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.exit_code = 0  # type: ignore[misc]
    data = run.to_json(verdict)
    assert data["success"] is False
    assert [f["gate"] for f in data["findings"]] == ["waived", "counted"]
    (exp,) = data["expectations"]
    assert (exp["success"], exp["status"], exp["unexpected"], exp["gated_unexpected"],
            exp["fails_run"]) == (False, "fail", 2, 1, True)
    gating = data["gating"]
    assert (gating["exit_code"], gating["failing"], gating["waived"]) == (1, [MOJIBAKE], 1)
    assert gating["counted"] == {"error": 1, "warning": 0, "info": 0}
    assert gating["waived_findings"] == [{"document": "d1", "expectation": MOJIBAKE,
                                          "reason": "mojibake", "waiver": "waivers.yml:2",
                                          "why": "accepted"}]


def _missing(document: str, field: str) -> Finding:
    return dataclasses.replace(finding(document, "expect_document_to_have_metadata",
                                       "missing_field"), key=field)


def test_a_reason_failing_most_of_the_corpus_gets_one_corpus_wide_note() -> None:
    meta = Outcome("expect_document_to_have_metadata", "error", 1.0, {}, "", checked=10,
                   unexpected=10)
    found = [_missing(f"d{i}", "source") for i in range(10)] + [_missing("d3", "date")]
    verdict = gate(run_with(meta, found), today=TODAY)
    (note,) = [n for n in verdict.notes if n.startswith("corpus-wide:")]
    assert note.startswith("corpus-wide: expect_document_to_have_metadata [missing_field "
                           "source] in 10 of 10 documents (100%)")
    assert "drop 'source' from its fields" in note and "waive it" in note
    assert len(verdict.counted) == 11  # the findings themselves all stay
    assert verdict.to_json()["notes"] == list(verdict.notes)


def test_no_corpus_wide_note_for_half_the_corpus_or_a_small_corpus() -> None:
    half = gate(mojibake_run(*(f"d{i}" for i in range(5))), today=TODAY)
    assert not [n for n in half.notes if n.startswith("corpus-wide:")]
    small = [{"id": f"d{i}", "path": f"c/d{i}.txt", "story": None} for i in range(3)]
    three = run_with(Outcome(MOJIBAKE, "error", 1.0, {}, "", checked=3, unexpected=3),
                     [finding(f"d{i}") for i in range(3)], documents=small)
    assert not [n for n in gate(three, today=TODAY).notes if n.startswith("corpus-wide:")]
    six = gate(mojibake_run(*(f"d{i}" for i in range(6))), today=TODAY)
    assert [n for n in six.notes if n.startswith("corpus-wide:")]


class CountedReads(list):
    """A run's findings that count the passes made over them."""

    passes = 0

    def __iter__(self):
        type(self).passes += 1
        return super().__iter__()


def test_the_gates_one_pass_counts_what_the_results_and_the_verdict_line_say() -> None:
    found = [finding("d1"), finding("d2", severity="warning"), finding("d3"),
             dataclasses.replace(finding("d4"), also=(Occurrence((9, 12), 2, 1, "x", "m"),))]
    baseline = Baseline(baseline_entries([found[2]]), "b.json")
    run = run_with(Outcome(MOJIBAKE, "error", 1.0, {}, "", checked=10, unexpected=4),
                   CountedReads(found))
    CountedReads.passes = 0
    verdict = gate(run, waivers=[waiver("d1")], baseline=baseline, today=TODAY)
    gate_passes = CountedReads.passes
    data = run.to_json(verdict)
    assert (verdict.counts(), verdict.places()) == (
        {"error": 1, "warning": 1, "info": 0}, 3)  # d4 shows in two places
    assert CountedReads.passes == gate_passes  # statistics and counts: the gate's tallies
    assert data["statistics"]["findings"] == run.counts() == {"error": 3, "warning": 1,
                                                              "info": 0}
    assert data["statistics"]["occurrences"] == run.occurrence_counts() == {
        "error": 4, "warning": 1, "info": 0}
    assert dataclasses.replace(verdict, tallies=None).counts() == verdict.counts()
    assert dataclasses.replace(verdict, tallies=None).places() == verdict.places()


class SameHash(str):
    """A story id whose hash is every other's (two stories of one hash)."""

    def __hash__(self) -> int:
        return 7


def test_the_results_count_stories_exactly_also_when_their_hashes_meet() -> None:
    outcome = Outcome(MOJIBAKE, "error", 1.0, {}, "", checked=5)

    def stories(*ids: str | None) -> int:
        docs = [{"id": f"d{i}", "path": f"c/d{i}.txt", "story": story}
                for i, story in enumerate(ids)]
        run = run_with(outcome, [], documents=docs)
        return run.to_json(gate(run, today=TODAY))["statistics"]["stories"]

    assert stories(None, None, "s1", "s2") == 4
    assert stories("s1", None, "s1", "s2") == 3  # a story of two documents
    assert stories(SameHash("a"), SameHash("b"), SameHash("c")) == 3
    assert stories(SameHash("a"), SameHash("b"), SameHash("a")) == 2
