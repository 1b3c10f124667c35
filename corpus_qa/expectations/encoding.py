"""Encoding expectations: UTF-8, mojibake, control characters, Unicode normalization."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from corpus_qa.checks import encoding
from corpus_qa.expectations.base import CorpusExpectation, memoized, register_condition
from corpus_qa.findings import Checked


def _screened(text: Any) -> tuple[str, bytes] | None:
    """The text's rare characters and shape (:func:`corpus_qa.checks.encoding.screened`),
    found once per row for the two checks that screen with them (mojibake, control
    characters) while a batch is validated. Kept by the text object itself (the row's
    cell: both checks read the same one), not by its value, which would be hashed; the
    kept pair holds the text, so its id cannot be reused meanwhile."""
    if not isinstance(text, str):
        return None
    kept = memoized(("screened", id(text)), lambda: (text, encoding.screened(text)))
    return kept[1] if kept[0] is text else None


def _no_mojibake(text: Any) -> bool:
    screen = _screened(text)
    return (encoding.mojibake_ok(text) if screen is None
            else encoding.mojibake_ok(text, *screen))


def _no_control_characters(text: Any) -> bool:
    screen = _screened(text)
    return encoding.control_characters_ok(text, None if screen is None else screen[0])


class ExpectDocumentToBeValidUtf8(CorpusExpectation):
    """The document's bytes are valid UTF-8 and its text holds no U+FFFD (a lost character).

    Findings give the byte offset and the bytes. This expectation owns every U+FFFD:
    the ones invalid bytes were decoded to and the ones lost before the text got here
    (a document without bytes, such as a JSON string, is checked on its text); the
    other encoding expectations never report U+FFFD.
    """

    column: str = "raw"
    map_metric = register_condition("valid_utf8", encoding.utf8_ok)
    reasons: ClassVar[tuple[str, ...]] = ("invalid_utf8", "replacement_character")

    def checked(self, value: Any) -> Checked:
        return Checked(encoding.find_invalid_utf8(value))


class ExpectDocumentToHaveNoMojibake(CorpusExpectation):
    """The text has no mojibake: text written in one code page and read with another.

    ftfy's detector and a second cheap stage find suspicious spans; a span is reported
    only when re-encoding it with the wrong code page and decoding it with the right one
    reads as natural text. Findings name both code pages and suggest the repaired span.
    """

    column: str = "text"
    map_metric = register_condition("no_mojibake", _no_mojibake)
    reasons: ClassVar[tuple[str, ...]] = ("mojibake",)

    def checked(self, value: Any) -> Checked:
        return Checked(encoding.find_mojibake(value))


class ExpectDocumentToHaveNoControlCharacters(CorpusExpectation):
    """The text has no stray control, zero-width or bidi characters.

    U+FFFD is the UTF-8 expectation's, and a C1 character inside mojibake is the
    mojibake expectation's: neither is reported here.
    """

    column: str = "text"
    map_metric = register_condition("no_control_characters", _no_control_characters)
    reasons: ClassVar[tuple[str, ...]] = ("control_character",)

    def checked(self, value: Any) -> Checked:
        return Checked(encoding.find_control_characters(value))


class ExpectDocumentToBeUnicodeNormalized(CorpusExpectation):
    """The text is in one Unicode normalization form (NFC unless ``form`` says otherwise)."""

    column: str = "text"
    form: Literal["NFC", "NFD", "NFKC", "NFKD"] = "NFC"
    map_metric = register_condition("unicode_normalized", encoding.normalized_ok, ("form",))
    success_keys = ("form", "mostly")
    reasons: ClassVar[tuple[str, ...]] = ("not_normalized",)

    def checked(self, value: Any) -> Checked:
        return Checked(encoding.find_unnormalized(value, self.form))
