"""The figure extractor and the sentence splitter return exactly what they returned
before they were rewritten for speed, on the recorded texts of
``tests/fixtures/figure_texts.py`` (seeds, case inputs, news paragraphs, token soups)."""

from __future__ import annotations

import pytest

from corpus_qa.checks.figures import decimal_comma, extract_figures
from corpus_qa.text.segment import split_sentences
from tests.fixtures.figure_texts import digest, load, texts

TEXTS = texts()
RECORDED = load()


def _figures(text: str, comma: bool | None) -> list[list[object]]:
    return [[f.value, f.kind, f.text, list(f.span), f.noun, f.unit, f.qualifier]
            for f in extract_figures(text, comma_decimal=comma)]


def test_the_recorded_texts_are_the_generated_ones() -> None:
    assert len(TEXTS) == len(RECORDED)
    assert [digest(t) for t in TEXTS] == [r["sha"] for r in RECORDED]


@pytest.mark.parametrize("part", range(8))
def test_figures_are_the_recorded_ones(part: int) -> None:
    for n in range(part, len(TEXTS), 8):
        text, rec = TEXTS[n], RECORDED[n]
        assert decimal_comma(text) == rec["comma"], (n, text)
        assert _figures(text, None) == rec["figures"], (n, text)
        assert _figures(text, True) == rec["figures_comma"], (n, text)
        assert _figures(text, False) == rec["figures_point"], (n, text)


def test_sentences_are_the_recorded_ones() -> None:
    for n, (text, rec) in enumerate(zip(TEXTS, RECORDED, strict=True)):
        assert [list(s.span) for s in split_sentences(text)] == rec["sentences"], (n, text)
