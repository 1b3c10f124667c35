"""Property tests for corpus_qa.checks.boilerplate.

- every pattern's example, inserted as a line at a random line boundary of a clean
  document (where its pattern counts), is found at exactly that span with its reason;
- harmless edits of a clean document (reflowed whitespace, paragraphs joined or split)
  find nothing;
- repeated-line findings never depend on the order documents are fed in, or on how
  the corpus was split between counters;
- no check raises on arbitrary text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.checks.boilerplate import (
    DEFAULT_LEADING_CHARS,
    DEFAULT_TRAILING_CHARS,
    Pattern,
    PatternSet,
    RepeatedLineCounter,
    find_boilerplate,
    find_flattened_paragraphs,
    find_glued_header,
    load_default_patterns,
    story_hash,
)
from corpus_qa.text.segment import line_spans, sentence_spans

PATTERNS = load_default_patterns()
SEED_000 = (Path(__file__).resolve().parents[2] / "seeds" / "000_c3359af66ac874be.txt").read_text(
    encoding="utf-8"
)
# Clean news sentences: the body of seed 000 (which has no boilerplate), sentence by sentence.
CLEAN = [
    SEED_000[s:e]
    for line in line_spans(SEED_000, SEED_000.index("U.S."))
    for s, e in sentence_spans(SEED_000, *line)
]
FAST = settings(max_examples=60, deadline=None)

paragraph = st.lists(st.sampled_from(CLEAN), min_size=1, max_size=4).map(" ".join)
clean_document = st.lists(paragraph, min_size=1, max_size=8).map("\n".join)


def _eligible(doc: str, boundary: int, example: str, where: str) -> bool:
    """True when ``example`` inserted as a line at ``boundary`` sits where its pattern counts."""
    text = doc[:boundary] + example + "\n" + doc[boundary:]
    leading = boundary < DEFAULT_LEADING_CHARS
    trailing = boundary + len(example) > len(text.rstrip()) - DEFAULT_TRAILING_CHARS
    return {
        "anywhere": True,
        "leading": leading,
        "trailing": trailing,
        "edges": leading or trailing,
    }[where]


@FAST
@given(doc=clean_document, pattern=st.sampled_from(list(PATTERNS)), data=st.data())
def test_inserted_example_is_found_at_exactly_its_span(doc: str, pattern, data) -> None:  # type: ignore[no-untyped-def]
    assert find_boilerplate(doc, PATTERNS) == []
    boundaries = [0] + [i + 1 for i, c in enumerate(doc) if c == "\n"] + [len(doc) + 1]
    boundaries = [b for b in boundaries if _eligible(doc + "\n", b, pattern.example, pattern.where)]
    boundary = data.draw(st.sampled_from(boundaries), label="boundary")
    padded = doc + "\n"
    text = padded[:boundary] + pattern.example + "\n" + padded[boundary:]
    hits = find_boilerplate(text, PATTERNS)
    assert [(h.reason, h.span) for h in hits] == [
        (pattern.reason, (boundary, boundary + len(pattern.example)))
    ]


@FAST
@given(
    doc=clean_document,
    spaces=st.sampled_from(["  ", "\t", " \u00a0"]),
    breaks=st.sampled_from(["\n\n", "\r\n", " "]),
)
def test_harmless_edits_find_nothing(doc: str, spaces: str, breaks: str) -> None:
    edited = doc.replace(" ", spaces).replace("\n", breaks)
    assert find_boilerplate(edited, PATTERNS) == []
    assert find_glued_header(edited) == []


corpus = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", None]),
        st.lists(
            st.sampled_from(CLEAN[:12] + ["Follow us on Twitter for the latest news today."]),
            min_size=1,
            max_size=5,
        ),
    ),
    min_size=1,
    max_size=12,
).map(lambda docs: [(f"doc{i}", story, "\n".join(lines)) for i, (story, lines) in enumerate(docs)])


def _findings(
    docs: list[tuple[str, str | None, str]], order: list[int], min_documents: int
) -> dict[str, list]:
    counter = RepeatedLineCounter(min_documents=min_documents)
    for i in order:
        counter.add(*docs[i])
    return {doc_id: counter.repeated_spans(text, story) for doc_id, story, text in docs}


@FAST
@given(docs=corpus, data=st.data(), min_documents=st.integers(2, 4))
def test_document_order_never_changes_repeated_lines(docs, data, min_documents: int) -> None:  # type: ignore[no-untyped-def]
    order = data.draw(st.permutations(range(len(docs))), label="order")
    assert _findings(docs, order, min_documents) == _findings(
        docs, list(range(len(docs))), min_documents
    )


@FAST
@given(docs=corpus, cut=st.integers(0, 12))
def test_merged_counters_equal_one_counter(docs, cut: int) -> None:  # type: ignore[no-untyped-def]
    whole, left, right = (RepeatedLineCounter(min_documents=2) for _ in range(3))
    for i, doc in enumerate(docs):
        whole.add(*doc)
        (left if i < cut else right).add(*doc)
    left.merge(right)
    assert [left.repeated_spans(t, s) for _, s, t in docs] == [
        whole.repeated_spans(t, s) for _, s, t in docs
    ]


@FAST
@given(docs=corpus, min_documents=st.integers(2, 4), fraction=st.sampled_from([0.0, 0.3, 0.6]))
def test_counts_aggregated_elsewhere_give_the_same_lines(  # type: ignore[no-untyped-def]
        docs, min_documents: int, fraction: float) -> None:
    """The Spark engine's aggregation: distinct (line, story) pairs, only the lines in at
    least the threshold of stories handed back — the same repeated lines as counting
    every document here."""
    whole = RepeatedLineCounter(min_documents=min_documents, min_fraction=fraction)
    aggregated = RepeatedLineCounter(min_documents=min_documents, min_fraction=fraction)
    pairs, stories = set(), set()
    for doc_id, story, text in docs:
        whole.add(doc_id, story, text)
        key = story_hash(doc_id, story)
        stories.add(key)
        pairs |= {(line, key) for line, _ in aggregated.line_hashes(text)}
    threshold = aggregated.threshold_for(len(stories))
    per_line: dict[int, set[int]] = {}
    for line, key in pairs:
        per_line.setdefault(line, set()).add(key)
    kept = [(line, key) for line, keys in per_line.items() if len(keys) >= threshold
            for key in keys]
    aggregated.add_counted(stories, np.array([p[0] for p in kept], dtype=np.uint64),
                           np.array([p[1] for p in kept], dtype=np.uint64))
    assert aggregated.threshold() == whole.threshold()
    assert [aggregated.repeated_spans(t, s) for _, s, t in docs] == [
        whole.repeated_spans(t, s) for _, s, t in docs
    ]


# Arbitrary text, and text built from the pieces the checks look for (examples, bylines,
# sentence ends, bullets, line breaks), which reaches deeper into the code than noise.
fragments = st.sampled_from(
    [p.example for p in PATTERNS]
    + CLEAN[:5]
    + ["\n", " ", ". ", "by ", "By VOA News ", "U.S. ", "• "]
)
any_text = st.one_of(st.text(), st.lists(st.one_of(fragments, st.text(max_size=5))).map("".join))


@settings(max_examples=150, deadline=None)
@given(text=any_text, body_start=st.integers(0, 50), limit=st.integers(1, 100))
def test_no_check_raises_on_arbitrary_text(text: str, body_start: int, limit: int) -> None:
    body_start = min(body_start, len(text))
    for hits in (
        find_boilerplate(text, PATTERNS, body_start=body_start),
        find_glued_header(text, body_start=body_start),
        find_flattened_paragraphs(text, limit, body_start=body_start),
    ):
        for hit in hits:
            assert 0 <= hit.span[0] < hit.span[1] <= len(text)
    counter = RepeatedLineCounter(min_documents=2, min_chars=1)
    counter.add("x", None, text)
    counter.add("y", "story", text)
    for hit in counter.repeated_spans(text, "story"):
        assert 0 <= hit.span[0] < hit.span[1] <= len(text)


def _every_pattern_match(text: str, start: int, end: int, lead: bool, trail: bool):  # type: ignore[no-untyped-def]
    """What PatternSet.match gave before it picked the patterns by first character and
    needed characters: the one alternation of every pattern of the position class."""
    from corpus_qa.checks.boilerplate import _LEAD_DECORATION

    regex, _screen = PATTERNS._compile(lead, trail)  # every pattern (re caches the regex)
    start = _LEAD_DECORATION.match(text, start, end).end()
    m = regex.fullmatch(text, start, end) if regex is not None else None
    return None if m is None or m.lastgroup is None else PATTERNS._by_group[m.lastgroup]


@FAST
@given(before=st.sampled_from(["", "• ", "» ", " ", "x", "(", "|", "12 ", "\u0663", "_", "\u2003"]),
       after=st.sampled_from(["", ".", " »", "!", " and more", "s", " | More"]),
       clean=st.sampled_from(CLEAN), lead=st.booleans(), trail=st.booleans(),
       cased=st.sampled_from(["same", "lower", "upper"]))
def test_patterns_picked_by_first_character_match_as_all_of_them(
    before: str, after: str, clean: str, lead: bool, trail: bool, cased: str
) -> None:
    # injected: each pattern's example (a line the pattern is); harmless: other
    # decoration, case, words around it, or a clean sentence; the pick agrees either way
    for pattern in PATTERNS:
        example = {"same": pattern.example, "lower": pattern.example.lower(),
                   "upper": pattern.example.upper()}[cased]
        for unit in (before + example + after, clean, example + " " + clean):
            text = f"Line one.\n{unit}\nLast line."
            start, end = len("Line one.\n"), len("Line one.\n") + len(unit)
            assert (PATTERNS.match(text, start, end, leading=lead, trailing=trail)
                    == _every_pattern_match(text, start, end, lead, trail)), (pattern.id, unit)
        if cased == "same" and before in ("", "• ", "» ") and after in ("", ".", " »", "!"):
            text = before + example + after
            assert PATTERNS.match(text, 0, len(text), leading=True, trailing=True)


def _every_line_split(text: str, body_start: int = 0, patterns=PATTERNS):  # type: ignore[no-untyped-def]
    """find_boilerplate as it was before it decided a line's first or last sentence
    alone (and before a line's relaxed alternation screened its first sentence): each
    line no pattern is split into all of its sentences, unless its first sentence is the
    whole line or (a line before the last) matches nothing."""
    from corpus_qa.checks.boilerplate import _matched_sentences, _pattern_hit, _Positions

    lines = line_spans(text, body_start)
    if not lines:
        return []
    where = _Positions(text, body_start, DEFAULT_LEADING_CHARS, DEFAULT_TRAILING_CHARS)

    def match(span):  # type: ignore[no-untyped-def]
        lead, trail = where.of(span)
        return patterns.match(text, span[0], span[1], leading=lead, trailing=trail)

    if len(lines) == 1:
        return [_pattern_hit(text, s, p) for s in sentence_spans(text, *lines[0])
                if (p := match(s))]
    hits = []
    for index, line in enumerate(lines):
        pattern = match(line)
        if pattern is not None:
            hits.append(_pattern_hit(text, line, pattern))
            continue
        last = index == len(lines) - 1
        sentences = sentence_spans(text, *line)
        if sentences[0] == line or (not last and match(sentences[0]) is None):
            continue
        found = [(s, match(s)) for s in sentences]
        hits.extend(_pattern_hit(text, s, p)
                    for s, p in _matched_sentences(found, first=index == 0, last=last))
    return hits


# Sentences of news and of boilerplate, with and without a closing mark, that lines are
# made of: a notice glued before or after the article's sentences, or a line of notices.
_SENTENCE = st.one_of(
    st.sampled_from(CLEAN),
    st.sampled_from([p.example for p in PATTERNS]),
    st.sampled_from([p.example.rstrip(".!?") + "." for p in PATTERNS]),
    st.sampled_from(["Dr.", "U.S.", "1.", "»", "Read more", "…", "(AP)", "Mr. Smith said."]),
)
_LINE = st.lists(_SENTENCE, min_size=1, max_size=5).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(_LINE, min_size=1, max_size=8),
       breaks=st.sampled_from(["\n", "\n\n", "\r\n", "\n  "]),
       body_start=st.integers(0, 40))
def test_first_and_last_sentences_decided_alone_find_what_splitting_every_line_did(
    lines: list[str], breaks: str, body_start: int
) -> None:
    text = breaks.join(lines)
    body_start = min(body_start, len(text))
    assert find_boilerplate(text, PATTERNS, body_start=body_start) == _every_line_split(
        text, body_start)


def test_printable_text_has_no_white_space_but_the_space() -> None:
    # What normalise_line's shortcut rests on, for every code point of this Python's
    # Unicode database: a string that is printable holds no white space but " ".
    import sys

    assert not [hex(c) for c in range(sys.maxunicode + 1)
                if chr(c).isspace() and chr(c).isprintable() and c != 0x20]


_LINE_PIECES = st.sampled_from(["Follow", "us", "ON", "TWITTER", "Straße", "ΣΑΣ", "ǅ", "ﬁ",
                                "İ", "“x”", "•", "!", " ", "  ", "\t", "\u00a0", "\u2009",
                                "\u3000", "\x85", "\x1f", "\u200b", "\r", "\n", "…", "-"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINE_PIECES, max_size=12).map("".join))
def test_normalise_line_collapses_as_splitting_and_joining_does(line: str) -> None:
    from corpus_qa.checks.boilerplate import _EDGE_NOISE, normalise_line

    assert normalise_line(line) == " ".join(line.casefold().split()).strip(_EDGE_NOISE)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINE_PIECES, max_size=12).map("".join))
def test_line_hash_is_blake2b_of_the_line(line: str) -> None:
    from hashlib import blake2b

    from corpus_qa.checks.boilerplate import _hash

    digest = blake2b(line.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    assert _hash(line) == int.from_bytes(digest, "big")


# A steward's patterns that the relaxed screen must not misjudge: an end anchor, a word
# boundary, look-aheads, possessive repeats and atomic groups (which the screen drops or
# makes plain), a conditional group (which it cannot rewrite: never screened), a nested
# possessive repeat (whose plain form is unsafe: never screened), and a phrase.
_USER = [
    (r"Read more here\.$", "Read more here."),
    (r"Sponsored\b[^.!?]{0,40}\.", "Sponsored by Acme."),
    (r"(?!Breaking)[A-Z]\w*+ alert\.", "Weather alert."),
    (r"Photo: [^.]*+\.", "Photo: John Smith."),
    (r"(?>Share|Tweet) this( story)?\.", "Tweet this story."),
    (r"(?=.*permission\.$)Used with (?:kind )?permission\.", "Used with kind permission."),
    (r"Attention(:)?(?(1) |, )[^.]++\.", "Attention: nothing here."),
    (r"(?:[^(\n]++|\((?!AP))*+\(AP\)\.", "Smith (AP)."),
    (r"(?i:follow\s+us\s+on\s+twitter)", "Follow us on Twitter"),
    (r"It was\.", "It was."),
]
USER = PatternSet([
    Pattern(id=f"user_{i}", reason="call_to_action", where=where, source=source,
            example=example)
    for i, ((source, example), where) in enumerate(
        zip(_USER, ["anywhere", "edges", "leading", "trailing"] * 3, strict=False))])
_USER_SENTENCE = st.one_of(
    st.sampled_from(CLEAN),
    st.sampled_from([e for _, e in _USER]),
    st.sampled_from(["Dr.", "U.S.", "»", "• Read more here.", "Read more here", "Weather"]),
)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.lists(_USER_SENTENCE, min_size=1, max_size=4).map(" ".join),
                      min_size=1, max_size=8),
       breaks=st.sampled_from(["\n", "\n\n"]), body_start=st.integers(0, 40))
def test_a_line_screened_by_its_relaxed_alternation_loses_no_user_pattern(
    lines: list[str], breaks: str, body_start: int
) -> None:
    # injected: a steward's pattern (its example) as a line, or as the first sentence of
    # one; harmless: news sentences around it; the screen finds what matching every
    # line and sentence finds
    text = breaks.join(lines)
    body_start = min(body_start, len(text))
    assert find_boilerplate(text, USER, body_start=body_start) == _every_line_split(
        text, body_start, USER)


@FAST
@given(docs=corpus, min_documents=st.integers(2, 4), fraction=st.sampled_from([0.0, 0.3, 0.6]))
def test_no_line_repeated_means_no_document_has_a_repeated_line(  # type: ignore[no-untyped-def]
        docs, min_documents: int, fraction: float) -> None:
    """``repeats_any`` is False exactly when no document has a repeated-line hit: the
    corpus pass then gives every cell empty without reading the stored line hashes."""
    counter = RepeatedLineCounter(min_documents=min_documents, min_fraction=fraction)
    for doc in docs:
        counter.add(*doc)
    hits = [counter.repeated_spans(text, story) for _, story, text in docs]
    assert counter.repeats_any() == any(hits)
