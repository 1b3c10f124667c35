"""CI gating inputs without git: selection of changed stories, baselines, waivers."""

from __future__ import annotations

import datetime as dt
import json
import random
import textwrap
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.gating import (
    Baseline,
    BaselineEntry,
    BaselineError,
    Waiver,
    WaiverError,
    apply_waivers,
    baseline_entries,
    changed_summary,
    compare_to_baseline,
    content_text,
    fingerprint,
    load_baseline,
    load_waivers,
    select_for_changed,
    unused_waivers,
    write_baseline,
)
from corpus_qa.results import Finding, RunResult

NOTICE = "Originally posted by the Voice of America. This material is in the public domain."


def finding(document: str = "001", expectation: str = "expect_document_to_have_no_boilerplate",
            reason: str = "licence_notice", excerpt: str = NOTICE, line: int = 1, column: int = 1,
            span: tuple[int, int] = (0, 80), severity: str = "error",
            message: str = "syndication notice — move it into metadata") -> Finding:
    return Finding(expectation=expectation, severity=severity, document=document,
                   path=f"seeds/{document}.txt", reason=reason, message=message, span=span,
                   line=line, column=column, excerpt=excerpt)


# --- fingerprints --------------------------------------------------------------------------

BASE = finding()


@pytest.mark.parametrize(
    "moved",
    [
        pytest.param(replace(BASE, line=7, column=3, span=(412, 492)), id="moved-down-the-file"),
        pytest.param(replace(BASE, excerpt=NOTICE.replace(" ", "\n  ")), id="reflowed-whitespace"),
        pytest.param(replace(BASE, message="reworded message"), id="message-reworded"),
        pytest.param(replace(BASE, severity="warning"), id="severity-changed"),
        pytest.param(replace(BASE, excerpt=NOTICE + " …"), id="excerpt-ellipsis"),
    ],
)
def test_fingerprint_survives_edits_that_keep_the_finding(moved: Finding) -> None:
    assert fingerprint(moved) == fingerprint(BASE)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(replace(BASE, document="000"), id="other-document"),
        pytest.param(replace(BASE, expectation="expect_document_to_have_no_mojibake"),
                     id="other-expectation"),
        pytest.param(replace(BASE, reason="glued_byline"), id="other-reason"),
        pytest.param(replace(BASE, excerpt="Originally posted by Reuters."), id="other-text"),
    ],
)
def test_fingerprint_tells_different_findings_apart(other: Finding) -> None:
    assert fingerprint(other) != fingerprint(BASE)


def test_fingerprint_is_stable_across_releases() -> None:
    """Committed baselines rely on it: changing the fingerprint must be a deliberate break."""
    seed = replace(BASE, document="001_a1d7f1edd2253686")
    assert fingerprint(seed) == "46ff4eda4bfb7014"  # the example in docs/pytest-and-ci.md


def test_content_text_normalises_whitespace_and_the_excerpt_ellipsis() -> None:
    assert content_text(replace(BASE, excerpt="  Originally\tposted \n by …")) == \
        "Originally posted by"
    assert len(fingerprint(BASE)) == 16 and int(fingerprint(BASE), 16) >= 0


# --- baselines -----------------------------------------------------------------------------


def test_baseline_file_is_sorted_grouped_and_deterministic(tmp_path: Path) -> None:
    findings = [
        finding("001"),
        finding("000", "expect_document_to_have_metadata", "missing_field", excerpt=""),
        finding("001", line=9),  # the same notice twice: one entry, count 2
    ]
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write_baseline(findings, first)
    write_baseline(list(reversed(findings)), second)
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text(encoding="utf-8"))
    assert data == {
        "baseline_version": 1,
        "total": 3,
        "findings": [
            {"fingerprint": fingerprint(findings[1]), "document": "000",
             "expectation": "expect_document_to_have_metadata", "reason": "missing_field",
             "severity": "error", "excerpt": "", "count": 1},
            {"fingerprint": fingerprint(findings[0]), "document": "001",
             "expectation": "expect_document_to_have_no_boilerplate", "reason": "licence_notice",
             "severity": "error", "excerpt": NOTICE, "count": 2},
        ],
    }
    assert first.read_text(encoding="utf-8").endswith("}\n")


def test_write_baseline_takes_a_run_result(tmp_path: Path) -> None:
    run = RunResult(suite="s", corpus=["seeds"], outcomes=[], findings=[BASE], documents=[])
    data = write_baseline(run, tmp_path / "nested" / "baseline.json")
    assert data["total"] == 1
    assert load_baseline(tmp_path / "nested" / "baseline.json").entries[0].document == "001"


def test_compare_splits_new_known_and_fixed(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    gone = finding("002", reason="share_line", excerpt="Share this article")
    write_baseline([BASE, gone], path)
    moved = replace(BASE, line=12, span=(900, 980))
    fresh = finding("003", "expect_document_to_have_no_mojibake", "mojibake", excerpt="cafÃ©")
    new, known, fixed = compare_to_baseline([moved, fresh], path)
    assert new == [fresh]
    assert known == [moved]
    assert [(e.document, e.reason, e.count) for e in fixed] == [("002", "share_line", 1)]
    assert fixed[0].line_text() == ('002: expect_document_to_have_no_boilerplate [share_line] '
                                    '"Share this article"')


def test_compare_matches_as_a_multiset(tmp_path: Path) -> None:
    baseline = Baseline((BaselineEntry(fingerprint(BASE), "001", BASE.expectation, BASE.reason,
                                       "error", NOTICE, count=2),))
    three = [replace(BASE, line=n) for n in (1, 2, 3)]
    new, known, fixed = compare_to_baseline(three, baseline)
    assert (known, new, fixed) == (three[:2], three[2:], [])
    new, known, fixed = compare_to_baseline(three[:1], baseline)
    assert [(e.document, e.count) for e in fixed] == [("001", 1)]
    assert fixed[0].line_text().endswith('"')


def test_fixed_is_limited_to_the_documents_that_were_validated() -> None:
    baseline = Baseline((BaselineEntry("f1", "000", "e", "r", "error", "x"),
                         BaselineEntry("f2", "001", "e", "r", "error", "y")))
    _, _, fixed = compare_to_baseline([], baseline, documents={"001"})
    assert [e.document for e in fixed] == ["001"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "cannot read the baseline (No such file or directory) — write one "
                     "with --write-baseline", id="missing-file"),
        pytest.param("{not json", "not a corpus-qa baseline (invalid JSON: Expecting property "
                     "name enclosed in double quotes: line 1 column 2 (char 1)) — write one with "
                     "--write-baseline", id="invalid-json"),
        pytest.param('{"findings": []}', "not a corpus-qa baseline (expected baseline_version "
                     "1) — write one with --write-baseline", id="no-version"),
        pytest.param('{"baseline_version": 1, "findings": [{"document": "a"}]}',
                     "findings[0] needs fingerprint, document, expectation and reason — write "
                     "one with --write-baseline", id="entry-without-keys"),
    ],
)
def test_unreadable_baselines_are_clear_errors(tmp_path: Path, content: str | None,
                                               message: str) -> None:
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError) as error:
        load_baseline(path)
    assert str(error.value) == f"{path}: {message}"


# --- selecting changed stories ---------------------------------------------------------------

DOCS = [
    {"id": "a", "path": "corpus/a.txt", "story": "s1"},
    {"id": "b", "path": "corpus/b.txt", "story": "s1"},
    {"id": "c", "path": "corpus/c.txt", "story": None},
    {"id": "d", "path": "corpus/d.txt", "story": "s2"},
    {"id": "j1", "path": "corpus/lines.jsonl", "story": "s2"},
    {"id": "j2", "path": "corpus/lines.jsonl", "story": None},
]


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        pytest.param(["corpus/a.txt"], {"a", "b"}, id="version-brings-its-story"),
        pytest.param(["corpus/c.txt"], {"c"}, id="no-story"),
        pytest.param(["./corpus/../corpus/c.txt"], {"c"}, id="path-spelling"),
        pytest.param(["corpus/lines.jsonl"], {"j1", "j2", "d"}, id="jsonl-file-brings-stories"),
        pytest.param(["corpus/a.txt", "corpus/d.txt"], {"a", "b", "d", "j1"}, id="two-stories"),
        pytest.param(["elsewhere/a.txt"], set(), id="not-in-corpus"),
        pytest.param([], set(), id="nothing-changed"),
    ],
)
def test_select_for_changed(changed: list[str], expected: set[str]) -> None:
    assert select_for_changed(DOCS, changed) == expected


def test_select_for_changed_takes_a_story_map_and_objects() -> None:
    objects = [SimpleNamespace(id=d["id"], path=d["path"]) for d in DOCS]
    stories = {"a": "s9", "c": "s9", "b": None}
    assert select_for_changed(objects, ["corpus/a.txt"], stories=stories) == {"a", "c"}
    assert select_for_changed(DOCS, ["corpus/b.txt"], stories=stories) == {"b"}


@pytest.mark.parametrize(
    ("changed", "selected", "total", "text"),
    [
        pytest.param({"a"}, {"a", "b"}, 20000, "--changed-since main: 1 changed document and 1 "
                     "other version of its stories; validating 2 of 20,000 documents, skipped "
                     "19,998", id="one"),
        pytest.param({"a", "c"}, {"a", "c"}, 3, "--changed-since main: 2 changed documents and 0 "
                     "other versions of their stories; validating 2 of 3 documents, skipped 1",
                     id="two"),
    ],
)
def test_changed_summary(changed: set[str], selected: set[str], total: int, text: str) -> None:
    assert changed_summary("main", changed, selected, total) == text


# --- waivers -----------------------------------------------------------------------------------

WAIVERS = """\
waivers:
  - document: "00*"
    expectation: expect_document_to_have_no_boilerplate
    reason: licence_notice
    why: >
      Syndicated copies keep the notice
      until legal decides (CORPUS-12).
    expires: 2026-06-30
  - document: seeds/000.txt
    expectation: expect_document_to_have_metadata
    why: The date is added upstream.
"""


def write(tmp_path: Path, text: str, name: str = "waivers.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_load_waivers_reads_every_field_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, WAIVERS)
    first, second = load_waivers(path, expectations=["expect_document_to_have_no_boilerplate",
                                                     "expect_document_to_have_metadata"])
    assert first == Waiver(document="00*", expectation="expect_document_to_have_no_boilerplate",
                           why="Syndicated copies keep the notice until legal decides (CORPUS-12).",
                           reason="licence_notice", expires=dt.date(2026, 6, 30), file=str(path),
                           line=2)
    assert (second.reason, second.expires, second.location) == (None, None, f"{path}:9")


def test_a_plain_list_and_an_empty_file_are_waiver_files_too(tmp_path: Path) -> None:
    listed = write(tmp_path, "- {document: a, expectation: e, why: w, expires: '2030-01-02'}\n")
    assert load_waivers(listed)[0].expires == dt.date(2030, 1, 2)
    assert load_waivers(write(tmp_path, "", "empty.yml")) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("waivers:\n  - document: a\n    expectation: e\n    why: w\n"
                     "    expire: 2026-01-01\n",
                     "5: unknown key 'expire'; did you mean 'expires'?", id="misspelt-key"),
        pytest.param("waivers:\n  - document: a\n    expectation: e\n",
                     "2: 'why' is required and must be a non-empty string saying why the finding "
                     "is accepted", id="no-why"),
        pytest.param("waivers:\n  - document: a\n    expectation: e\n    why: '  '\n",
                     "4: 'why' is required and must be a non-empty string saying why the finding "
                     "is accepted", id="blank-why"),
        pytest.param("waivers:\n  - expectation: e\n    why: w\n",
                     "2: 'document' is required and must be a non-empty string", id="no-document"),
        pytest.param("waivers:\n  - document: a\n    expectation: e\n    why: w\n"
                     "    expires: soon\n",
                     "5: 'expires' must be a date written YYYY-MM-DD, got 'soon'", id="bad-date"),
        pytest.param("waivers:\n  - document: a\n    expectation: e\n    why: w\n"
                     "    expires: 2026-01-01 10:00:00\n",
                     "5: 'expires' must be a date written YYYY-MM-DD, got "
                     "datetime.datetime(2026, 1, 1, 10, 0)", id="datetime-not-date"),
        pytest.param("waivers:\n  - document: a\n    expectation: e\n    why: w\n    reason: 3\n",
                     "5: 'reason' must be a reason code such as licence_notice", id="bad-reason"),
        pytest.param("waivers:\n  - document: a\n"
                     "    expectation: expect_document_to_have_no_mojibak\n    why: w\n",
                     "3: unknown expectation 'expect_document_to_have_no_mojibak'; did you mean "
                     "'expect_document_to_have_no_mojibake'?", id="unknown-expectation"),
        pytest.param("waivers: {document: a}\n",
                     "1: a waiver file is a list of waivers (or a mapping with a 'waivers' list)",
                     id="not-a-list"),
        pytest.param("- just a string\n",
                     "1: each waiver is a mapping with document, expectation and why",
                     id="item-not-a-mapping"),
        pytest.param("waivers:\n  - document: [a\n", "3: invalid YAML: expected ',' or ']', but "
                     "got '<stream end>'", id="invalid-yaml"),
    ],
)
def test_bad_waiver_files_name_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(WaiverError) as error:
        load_waivers(path, expectations=["expect_document_to_have_no_mojibake", "e"])
    assert str(error.value) == f"{path}:{message}"


JUNE = dt.date(2026, 6, 30)


def test_apply_waivers_by_glob_reason_and_expiry(tmp_path: Path) -> None:
    waivers = load_waivers(write(tmp_path, WAIVERS))
    notice = finding("001")
    byline = finding("001", reason="glued_byline", excerpt="by VOA News")
    no_date = finding("000", "expect_document_to_have_metadata", "missing_field", excerpt="")
    other = finding("101")
    kept, waived, expired = apply_waivers([notice, byline, no_date, other], waivers, JUNE)
    assert kept == [byline, other]
    assert [(w.finding, w.waiver.line) for w in waived] == [(notice, 2), (no_date, 9)]
    assert expired == []
    kept, waived, expired = apply_waivers([notice, no_date], waivers, JUNE + dt.timedelta(days=1))
    assert kept == [notice]
    assert [w.finding for w in waived] == [no_date]
    assert expired == [waivers[0]]
    assert expired[0].expired_text() == (
        f"{tmp_path / 'waivers.yml'}:2: waiver for expect_document_to_have_no_boilerplate "
        "[licence_notice] on '00*' expired on 2026-06-30 and no longer applies — fix the "
        "findings, or renew it (why: Syndicated copies keep the notice until legal decides "
        "(CORPUS-12).)")


def test_unused_waivers_are_the_active_ones_that_matched_nothing(tmp_path: Path) -> None:
    waivers = load_waivers(write(tmp_path, WAIVERS))
    result = apply_waivers([finding("001")], waivers, JUNE)
    assert unused_waivers(waivers, result.waived, JUNE) == [waivers[1]]
    later = JUNE + dt.timedelta(days=1)
    assert unused_waivers(waivers, apply_waivers([], waivers, later).waived, later) == [waivers[1]]


# --- properties ----------------------------------------------------------------------------------

texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
findings = st.builds(
    finding,
    document=st.sampled_from(["000", "001", "a/b"]),
    reason=st.sampled_from(["mojibake", "licence_notice", "figure_changed"]),
    excerpt=texts,
    line=st.integers(1, 500),
    column=st.integers(1, 80),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(findings, max_size=8), st.randoms(use_true_random=False),
       st.integers(0, 40), st.integers(0, 40))
def test_a_baseline_absorbs_its_own_findings_wherever_they_move(
        found: list[Finding], rng: random.Random, down: int, right: int) -> None:
    baseline = Baseline(baseline_entries(found))
    moved = [replace(f, line=f.line + down, column=f.column + right,
                     span=(f.span[0] + down, f.span[1] + down)) for f in found]
    rng.shuffle(moved)
    new, known, fixed = compare_to_baseline(moved, baseline)
    assert (new, fixed) == ([], [])
    assert sorted(known, key=Finding.sort_key) == sorted(moved, key=Finding.sort_key)


@settings(max_examples=60, deadline=None)
@given(st.lists(findings, min_size=1, max_size=8), findings)
def test_exactly_the_added_finding_is_new_and_the_removed_one_fixed(
        found: list[Finding], extra: Finding) -> None:
    baseline = Baseline(baseline_entries(found))
    extra = replace(extra, excerpt=extra.excerpt + " \u2063unseen")
    new, _, fixed = compare_to_baseline([*found, extra], baseline)
    assert new == [extra] and fixed == []
    new, _, fixed = compare_to_baseline(found[1:], baseline)
    assert new == []
    assert [(e.fingerprint, e.count) for e in fixed] == [(fingerprint(found[0]), 1)]
