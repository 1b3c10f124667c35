"""Case-file tests for corpus_qa.checks.encoding."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from corpus_qa.checks import encoding

CASES = yaml.safe_load((Path(__file__).parent / "encoding_cases.yml").read_text(encoding="utf-8"))

FIND = {
    "utf8": encoding.find_invalid_utf8,
    "mojibake": encoding.find_mojibake,
    "control": encoding.find_control_characters,
    "nfc": encoding.find_unnormalized,
}
OK = {
    "utf8": encoding.utf8_ok,
    "mojibake": encoding.mojibake_ok,
    "control": encoding.control_characters_ok,
    "nfc": encoding.normalized_ok,
}


def _value(case: dict) -> bytes | str:
    return bytes.fromhex(case["raw_hex"]) if "raw_hex" in case else case["text"]


def _param(case: dict) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: dict) -> None:
    value = _value(case)
    hits = FIND[case["check"]](value)
    assert [h.reason for h in hits] == case["reasons"]
    if "spans" in case:
        assert [list(h.span) for h in hits] == case["spans"]
    if "suggestion" in case:
        assert hits[0].suggestion == case["suggestion"]
    if "read" in case:
        right, wrong = case["read"]
        assert f" — {right} text read as {wrong};" in hits[0].message
    # The fast predicate agrees with the explaining function.
    assert OK[case["check"]](value) is (not case["reasons"])


def test_invalid_utf8_message_names_byte_offset_and_bytes() -> None:
    (hit,) = encoding.find_invalid_utf8(b"Caf\xe9 ")
    assert hit.message == (
        "invalid UTF-8 at byte 3: \\xe9 (decoded as U+FFFD) — re-encode the file as UTF-8 "
        "(was it written as latin-1/cp1252?)"
    )


def test_mojibake_message_names_both_code_pages_and_the_repair() -> None:
    (hit,) = encoding.find_mojibake("The cafÃ© opened.")
    assert hit.message == (
        'mojibake "cafÃ©" — UTF-8 text read as cp1252; it should read "café" — decode the '
        "source as UTF-8"
    )
    assert hit.suggestion == "café"


def test_control_message_names_code_point() -> None:
    (hit,) = encoding.find_control_characters("zero\u200bwidth")
    assert hit.message == (
        "control character U+200B ZERO WIDTH SPACE at column 5 — remove it (or replace it with "
        "a space)"
    )


def test_nfc_message_names_form_and_run_count() -> None:
    (hit,) = encoding.find_unnormalized("cafe\u0301 and re\u0301sume\u0301")
    assert hit.message == (
        "not NFC-normalized: 'e\\u0301' should be 'é' (3 runs in this document) — normalize the "
        "text to NFC"
    )


def test_nfd_form_parameter() -> None:
    assert encoding.normalized_ok("cafe\u0301", "NFD")
    assert [h.reason for h in encoding.find_unnormalized("café", "NFD")] == ["not_normalized"]


def test_many_bad_bytes_are_capped_and_the_first_hit_gives_the_total() -> None:
    hits = encoding.find_invalid_utf8(b"\xff" * 50)
    assert len(hits) == encoding.MAX_HITS_PER_DOCUMENT  # no synthetic "… and N more" hit
    assert all(h.reason == "invalid_utf8" for h in hits)
    assert hits[0].message.endswith(
        "(50 invalid byte sequences or U+FFFD characters in this document; the first 20 are "
        "marked)")
    assert not any("more" in h.message for h in hits[1:])


def test_replacement_character_message_names_byte_offset() -> None:
    (hit,) = encoding.find_invalid_utf8("Zürich \ufffd".encode())
    assert hit.reason == "replacement_character"
    assert hit.message == (
        "U+FFFD REPLACEMENT CHARACTER at byte 8 — a character was lost when the text was "
        "decoded before it got here; recover it from the source"
    )
    assert hit.span == (7, 8)


def test_legacy_mojibake_message_names_both_code_pages() -> None:
    (hit,) = encoding.find_mojibake("Quote: \u00cf\u00f0\u00e8\u00e2\u00e5\u00f2, "
                                    "\u00ec\u00e8\u00f0.")
    assert hit.message == (
        'mojibake "Ïðèâåò, ìèð." — cp1251 text read as cp1252; it should read "Привет, мир." '
        "— decode the source as cp1251"
    )
    assert hit.suggestion == "Привет, мир."


def test_mojibake_run_split_by_a_short_ascii_word_is_one_finding() -> None:
    text = "Ông Nguyễn Văn An phát biểu tại Hà Nội.".encode().decode("cp1252")
    (hit,) = encoding.find_mojibake(text)
    assert hit.span == (0, len(text))
    assert hit.suggestion == "Ông Nguyễn Văn An phát biểu tại Hà Nội."


def test_stage_one_matches_ftfy_is_bad() -> None:
    from ftfy.badness import is_bad

    for text in ("cafÃ©", "Ã ", "Ð¼Ð¸Ñ€", "×²", "ГўВЂВ™s", "Café “ok”", "ØªØ§Ø±ÙŠØ®"):
        assert encoding.is_bad(text) is is_bad(text), text


def test_utf8_span_points_at_replacement_character_in_decoded_text() -> None:
    raw = "Ünïcode ".encode() + b"\x80" + b" tail"
    (hit,) = encoding.find_invalid_utf8(raw)
    text = raw.decode("utf-8", errors="replace")
    assert text[hit.span[0]:hit.span[1]] == "\ufffd"
    assert "byte 10" in hit.message


# --- naming the code page of Central-European text -------------------------------------

CENTRAL = ("cs", "pl", "hu", "sk", "sl", "hr", "ro")


@pytest.mark.parametrize(("wrong", "at_least"), [("cp1251", 0.7), ("koi8-r", 0.5),
                                                 ("cp1253", 0.45)])
def test_central_european_code_pages_are_named(wrong: str, at_least: float) -> None:
    # Generated sentences (benchmarks/mojibake_confusion.py, fixed seed) of seven languages
    # written in cp1250 or iso-8859-2 and read as a Cyrillic or Greek page: the finding's
    # repair must give the sentence back (the right page named). Measured at seed 1 on
    # 280 sentences each: cp1251 0.77, koi8-r 0.59, cp1253 0.54 (0.42, 0.32, 0.31 before
    # the page's own languages, the odd Western letters and one pair per document).
    from benchmarks.mojibake_confusion import evaluate

    rng = random.Random(1)
    named = total = 0
    for language in CENTRAL:
        for right in ("cp1250", "iso-8859-2"):
            _, ok, count = evaluate(language, right, wrong, rng, 20)
            named += ok
            total += count
    assert total >= 250
    assert named / total >= at_least, f"{named}/{total}"
