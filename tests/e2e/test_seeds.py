"""The seeds end to end with the default suite: exactly what the README says of them
(section "What the default suite says about the seeds")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SEED_000, SEED_001, run_cli


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str]:
    out = tmp_path_factory.mktemp("seeds") / "results.json"
    proc = run_cli("validate", "seeds", "--json", str(out), "--format", "lines")
    return proc.returncode, json.loads(out.read_text(encoding="utf-8")), proc.stdout


def _findings(data: dict, expectation: str) -> list[dict]:
    return [f for f in data["findings"] if f["expectation"] == expectation]


def test_exit_code_is_1_errors_present(seeds_run) -> None:
    code, data, _ = seeds_run
    assert code == 1
    assert data["success"] is False
    assert data["statistics"]["findings"]["error"] > 0


def test_encoding_passes_for_both(seeds_run) -> None:
    _, data, _ = seeds_run
    outcomes = {e["type"]: e for e in data["expectations"]}
    for name in ("expect_document_to_be_valid_utf8", "expect_document_to_have_no_mojibake",
                 "expect_document_to_have_no_control_characters",
                 "expect_document_to_be_unicode_normalized"):
        assert outcomes[name]["success"] and outcomes[name]["checked"] == 2


def test_metadata_resolved_with_origins(seeds_run) -> None:
    _, data, _ = seeds_run
    docs = {d["id"]: d["metadata"] for d in data["documents"]}
    m0, m1 = docs[SEED_000], docs[SEED_001]
    assert (m0["date"]["value"], m0["date"]["origin"], m0["date"]["span"]) == (
        "2023-12-28", "header", [6, 16])
    assert m0["attribution"]["values"] == ["The Associated Press", "Reuters"]
    assert m0["attribution"]["origin"] == "text"
    assert "licence" not in m0
    # A missing required field is listed with a null value and the other version's value.
    assert (m0["source"]["value"], m0["source"]["suggestion"]) == (None, "Voice of America")
    assert m0["source"]["suggestion_from"] == SEED_001
    assert (m1["source"]["value"], m1["source"]["origin"]) == ("Voice of America", "text")
    text1 = (Path("seeds") / f"{SEED_001}.txt").read_text(encoding="utf-8")
    s, e = m1["source"]["span"]
    assert text1[s:e] == "Originally posted by the Voice of America"
    assert m1["licence"]["value"] == "public domain"
    s, e = m1["licence"]["span"]
    assert "public domain" in text1[s:e]
    assert m1["attribution"]["values"] == [
        "VOA News", "The Associated Press", "Agence France-Presse", "Reuters"]
    assert (m1["date"]["value"], m1["date"]["suggestion"]) == (None, "2023-12-28")


def test_missing_fields_exactly(seeds_run) -> None:
    _, data, _ = seeds_run
    missing = [(f["document"], f["reason"], f["severity"], f["message"])
               for f in _findings(data, "expect_document_to_have_metadata")]
    assert missing == [
        (SEED_000, "missing_field", "error", "missing required metadata field 'source' — add it "
         "as front matter, a header line or a field; another version of this story "
         f"({SEED_001}) gives 'Voice of America'"),
        (SEED_001, "missing_field", "error", "missing required metadata field 'date' — add it as "
         "front matter, a header line or a field; another version of this story "
         f"({SEED_000}) gives '2023-12-28'"),
    ]
    assert not _findings(data, "expect_document_date_to_be_valid")


def test_steward_adds_a_source_phrasing_in_yaml(tmp_path: Path) -> None:
    """A new publisher wording in the suite's phrase list takes effect, no Python needed."""
    root = Path(__file__).resolve().parents[2]
    phrases = (root / "corpus_qa" / "data" / "metadata.yml").read_text(encoding="utf-8")
    addition = (
        "    - id: distributed-by\n"
        "      phrase: 'Distributed by {ORG}'\n"
        "      where: start\n"
        "      example: 'Distributed by Acme Wire Service. The talks began.'\n"
    )
    assert "signals:\n  source:\n" in phrases
    phrases = phrases.replace("signals:\n  source:\n", "signals:\n  source:\n" + addition, 1)
    (tmp_path / "phrases.yml").write_text(phrases, encoding="utf-8")
    (tmp_path / "suite.yml").write_text(
        "name: s\nmetadata:\n  phrases: phrases.yml\nexpectations:\n"
        "  - type: expect_document_to_have_metadata\n    fields: [source]\n")
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Distributed by Acme Wire Service. The talks began on Monday.\n")
    default = run_cli("validate", str(corpus), "--suite", str(root / "expectations" / "news.yml"),
                      "--json", str(tmp_path / "d.json"), "--format", "lines")
    assert "missing required metadata field 'source'" in default.stdout
    out = tmp_path / "r.json"
    proc = run_cli("validate", str(corpus), "--suite", str(tmp_path / "suite.yml"),
                   "--json", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (doc,) = json.loads(out.read_text(encoding="utf-8"))["documents"]
    assert doc["metadata"]["source"]["value"] == "Acme Wire Service"
    assert doc["metadata"]["source"]["signal"] == "distributed-by"


def test_grouped_into_one_story_by_similarity(seeds_run) -> None:
    _, data, _ = seeds_run
    stories = {d["story"] for d in data["documents"]}
    assert len(stories) == 1 and None not in stories
    assert data["statistics"]["stories"] == 1
    (story,) = data["stories"]
    assert sorted(story["documents"]) == [SEED_000, SEED_001]


def test_missing_fields_carry_suggestions_from_the_other_version(seeds_run) -> None:
    _, data, stdout = seeds_run
    found = {(f["document"], f["key"]): (f["suggestion"], f["related"]["document"])
             for f in _findings(data, "expect_document_to_have_metadata")}
    assert found == {
        (SEED_000, "source"): ("Voice of America", SEED_001),
        (SEED_001, "date"): ("2023-12-28", SEED_000),
    }
    assert "(suggestion: Voice of America)" in stdout


def test_diacritics_stripped_in_000_naming_each_pair(seeds_run) -> None:
    _, data, _ = seeds_run
    (finding,) = _findings(data, "expect_versions_to_preserve_diacritics")
    assert (finding["document"], finding["reason"], finding["severity"]) == (
        SEED_000, "diacritics_stripped", "warning")
    for pair in ("Lopez/López", "Barcena/Bárcena", "Andres/Andrés"):
        assert pair in finding["message"]
    outcome = {e["type"]: e for e in data["expectations"]}["expect_versions_to_preserve_diacritics"]
    assert (outcome["success"], outcome["severity"]) == (False, "warning")


def test_metadata_agrees_and_credit_lines_differ_at_info_level(seeds_run) -> None:
    _, data, _ = seeds_run
    assert not _findings(data, "expect_versions_to_have_consistent_metadata")
    credits = _findings(data, "expect_versions_to_have_consistent_credit_lines")
    assert {(f["document"], f["severity"], f["reason"]) for f in credits} == {
        (SEED_000, "info", "credit_lines_differ"), (SEED_001, "info", "credit_lines_differ")}
    assert all("Agence France-Presse" in f["message"] for f in credits)
    assert not any("VOA News" in f["message"] for f in credits)  # a byline, not a credit line


def test_boilerplate_exactly_in_001(seeds_run) -> None:
    _, data, _ = seeds_run
    found = [(f["document"], f["reason"], f["excerpt"])
             for f in _findings(data, "expect_document_to_have_no_boilerplate")]
    assert [(d, r) for d, r, _ in found] == [
        (SEED_001, "syndication_notice"), (SEED_001, "licence_notice"),
        (SEED_001, "title_in_body"), (SEED_001, "byline_in_body")]
    assert found[0][2] == "Originally posted by the Voice of America."
    assert found[2][2] == "US, Mexico Discuss Options to Slow Surge of Migrants at Border"
    assert found[3][2] == "by VOA News"
    # Credit lines are attribution, not boilerplate.
    assert not any("Some information" in e for _, _, e in found)


def test_paragraphs_flattened_warning_in_001_only(seeds_run) -> None:
    _, data, _ = seeds_run
    found = _findings(data, "expect_document_to_have_paragraphs")
    assert [(f["document"], f["reason"], f["severity"]) for f in found] == [
        (SEED_001, "paragraphs_flattened", "warning")]
    assert not _findings(data, "expect_corpus_to_have_no_repeated_lines")


def test_the_findings_of_the_seeds_are_exactly_these(seeds_run) -> None:
    """The seeds' contract as one table: any new or lost finding on the seeds fails here."""
    _, data, _ = seeds_run
    table = sorted((f["document"][:3], f["expectation"], f["reason"], f["severity"])
                   for f in data["findings"])
    assert table == sorted([
        ("000", "expect_document_to_have_metadata", "missing_field", "error"),
        ("000", "expect_versions_to_preserve_diacritics", "diacritics_stripped", "warning"),
        ("000", "expect_versions_to_have_consistent_credit_lines", "credit_lines_differ", "info"),
        ("001", "expect_document_to_have_metadata", "missing_field", "error"),
        ("001", "expect_document_to_have_no_boilerplate", "syndication_notice", "error"),
        ("001", "expect_document_to_have_no_boilerplate", "licence_notice", "error"),
        ("001", "expect_document_to_have_no_boilerplate", "title_in_body", "error"),
        ("001", "expect_document_to_have_no_boilerplate", "byline_in_body", "error"),
        ("001", "expect_document_to_have_paragraphs", "paragraphs_flattened", "warning"),
        ("001", "expect_versions_to_have_consistent_credit_lines", "credit_lines_differ", "info"),
    ])
