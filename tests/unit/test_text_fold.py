"""corpus_qa.text.fold: diacritics fold, comparison fold, name keys, words."""

from __future__ import annotations

import pytest

from corpus_qa.text.fold import WORD, fold, fold_diacritics, name_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("López Obrador", "Lopez Obrador"),
        ("Bárcena, Andrés", "Barcena, Andres"),
        ("Lo\u0301pez", "Lopez"),  # decomposed input
        ("Łódź Søren Đorđe", "Lodz Soren Dorde"),
        ("ﬁnance ² Ⅻ", "ﬁnance ² Ⅻ"),  # compatibility forms are not accents
        ("“quoted”", "“quoted”"),
        ("ASCII only", "ASCII only"),
        ("", ""),
    ],
    ids=[
        "acute", "several", "decomposed", "stroke-letters", "ligature-kept",
        "quotes-kept", "ascii", "empty",
    ],
)  # fmt: skip
def test_fold_diacritics(text: str, expected: str) -> None:
    assert fold_diacritics(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“López” Obrador’s", "\"lopez\" obrador's"),
        ("ﬁnal Søren", "final soren"),
        ("STRASSE Straße", "strasse strasse"),
        ("plain", "plain"),
    ],
    ids=["quotes-accents-case", "ligature-and-stroke", "casefold-eszett", "ascii"],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Voice of America.", "voice of america"),
        ("Agence France-Presse", "Agence France Presse"),
        ("Agência Brasil", "Agencia Brasil"),
        ("  Reuters; ", "reuters"),
        ("the Associated Press", "Associated  Press"),
    ],
    ids=["the-case-dot", "hyphen", "accent", "edge-punctuation", "lower-the-spacing"],
)
def test_name_key_equal(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Reuters", "AP"), ("Theodore Roe", "Odore Roe"), ("Voice of America", "Voice America")],
    ids=["different-names", "the-only-as-a-word", "missing-word"],
)
def test_name_key_different(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_word_keeps_combining_marks_and_skips_numbers() -> None:
    text = "Lo\u0301pez met 2 G7 envoys in Kraków"
    assert [m.group() for m in WORD.finditer(text)] == [
        "Lo\u0301pez", "met", "G7", "envoys", "in", "Kraków",
    ]  # fmt: skip
