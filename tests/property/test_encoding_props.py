"""Property tests for the encoding checks: injected defects are found, clean text is not."""

from __future__ import annotations

import unicodedata

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from corpus_qa.checks import encoding

# Correctly encoded news-like text in several scripts, with curly quotes and dashes.
SAMPLES = [
    "Andrés Manuel López Obrador met Alicia Bárcena in Mexico City.",
    "«Ça va», dit-il — l’été dernier, à Zürich.",
    "Москва — столица России; «новости» дня.",
    "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας – «ειδήσεις».",
    "东京是日本的首都。“新闻”报道说，会议将在明天举行。",
    "القاهرة هي عاصمة مصر، وقال المتحدث «الأخبار» اليوم.",
    "नई दिल्ली भारत की राजधानी है — “समाचार” के अनुसार।",
    "He said “it’s done” — and left… ‘quietly’.",
]

sample = st.sampled_from(SAMPLES)
clean_texts = st.lists(sample, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_utf8_check_never_raises_and_agrees_with_decoder(raw: bytes) -> None:
    hits = encoding.find_invalid_utf8(raw)
    try:
        raw.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    assert encoding.utf8_ok(raw) is valid
    assert (not hits) is valid
    text = raw.decode("utf-8", errors="replace")
    for hit in hits:
        assert text[hit.span[0]:hit.span[1]] == "\ufffd"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_text_checks_never_raise_and_agree_with_predicates(text: str) -> None:
    assert encoding.mojibake_ok(text) is (not encoding.find_mojibake(text))
    assert encoding.control_characters_ok(text) is (not encoding.find_control_characters(text))
    for form in encoding.FORMS:
        assert encoding.normalized_ok(text, form) is (not encoding.find_unnormalized(text, form))
    for hit in encoding.find_control_characters(text):
        assert 0 <= hit.span[0] < hit.span[1] <= len(text)


@settings(max_examples=100, deadline=None)
@given(clean_texts)
def test_correct_text_in_many_scripts_is_clean(text: str) -> None:
    assert encoding.mojibake_ok(text)
    assert encoding.control_characters_ok(text)
    assert encoding.normalized_ok(text)
    assert encoding.utf8_ok(text.encode("utf-8"))


@settings(max_examples=100, deadline=None)
@given(clean_texts, st.sampled_from(["cp1252", "latin-1"]))
@example("Andrés Manuel López Obrador", "cp1252")
def test_utf8_decoded_as_legacy_codec_is_mojibake(text: str, codec: str) -> None:
    # Only Latin-script samples survive a round trip through cp1252/latin-1 decoding
    # as printable text; every non-ASCII text encoded as UTF-8 and read back as a
    # legacy codec must be flagged.
    assume(not text.isascii())
    broken = text.encode("utf-8").decode(codec, errors="replace")
    assert not (encoding.mojibake_ok(broken) and encoding.control_characters_ok(broken))
    if codec == "cp1252":
        assert not encoding.mojibake_ok(broken), broken


@settings(max_examples=100, deadline=None)
@given(clean_texts, st.sampled_from(["\x07", "\x1b", "\u200b", "\u202e", "\ufffd", "\x85"]),
       st.data())
def test_injected_control_character_is_found_at_its_offset(text: str, char: str, data) -> None:
    at = data.draw(st.integers(min_value=1, max_value=len(text)))
    dirty = text[:at] + char + text[at:]
    spans = [h.span for h in encoding.find_control_characters(dirty)]
    assert (at, at + 1) in spans


@settings(max_examples=100, deadline=None)
@given(clean_texts)
def test_decomposed_text_is_flagged_iff_it_changed(text: str) -> None:
    nfd = unicodedata.normalize("NFD", text)
    assert encoding.normalized_ok(nfd) is (nfd == text)
