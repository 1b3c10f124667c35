"""Property tests for the encoding checks: injected defects are found, clean text is not."""

from __future__ import annotations

import unicodedata

from ftfy.badness import MOJIBAKE_CATEGORIES
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


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=20) | st.sampled_from(["\ufffd", "é", "\ud800"])
                | st.binary(max_size=6).map(lambda b: b.decode("latin-1")), max_size=8),
       st.sampled_from(["utf-8", "latin-1"]))
def test_utf8_check_is_valid_utf8_without_the_replacement_bytes(parts: list[str],
                                                               codec: str) -> None:
    raw = "".join(parts).encode(codec, "surrogatepass" if codec == "utf-8" else "replace")
    try:
        raw.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    assert encoding.utf8_ok(raw) is (valid and b"\xef\xbf\xbd" not in raw)


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
@given(clean_texts, st.sampled_from(["\x07", "\x1b", "\x1a", "\u200b", "\u202e", "\x85"]),
       st.data())
def test_injected_control_character_is_found_at_its_offset(text: str, char: str, data) -> None:
    at = data.draw(st.integers(min_value=1, max_value=len(text)))
    dirty = text[:at] + char + text[at:]
    spans = [h.span for h in encoding.find_control_characters(dirty)]
    assert (at, at + 1) in spans
    # A control character is not also mojibake.
    assert encoding.mojibake_ok(dirty), encoding.find_mojibake(dirty)


@settings(max_examples=100, deadline=None)
@given(clean_texts, st.data())
def test_replacement_character_is_the_utf8_checks_alone(text: str, data) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    lost = text[:at] + "\ufffd" + text[at:]
    for value in (lost, lost.encode("utf-8")):  # a JSON string, or a file's bytes
        assert [(h.reason, h.span) for h in encoding.find_invalid_utf8(value)] == [
            ("replacement_character", (at, at + 1))]
    assert encoding.control_characters_ok(lost)
    assert encoding.mojibake_ok(lost), encoding.find_mojibake(lost)


@settings(max_examples=100, deadline=None)
@given(clean_texts)
def test_decomposed_text_is_flagged_iff_it_changed(text: str) -> None:
    nfd = unicodedata.normalize("NFD", text)
    assert encoding.normalized_ok(nfd) is (nfd == text)


# --- mojibake through code-page pairs, on text generated from multilingual words -----

from benchmarks.mojibake_confusion import LEGACY, WORDS, misread, sentence  # noqa: E402

# (language, written in, read as): the pairs the confusion table
# (benchmarks/mojibake_confusion.py, docs/encoding.md) finds and names; the others are
# measured there, not promised here.
RELIABLE = [
    *((lang, "UTF-8", wrong) for lang in WORDS for wrong in ("cp1252", "latin-1")),
    *((lang, "UTF-8", wrong) for lang in ("ru", "uk", "bg", "sr") for wrong in
      ("cp1251", "koi8-r")),
    *((lang, right, wrong) for lang in ("ru", "uk", "bg", "sr") for right in LEGACY[lang]
      for wrong in ("cp1252", "latin-1")),
    ("el", "cp1253", "cp1252"),
    ("el", "cp1253", "latin-1"), ("zh", "gbk", "cp1252"), ("zh", "gbk", "latin-1"),
    ("ja", "shift_jis", "cp1252"), ("ja", "shift_jis", "latin-1"),
    ("ko", "euc-kr", "cp1252"), ("ko", "euc-kr", "latin-1"),
    # legacy read as legacy: Latin text read as Cyrillic or Greek, and back
    *((lang, "cp1252", wrong) for lang in ("de", "es", "fr", "pt")
      for wrong in ("cp1251", "cp1253")),
    ("el", "cp1253", "cp1251"), ("ru", "koi8-r", "cp1253"),
]
CONTEXT = ("The report was published on Monday.", "Officials did not comment further.")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(RELIABLE), st.randoms(use_true_random=False))
def test_text_misread_through_a_code_page_pair_is_found_and_named(pair, rng) -> None:
    language, right, wrong = pair
    original = sentence(language, rng)
    broken = misread(original, right, wrong)
    assume(broken is not None)
    # Real sentences, not "Η η η η η.": runs of one-letter words are known misses, and so
    # is one word said five times (found by hypothesis: koi8-r "Отвратимо" ×5 read as
    # cp1253 is a plausible run of Greek capitals) — count words apart from case and marks.
    words = {w.strip(".,;:!?«»\"'").lower() for w in original.split()}
    assume(len({w for w in words if len(w) >= 3}) >= 3 or language in ("zh", "ja"))
    text = f"{CONTEXT[0]} {broken} {CONTEXT[1]}"
    hits = encoding.find_mojibake(text)
    assert hits, text
    # The named pair repairs the text: the suggestions put back the original sentence.
    repaired = text
    for hit in reversed(hits):
        repaired = repaired[:hit.span[0]] + (hit.suggestion or "") + repaired[hit.span[1]:]
    assert repaired == f"{CONTEXT[0]} {original} {CONTEXT[1]}", [h.message for h in hits]
    assert any(f"{right} text read as " in h.message for h in hits)


# cp1251 and koi8-r both map every high byte to Cyrillic, so some Russian sentences read
# through one of them are also plausible text read through the other: the misreading is
# always found, but which direction it names (and so the repair) is not promised. Found
# by hypothesis: "я ОПЮБХРЕКЭЯРБН ОНДДЕПФЙХ …" named koi8-r -> cp1251 the wrong way round.
@settings(max_examples=200, deadline=None)
@given(st.sampled_from([("koi8-r", "cp1251"), ("cp1251", "koi8-r")]),
       st.randoms(use_true_random=False))
def test_cyrillic_code_page_swaps_are_found(pair, rng) -> None:
    right, wrong = pair
    original = sentence("ru", rng)
    broken = misread(original, right, wrong)
    assume(broken is not None)
    assume(len({w for w in original.split() if len(w) >= 3}) >= 3)
    text = f"{CONTEXT[0]} {broken} {CONTEXT[1]}"
    assert encoding.find_mojibake(text), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(sorted(WORDS)), min_size=1, max_size=4),
       st.randoms(use_true_random=False))
def test_ordinary_multilingual_text_is_not_mojibake(languages, rng) -> None:
    text = " ".join(sentence(language, rng, min_words=1, max_words=12)
                    for language in languages)
    assert encoding.mojibake_ok(text), encoding.find_mojibake(text)
    assert not encoding.find_mojibake(text)


_BADNESS_ALPHABET = st.sampled_from(
    sorted(set("".join(MOJIBAKE_CATEGORIES.values()).replace("-", ""))
           | set("ÂÃÎÐ×ØÙà√≈‚ÄЂβ€āВГРСΒΓΞΟ abcXYZ.,'\"!?")
           | {chr(c) for c in range(0x80, 0xA0)} | set("Ѓ‚ѓ„…†‡ВЂ™ГўВ"))
)


@settings(max_examples=500, deadline=None)
@given(st.text(_BADNESS_ALPHABET, max_size=40) | st.text(max_size=60))
def test_stage_one_is_ftfy_is_bad(text: str) -> None:
    from ftfy.badness import is_bad

    assert encoding.is_bad(text) is is_bad(text)


# --- the screen: a document it settles is clean under the full checks -------------------

_PLAIN = frozenset("\t\n\r" + "".join(map(chr, range(0x20, 0x7F))))
_SCREEN_ALPHABET = st.sampled_from(sorted(
    set(_BADNESS_ALPHABET.elements)  # type: ignore[attr-defined]
    | {chr(c) for c in range(0x20)} | {"\x7f", "\u200b", "\u200c", "\u200d", "\u2060",
                                       "\u202e", "\u2066", "\ufeff", "\ufffd", "\xa0"}
    | set("’—…–‘•·½€£¥ßæøåïéèàçñüöäЖжΩωЁё中文")))
_SCREENED_TEXT = (st.text(_SCREEN_ALPHABET, max_size=60) | st.text(max_size=80)
                  | st.lists(sample, min_size=1, max_size=3).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(_SCREENED_TEXT | st.text(st.sampled_from(["\ud800", "\udcff", "a", "é", "\x85"]),
                                max_size=12))
def test_rare_characters_are_the_text_without_plain_ascii(text: str) -> None:
    assert encoding.rare_characters(text) == "".join(c for c in text if c not in _PLAIN)


@settings(max_examples=600, deadline=None)
@given(_SCREENED_TEXT)
@example("It’s 40 km — about 25 mi… ok")  # settled: no rare character starts a match
@example("Caf\u00c3\u00a9 \u2014 ok")  # mojibake next to a character that starts none
def test_a_text_the_screen_settles_is_clean_under_the_full_checks(text: str) -> None:
    from ftfy.badness import is_bad

    rare = encoding.rare_characters(text)
    if encoding.mojibake_settled(rare):
        assert encoding._SUSPICIOUS_RE.search(text) is None
        assert not encoding.misdecodings(text)
        assert not is_bad(text)  # ftfy's own verdict
    if encoding._CONTROL_START_RE.search(rare) is None:
        assert next(encoding.stray_controls(text), None) is None
    # With or without the screen, the predicates answer as the full checks do.
    full_mojibake = text.isascii() or not encoding.misdecodings(text, first_only=True)
    full_controls = next(encoding.stray_controls(text), None) is None
    assert encoding.mojibake_ok(text) is full_mojibake
    assert encoding.mojibake_ok(text, rare) is full_mojibake
    assert encoding.control_characters_ok(text) is full_controls
    assert encoding.control_characters_ok(text, rare) is full_controls


# Letters, curly quotes and dashes, and the characters the shape screen must not miss:
# pairs of non-ASCII characters, a symbol between letters ("a“b"), C1 controls.
_SHAPE_ALPHABET = st.sampled_from(sorted(
    set(_SCREEN_ALPHABET.elements)  # type: ignore[attr-defined]
    | set("aZ .\n“”‘’‚„†•‰‹›™−∂∙─▒ﬁ\x85\x9dŒœ©®°±²´¶·¸ÃÂÉÈáéíóúüñãçëøăễ")))


@settings(max_examples=1500, deadline=None)
@given(st.text(_SHAPE_ALPHABET, max_size=40) | _SCREENED_TEXT
       | st.lists(st.sampled_from(SAMPLES + ["a“b", "Ab”c", "x–y", "naïve café"]),
                  min_size=1, max_size=4).map("".join))
@example("He said “Nguyễn”: ça va.")  # settled: no match can start anywhere
@example("a“b")  # a symbol between letters: stage 2's inner symbol
@example("Ab‚c")
@example("caf\u00c3\u00a9")  # two adjacent non-ASCII characters
def test_a_text_the_shape_screen_settles_has_no_match(text: str) -> None:
    from ftfy.badness import is_bad

    rare, shape = encoding.screened(text)
    assert rare == encoding.rare_characters(text)
    assert shape == encoding.text_shape(text)
    assert len(shape) == len(text)  # one class per character
    if encoding._settled_by_shape(rare, shape):
        assert encoding._SUSPICIOUS_RE.search(text) is None
        assert not is_bad(text)  # ftfy's own verdict
        assert not encoding.misdecodings(text)
    full = text.isascii() or not encoding.misdecodings(text, first_only=True)
    assert encoding.mojibake_ok(text, rare, shape) is full


def test_the_shape_screen_settles_news_text_with_quotes_and_accents() -> None:
    # None of these is settled by the rare characters alone: curly quotes and accented
    # letters start alternatives; the shape rules each of them out.
    for text in ("He said “Nguyễn Văn An” won — in São Paulo.", SAMPLES[0],
                 "“Zürich,” she said. “Bien.”", "The “naïve” café"):
        rare, shape = encoding.screened(text)
        assert not encoding.mojibake_settled(rare), text
        assert encoding._settled_by_shape(rare, shape), text
    for text in ("caf\u00c3\u00a9", "wordâ€™s", "a“b c", "StraЯe", "Ã ", "x\x85y", "“Ça"):
        rare, shape = encoding.screened(text)
        assert not encoding._settled_by_shape(rare, shape), text


_ENGLISH = ["It’s 40 km — about 25 mi… or so.", "The vote – 52 to 48 – was final.",
            "Costs rose 3 · see p. 4 — Annex", "Smith’s reply: “no comment”."]


def test_the_screen_settles_english_prose_and_never_mis_decoded_text() -> None:
    import ftfy.bad_codecs  # noqa: F401  (the "sloppy" codecs)
    from ftfy.badness import is_bad

    from benchmarks.mojibake_confusion import misdecoded_corpus

    settled = [t for t in _ENGLISH if encoding.mojibake_settled(encoding.rare_characters(t))]
    assert len(settled) == 3  # of these, only “ ” can start a match
    for text in _ENGLISH:
        for wrong in ("sloppy-windows-1252", "latin-1", "sloppy-windows-1251"):
            misread = text.encode("utf-8").decode(wrong)
            assert not encoding.mojibake_settled(encoding.rare_characters(misread)), misread
            assert not encoding.mojibake_ok(misread), misread
    texts = misdecoded_corpus(1000, seed=5) + _ENGLISH
    assert sum(map(is_bad, texts)) > 100
    for text in texts:
        if encoding._settled_by_shape(*encoding.screened(text)):
            assert not is_bad(text)
            assert encoding._SUSPICIOUS_RE.search(text) is None
        if encoding.mojibake_settled(encoding.rare_characters(text)):
            assert not is_bad(text)
            assert not encoding.misdecodings(text)
            assert encoding._SUSPICIOUS_RE.search(text) is None
