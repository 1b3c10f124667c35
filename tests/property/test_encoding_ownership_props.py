"""One defect, one finding, through the runner: which encoding expectation owns what.

An invalid byte is reported once, by ``expect_document_to_be_valid_utf8`` (its U+FFFD is
not also a control character or mojibake); a U+FFFD inside a JSON string (no bytes) is
reported once, by the same expectation; a control character is not also mojibake.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.news_corpus import document as news_document
from corpus_qa.documents import Document
from corpus_qa.mutations import (
    inject_control_character,
    inject_invalid_bytes,
    inject_mojibake,
)
from corpus_qa.runner import Runner
from corpus_qa.sources.text import read_text_metadata
from corpus_qa.suite import load_suite

ENCODING = ("expect_document_to_be_valid_utf8", "expect_document_to_have_no_mojibake",
            "expect_document_to_have_no_control_characters",
            "expect_document_to_be_unicode_normalized")
NAMES = ["Andrés López", "Zürich", "Kraków", "Łódź", "São Paulo", "Nguyễn Văn An",
         "Москва", "Αθήνα", "東京", "서울", "l’été", "“quoted”"]


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    suite = tmp_path_factory.mktemp("suite") / "encoding.yml"
    suite.write_text("name: encoding\nexpectations:\n"
                     + "".join(f"  - type: {e}\n" for e in ENCODING))
    return Runner(load_suite(suite), workers=1)


def _text(seed: int) -> str:
    rng = random.Random(seed)
    body = news_document(rng, target_chars=400)
    words = body.split(" ")
    for name in rng.sample(NAMES, 3):
        words.insert(rng.randrange(len(words)), name)
    return " ".join(words) + "\n"


def _file(doc_id: str, raw: bytes) -> Document:
    doc = Document(id=doc_id, text=raw.decode("utf-8", errors="replace"),
                   path=f"mem/{doc_id}.txt", raw=raw)
    read_text_metadata(doc)
    return doc


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, 10**6), min_size=4, max_size=10, unique=True))
def test_one_invalid_byte_is_one_finding(runner: Runner, seeds: list[int]) -> None:
    docs = []
    for seed in seeds:
        raw, defect = inject_invalid_bytes(_text(seed), random.Random(seed))
        assert defect.expected_reason == "invalid_utf8"
        docs.append(_file(f"bad-{seed}", raw))
    result = runner.run_items(iter(docs), ["mem"])
    found = [(f.document, f.expectation, f.reason) for f in result.findings
             if f.expectation in ENCODING]
    assert sorted(found) == sorted(
        (doc.id, "expect_document_to_be_valid_utf8", "invalid_utf8") for doc in docs)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, 10**6), min_size=4, max_size=10, unique=True))
def test_one_control_character_or_one_mojibake_word_is_one_finding(
        runner: Runner, seeds: list[int]) -> None:
    docs, expected = [], []
    for seed in seeds:
        rng = random.Random(seed)
        text = _text(seed)
        mutated = inject_mojibake(text, rng) if seed % 2 else inject_control_character(text, rng)
        assert mutated is not None
        docs.append(_file(f"doc-{seed}", mutated[0].encode("utf-8")))
        expected.append((f"doc-{seed}", mutated[1].expected_expectation,
                         mutated[1].expected_reason))
    result = runner.run_items(iter(docs), ["mem"])
    found = [(f.document, f.expectation, f.reason) for f in result.findings
             if f.expectation in ENCODING]
    assert sorted(found) == sorted(expected)


def test_replacement_character_in_a_json_string_is_reported_once(runner: Runner) -> None:
    text = "Officials in Zürich said the caf\ufffd would reopen.\n"
    record = Document(id="rec-1", text=text, path="mem/records.jsonl", raw=None, line=1)
    file = _file("file-1", text.encode("utf-8"))  # written to a file, already lost
    result = runner.run_items(iter([record, file]), ["mem"])
    found = sorted((f.document, f.expectation, f.reason, tuple(f.span))
                   for f in result.findings if f.expectation in ENCODING)
    at = text.index("\ufffd")
    assert found == [
        ("file-1", "expect_document_to_be_valid_utf8", "replacement_character", (at, at + 1)),
        ("rec-1", "expect_document_to_be_valid_utf8", "replacement_character", (at, at + 1)),
    ]


def test_loaded_corpus_one_finding_per_defect(runner: Runner, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "latin1.txt").write_bytes("Le café a rouvert à Zürich.\n".encode("latin-1"))
    (corpus / "records.jsonl").write_text(
        json.dumps({"id": "r1", "text": "Lost: caf\ufffd."}) + "\n"
        + json.dumps({"id": "r2", "text": "He said \u00e2\u20ac\u0153hi\u00e2\u20ac\x9d."}) + "\n",
        encoding="utf-8")
    result = runner.run([str(corpus)])
    found = sorted((f.document, f.expectation, f.reason, f.spans) for f in result.findings)
    assert found == [  # three latin-1 letters: one finding (one cause) in three places
        ("latin1", "expect_document_to_be_valid_utf8", "invalid_utf8", 3),
        ("r1", "expect_document_to_be_valid_utf8", "replacement_character", 1),
        ("r2", "expect_document_to_have_no_mojibake", "mojibake", 1),
    ]
