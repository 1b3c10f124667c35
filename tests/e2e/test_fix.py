"""``corpus-qa fix`` end to end: the seeds, JSON Lines shards, refusals, idempotence."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SEED_000, SEED_001, SEEDS, run_cli


def _fix(tmp_path: Path, *args: str, name: str = "out") -> tuple[subprocess.CompletedProcess,
                                                                   Path, dict]:
    out, report = tmp_path / name, tmp_path / f"{name}-report"
    proc = run_cli("fix", *args, "--out", str(out), "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    return proc, out, json.loads((report / "fix-report.json").read_text(encoding="utf-8"))


def _after(report: dict) -> dict[str, int]:
    return {e["type"]: e["findings_after"] for e in report["expectations"] if e["findings_after"]}


@pytest.fixture(scope="module")
def without_suggestions(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path, dict]:
    return _fix(tmp_path_factory.mktemp("fix"), str(SEEDS))


@pytest.fixture(scope="module")
def with_suggestions(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path, dict]:
    return _fix(tmp_path_factory.mktemp("fix"), str(SEEDS), "--accept-suggestions")


def test_seed_001_notice_title_and_byline_go_to_front_matter(without_suggestions) -> None:
    _, out, report = without_suggestions
    text = (out / f"{SEED_001}.txt").read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    assert "source: Voice of America" in head and "licence: public domain" in head
    assert "title: US, Mexico Discuss Options to Slow Surge of Migrants at Border" in head
    assert "attribution: VOA News" in head
    assert "date:" not in head  # a suggestion: only with --accept-suggestions
    assert body.startswith("U.S. and Mexican officials met Wednesday")
    assert "Originally posted" not in body and "by VOA News" not in body
    (doc,) = [d for d in report["documents"] if d["id"] == SEED_001]
    assert doc["status"] == "repaired"
    assert any("suggestion '2023-12-28'" in n for n in doc["notes"])


def test_seed_000_is_copied_byte_for_byte_without_suggestions(without_suggestions) -> None:
    proc, out, report = without_suggestions
    assert (out / f"{SEED_000}.txt").read_bytes() == (SEEDS / f"{SEED_000}.txt").read_bytes()
    assert _after(report) == {"expect_document_to_have_metadata": 2,
                              "expect_document_to_have_paragraphs": 1,
                              "expect_versions_to_preserve_diacritics": 1,
                              "expect_versions_to_have_consistent_credit_lines": 2}
    assert "expect_document_to_have_no_boilerplate" in proc.stdout


def test_suggestions_fill_source_date_and_restore_accents(with_suggestions) -> None:
    _, out, report = with_suggestions
    text000 = (out / f"{SEED_000}.txt").read_text(encoding="utf-8")
    assert text000.startswith("---\ndate: '2023-12-28'  # origin: header\n"
                              f"source: Voice of America  # origin: suggestion from {SEED_001}\n"
                              "---\nU.S. and Mexican officials met Wednesday")
    for accented in ("López Obrador", "Bárcena", "Andrés"):
        assert accented in text000
    assert "Lopez" not in text000 and "Barcena" not in text000 and "Andres " not in text000
    text001 = (out / f"{SEED_001}.txt").read_text(encoding="utf-8")
    assert f"date: '2023-12-28'  # origin: suggestion from {SEED_000}" in text001
    # Only what is not repairable stays: flattened paragraphs and the (info) credit lines.
    assert _after(report) == {"expect_document_to_have_paragraphs": 1,
                              "expect_versions_to_have_consistent_credit_lines": 2}


def test_fixing_the_fixed_copy_changes_nothing(with_suggestions, tmp_path) -> None:
    _, out, _ = with_suggestions
    _, again, report = _fix(tmp_path, str(out), "--accept-suggestions")
    assert report["statistics"]["repaired"] == 0
    for file in out.iterdir():
        assert (again / file.name).read_bytes() == file.read_bytes()


def test_the_corpus_is_never_touched(with_suggestions) -> None:
    assert sorted(p.name for p in SEEDS.iterdir()) == [f"{SEED_000}.txt", f"{SEED_001}.txt"]


def test_jsonl_records_keep_their_lines_and_fields(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    clean = b'{"id":"b","text":"A clean story.","metadata":{"date":"2024-01-03","source":"X",' \
            b'"attribution":"Y"},"lang":"en"}\n'
    broken = {"id": "a", "text": "The caf\u00c3\u00a9 opened.\nShare this article\nThe end\x07.",
              "metadata": {"date": "2024-01-02", "source": "X", "attribution": "Y"}, "lang": "en"}
    (corpus / "plain.jsonl").write_bytes(clean + json.dumps(broken).encode() + b"\n")
    with gzip.open(corpus / "packed.jsonl.gz", "wb") as handle:
        handle.write(json.dumps({**broken, "id": "c"}).encode() + b"\n" + clean.replace(
            b'"b"', b'"d"'))
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    _, out, report = _fix(tmp_path, str(corpus))
    lines = (out / "plain.jsonl").read_bytes().splitlines(keepends=True)
    assert lines[0] == clean  # unchanged record: byte for byte
    repaired = json.loads(lines[1])
    assert repaired == {**broken, "text": "The café opened.\nThe end."}
    packed = gzip.decompress((out / "packed.jsonl.gz").read_bytes()).splitlines(keepends=True)
    assert json.loads(packed[0])["text"] == "The café opened.\nThe end."
    assert packed[1] == clean.replace(b'"b"', b'"d"')
    assert {p.name: p.read_bytes() for p in corpus.iterdir()} == before
    assert report["statistics"]["repaired"] == 2
    assert not _after(report)


def test_record_fields_are_named_as_for_validate(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    record = {"key": "a", "body": "Caf\u00c3\u00a9 news.", "meta": {"date": "2024-01-02",
              "source": "X", "attribution": "Y"}}
    (corpus / "a.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    _, out, _ = _fix(tmp_path, str(corpus), "--text-field", "body", "--id-field", "key",
                     "--metadata-field", "meta")
    assert json.loads((out / "a.jsonl").read_text(encoding="utf-8")) == {
        **record, "body": "Café news."}


def test_dry_run_writes_only_the_report(tmp_path) -> None:
    _, out, report = _fix(tmp_path, str(SEEDS), "--dry-run")
    assert not out.exists()
    assert report["dry_run"] and report["statistics"]["repaired"] == 1
    assert _after(report)["expect_document_to_have_metadata"] == 2


@pytest.mark.parametrize(("out", "message"), [
    (str(SEEDS), "is the corpus path"),
    (str(SEEDS / "fixed"), "is inside the corpus path"),
    (str(SEEDS.parent), "contains the corpus path"),
], ids=["same", "inside", "contains"])
def test_an_out_in_or_around_the_corpus_is_refused(out: str, message: str) -> None:
    proc = run_cli("fix", str(SEEDS), "--out", out)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (SEEDS / "fixed").exists()
