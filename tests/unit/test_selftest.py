"""Unit tests for corpus_qa.selftest: the mutation score of a suite on a corpus."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from corpus_qa.findings import Related
from corpus_qa.mutations import FAMILIES, InjectedDefect
from corpus_qa.results import Finding, RunResult
from corpus_qa.selftest import (
    FalseAlarm,
    Injection,
    Row,
    SelftestResult,
    _Doc,
    _Evaluator,
    _Planned,
    _rounds,
    _sample,
    _WorkingCopy,
    format_table,
    run_selftest,
)
from corpus_qa.suite import load_suite
from tests.conftest import NEWS, SEED_000, SEED_001, SEEDS

ENCODING_ONLY = """\
name: encoding-only
expectations:
  - type: expect_document_to_be_valid_utf8
  - type: expect_document_to_have_no_mojibake
  - type: expect_document_to_have_no_control_characters
  - type: expect_document_to_be_unicode_normalized
"""


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def seeds_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus") / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture(scope="module")
def seeds_run(seeds_copy: Path) -> tuple[SelftestResult, dict[str, str], dict[str, str]]:
    before = _snapshot(seeds_copy)
    result = run_selftest([str(seeds_copy)], load_suite(NEWS), copies=1)  # e2e runs 3
    return result, before, _snapshot(seeds_copy)


# --- the seeds --------------------------------------------------------------------------------


def test_seeds_every_family_is_found_every_time_with_no_false_alarm(seeds_run) -> None:  # type: ignore[no-untyped-def]
    result, _, _ = seeds_run
    rows = {r.family: r for r in result.rows if r.family}
    assert set(rows) == set(FAMILIES)
    for family, row in rows.items():
        assert row.in_suite, family
        assert row.injected > 0, family
        assert (row.found, row.false_alarms) == (row.injected, 0), family
    assert all(r.false_alarms == 0 for r in result.rows)
    assert result.false_alarms == [] and result.errors == []
    assert result.success and result.exit_code() == 0
    assert (result.documents, result.sampled_documents, result.stories) == (2, 2, 1)


def test_seeds_injections_land_where_the_seeds_allow(seeds_run) -> None:  # type: ignore[no-untyped-def]
    result, _, _ = seeds_run
    by_family: dict[str, set[str]] = {}
    for injection in result.injections:
        by_family.setdefault(injection.family, set()).add(injection.document)
    # 000 is ASCII (nothing to decompose); only 000 has a date to spoil.
    assert by_family["nfd"] == {SEED_001}
    assert by_family["invalid_date"] == {SEED_000}
    # 000 already lost its accents: the folded version is a copy of 001 added to the story.
    assert by_family["stripped_diacritics"] == {SEED_001 + ".selftest-copy"}
    dropped = {(i.document, i.defect.key) for i in result.injections
               if i.family == "dropped_metadata"}
    assert dropped == {(SEED_000, "date"), (SEED_000, "attribution"),
                       (SEED_001, "source"), (SEED_001, "attribution")}


def test_seeds_files_are_byte_identical_afterwards(seeds_run) -> None:  # type: ignore[no-untyped-def]
    _, before, after = seeds_run
    assert after == before
    assert sorted(before) == [f"{SEED_000}.txt", f"{SEED_001}.txt"]


def test_seeds_json_is_complete(seeds_run) -> None:  # type: ignore[no-untyped-def]
    result, _, _ = seeds_run
    data = json.loads(json.dumps(result.to_json()))
    assert data["success"] is True
    assert data["statistics"]["injections"] == len(result.injections) > 0
    first = data["injections"][0]
    assert {"family", "document", "expectation", "reason", "span", "found", "finding"} <= set(first)
    assert first["finding"].startswith(f"{first['document']}:")


# --- a weak suite ------------------------------------------------------------------------------


def test_weak_suite_misses_the_metadata_boilerplate_and_version_families(tmp_path: Path) -> None:
    suite_file = tmp_path / "weak.yml"
    suite_file.write_text(ENCODING_ONLY, encoding="utf-8")
    result = run_selftest([str(SEEDS)], load_suite(suite_file), copies=1)
    rows = {r.family: r for r in result.rows if r.family}
    for family in ("invalid_bytes", "mojibake", "control_character", "nfd"):
        assert rows[family].in_suite and rows[family].found == rows[family].injected > 0
    for family in ("dropped_metadata", "invalid_date", "boilerplate_line", "figure_change",
                   "stripped_diacritics"):
        assert not rows[family].in_suite, family
        assert rows[family].injected > 0 and rows[family].found == 0, family
    assert result.exit_code() == 1
    table = format_table(result)
    assert "expect_document_to_have_metadata (not in suite)" in table
    assert "corpus-qa selftest: FAILED" in table


# --- JSONL ------------------------------------------------------------------------------------


def test_jsonl_corpus_fields_and_texts_are_mutated_in_copies(tmp_path: Path) -> None:
    body_000 = (SEEDS / f"{SEED_000}.txt").read_text(encoding="utf-8")[17:]
    text_001 = (SEEDS / f"{SEED_001}.txt").read_text(encoding="utf-8")
    body_001 = text_001[text_001.index("U.S. and Mexican officials"):]
    records = [
        {"id": "voa-1", "text": body_000,
         "metadata": {"date": "2023-12-28", "source": "Voice of America"}},
        {"text": body_001, "date": "2023-12-28", "source": "Voice of America",
         "attribution": "VOA News"},
    ]
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                      encoding="utf-8")
    before = corpus.read_bytes()
    result = run_selftest([str(corpus)], load_suite(NEWS), copies=1)
    assert corpus.read_bytes() == before
    rows = {r.family: r for r in result.rows if r.family}
    # A JSON string holds text, not bytes: invalid bytes cannot go into a record.
    assert (rows["invalid_bytes"].injected, rows["invalid_bytes"].not_applicable) == (0, 2)
    for family, row in rows.items():
        assert row.found == row.injected, (family, [i.reported for i in result.injections
                                                    if i.family == family and not i.found])
    dropped = {(i.document, i.defect.key) for i in result.injections
               if i.family == "dropped_metadata"}
    second = f"{corpus.as_posix()}#2"
    assert dropped == {("voa-1", "date"), ("voa-1", "source"), ("voa-1", "attribution"),
                       (second, "date"), (second, "source"), (second, "attribution")}
    assert result.success


SHARD_SUITE = ENCODING_ONLY.replace("name: encoding-only\n", """\
name: shards
corpus:
  text_field: body
  id_field: key
  metadata_field: meta
""") + """\
  - type: expect_document_to_have_metadata
    fields: [date, source]
"""


def _shard_records(n: int, start: int = 0) -> list[dict]:
    return [{"key": f"r{start + i}", "body": f"Report {start + i}: Andrés López said in Bogotá "
             f"that {12 * (i + 1)} cafés would reopen on Monday.\n",
             "meta": {"date": f"2024-03-{1 + i:02d}", "source": "Example Wire"}}
            for i in range(n)]


def test_shards_of_every_format_are_mutated_through_plain_jsonl_copies(tmp_path: Path) -> None:
    from corpus_qa.sources.write import write_records

    corpus = tmp_path / "shards"
    write_records(corpus / "a.jsonl.gz", _shard_records(2))
    rows = _shard_records(2, start=2)
    del rows[1]["key"]  # its id is the row's locator: shards/b.parquet#row2
    write_records(corpus / "b.parquet", rows)
    import zstandard

    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n"
             for r in _shard_records(3, start=4)]
    frames = [zstandard.ZstdCompressor().compress(b"".join(lines[:2])),
              zstandard.ZstdCompressor().compress(lines[2])]
    (corpus / "c.jsonl.zst").write_bytes(frames[0] + frames[1][:-6])  # the last frame cut
    before = _snapshot(corpus)
    suite_file = tmp_path / "shards.yml"
    suite_file.write_text(SHARD_SUITE, encoding="utf-8")
    result = run_selftest([str(corpus)], load_suite(suite_file), copies=1)
    assert _snapshot(corpus) == before
    assert result.documents == 6  # the records before the damage are used
    assert len(result.notes) == 1 and result.notes[0].startswith(
        f"{corpus.as_posix()}/c.jsonl.zst: the zstd stream breaks after line 2 ")
    assert "notes:\n  " + result.notes[0] in format_table(result)
    rows_by_family = {r.family: r for r in result.rows if r.family}
    for family in ("mojibake", "control_character", "nfd", "dropped_metadata"):
        row = rows_by_family[family]
        assert row.in_suite and row.injected > 0 and row.found == row.injected, family
        assert row.false_alarms == 0, family
    assert rows_by_family["invalid_bytes"].injected == 0  # records hold text, not bytes
    dropped = {(i.document, i.defect.key) for i in result.injections
               if i.family == "dropped_metadata"}
    documents = ("r0", "r1", "r2", f"{corpus.as_posix()}/b.parquet#row2", "r4", "r5")
    assert dropped == {(doc, key) for doc in documents for key in ("date", "source")}


# --- the pieces ---------------------------------------------------------------------------------


def _finding(document: str, expectation: str, reason: str, span: tuple[int, int],
             related: Related | None = None) -> Finding:
    return Finding(expectation, "error", document, f"{document}.txt", reason, f"{reason} here",
                   span, 1, span[0] + 1, "", related)


def _run(findings: list[Finding]) -> RunResult:
    return RunResult(suite="s", corpus=[], outcomes=[], findings=findings, documents=[])


def test_false_alarms_are_new_findings_on_untouched_documents_only(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    work = _WorkingCopy([str(tmp_path / "c")], tmp_path / "work")
    docs = [_Doc(name, name, tmp_path / f"{name}.txt", None, "story") for name in ("a", "b", "c")]
    known = _finding("b", "expect_document_to_have_metadata", "missing_field", (0, 0))
    evaluator = _Evaluator(_run([known]), docs, work)
    defect = InjectedDefect("figure_change", "expect_versions_to_have_consistent_figures",
                            "figure_changed", (10, 16))
    plan = _Planned(Injection("figure_change", "a", 0, defect), "story", [])
    round_findings = [
        _finding("a", "expect_versions_to_have_consistent_figures", "figure_changed", (10, 16)),
        known,  # in the baseline: not an alarm
        # the other side of the injected change: related points into the mutated document
        _finding("b", "expect_versions_to_have_consistent_figures", "figure_changed", (40, 46),
                 Related("a", (10, 16))),
        # new, and about c itself: a false alarm
        _finding("c", "expect_document_to_have_no_boilerplate", "call_to_action", (0, 9)),
    ]
    evaluator.score(1, [plan], {id(plan): "a"}, _run(round_findings))
    assert plan.injection.found
    assert plan.injection.finding == ("a:1:11: expect_versions_to_have_consistent_figures "
                                      "[figure_changed] figure_changed here")
    assert evaluator.untouched == 2
    assert evaluator.false_alarms == [FalseAlarm(
        1, "figure_change", "a", "c", "expect_document_to_have_no_boilerplate",
        "call_to_action", "call_to_action here")]
    assert dict(evaluator.alarmed) == {"expect_document_to_have_no_boilerplate": 1}


def test_an_injection_is_not_found_at_another_span(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    work = _WorkingCopy([str(tmp_path / "c")], tmp_path / "work")
    docs = [_Doc("a", "a", tmp_path / "a.txt", None, "s1")]
    defect = InjectedDefect("mojibake", "expect_document_to_have_no_mojibake", "mojibake", (50, 56))
    plan = _Planned(Injection("mojibake", "a", 0, defect), "s1", [])
    elsewhere = _finding("a", "expect_document_to_have_no_mojibake", "mojibake", (3, 9))
    _Evaluator(_run([]), docs, work).score(1, [plan], {id(plan): "a"}, _run([elsewhere]))
    assert not plan.injection.found
    assert plan.injection.reported == ["a:1:4: expect_document_to_have_no_mojibake [mojibake] "
                                       "mojibake here"]


def test_rounds_mutate_at_most_one_document_per_story() -> None:
    defect = InjectedDefect("mojibake", "expect_document_to_have_no_mojibake", "mojibake", (0, 1))
    plans = [_Planned(Injection("mojibake", d, 0, defect), story, [])
             for d, story in (("a1", "a"), ("a2", "a"), ("b1", "b"), ("c1", "c"), ("a3", "a"))]
    rounds = _rounds(plans)
    assert [[p.injection.document for p in batch] for batch in rounds] == [
        ["a1", "b1", "c1"], ["a2"], ["a3"]]


def test_sample_keeps_whole_stories_and_prefers_several_versions() -> None:
    docs = [_Doc(f"{s}{i}", f"{s}{i}", Path(f"{s}{i}.txt"), None, s)
            for s, n in (("a", 2), ("b", 1), ("c", 1), ("d", 3), ("e", 1)) for i in range(n)]
    for seed in range(5):
        kept = _sample(docs, 2, seed=seed)
        stories = {d.story for d in kept}
        assert len(stories) == 2
        assert stories & {"a", "d"}  # max_stories // 2 = 1 story with several versions, at least
        assert kept == [d for d in docs if d.story in stories]  # whole stories, corpus order
    assert _sample(docs, 10, seed=0) == docs


@pytest.mark.parametrize(("copies", "max_stories", "message"), [
    pytest.param(0, 20, "copies must be at least 1, got 0", id="no-copies"),
    pytest.param(1, 0, "max_stories must be at least 1, got 0", id="no-stories"),
])
def test_bad_arguments_raise_at_once(copies: int, max_stories: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run_selftest([str(SEEDS)], load_suite(NEWS), copies=copies, max_stories=max_stories)


def test_format_table_shows_counts_misses_and_alarms() -> None:
    defect = InjectedDefect("mojibake", "expect_document_to_have_no_mojibake", "mojibake", (4, 10),
                            "'López' → 'LÃ³pez' (UTF-8 read as cp1252)")
    miss = Injection("mojibake", "doc", 1, defect, round=3,
                     reported=["doc:1:1: expect_document_to_have_no_mojibake [mojibake] other"])
    hit = Injection("mojibake", "doc", 0, defect, round=2, found=True)
    result = SelftestResult(
        suite="news", corpus=["corpus"], seed=0, copies=2, documents=4, stories=2,
        sampled_documents=4,
        rows=[Row("expect_document_to_have_no_mojibake", "mojibake", True, 2, 1, 1, 6, 0),
              Row("expect_document_to_have_metadata", "dropped_metadata", False, 2, 0, 0, 6, 0),
              Row("expect_versions_to_have_consistent_metadata", None, True, untouched=6,
                  false_alarms=1)],
        injections=[hit, miss],
        false_alarms=[FalseAlarm(3, "mojibake", "doc", "other", "expect_versions_to_have_"
                                 "consistent_metadata", "metadata_conflict", "source differs")],
        rounds=3, duration_s=1.25,
    )
    assert format_table(result).splitlines() == [
        "expectation                                      family             injected    found"
        "  false alarms",
        "expect_document_to_have_no_mojibake              mojibake          2 (1 n/a)  1/2 50%"
        "        0/6 0%",
        "expect_document_to_have_metadata (not in suite)  dropped_metadata          2   0/2 0%"
        "        0/6 0%",
        "expect_versions_to_have_consistent_metadata      —                         —        —"
        "       1/6 17%",
        "",
        "not found:",
        "  mojibake in doc (copy 1): 'López' → 'LÃ³pez' (UTF-8 read as cp1252) — reported: "
        "doc:1:1: expect_document_to_have_no_mojibake [mojibake] other",
        "",
        "false alarms:",
        "  round 3 (mojibake in doc): other: expect_versions_to_have_consistent_metadata "
        "[metadata_conflict] source differs",
        "",
        "corpus-qa selftest: FAILED — 2 defects injected into 4 of 4 documents in 3 rounds, "
        "seed 0 (1.2s)",
    ]
