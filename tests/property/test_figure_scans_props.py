"""The figure check's one-scan rewrites give exactly what the code they replaced gave.

- a figure's noun is read with one match of up to three words (``_NOUN_WORDS``) instead of
  one ``_NOUN_WORD`` match per word;
- what follows a quantity (percent, currency word, time unit) is told by one match of
  ``_SUFFIX`` instead of three matches tried in turn;
- a story's pairs read each sentence's figures, and the key that tells a sentence copied
  unchanged, from a table made once per version (``_placed``) instead of a search per
  aligned pair.

The replaced code is kept below as a test-local reference (the package holds one copy).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from corpus_qa.checks import figures as F
from corpus_qa.checks.sentences import align
from tests.fixtures.figure_texts import _SEPARATORS, _SOUP

SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words a noun phrase meets: function words in any case, plurals regular and not, words
# with hyphens and apostrophes, digits, line breaks (with "\r"), no-break spaces, marks.
_NOUNISH = [
    "of", "the", "Of", "THE", "a", "migrants", "crossings", "people", "Children", "bus",
    "countries'", "hours", "illegal", "top", "sources", "day-long", "one's", "O’Brien",
    "series", "daily", "für", "Millionen", "x", "ab", "-", "--", "'", "’", "7", "9th",
    "_", "Ünal", "ciudades", "its", "their", "more",
]
_GAPS = [" ", "  ", "\t", "\u00a0", "\n", "\r\n", " \n ", "\n\n", ", ", ". ", "-", ""]
_NOUN_TEXTS = st.lists(st.sampled_from(_NOUNISH) | st.sampled_from(_GAPS), max_size=14).map(
    "".join)


def _noun_word_by_word(text: str, end: int, kind: str, singular: bool) -> str:
    """``_noun`` as it was: one ``_NOUN_WORD`` match per word."""
    words = []
    pos = end
    partitive = F._PARTITIVE.match(text, pos)
    if partitive and kind in ("number", "percent", "fraction", "money", "inexact"):
        pos = partitive.end()
        singular = False
    elif kind == "factor" and (det := F._DETERMINER.match(text, pos)) is not None:
        pos = det.end()
    while len(words) < 3 and (m := F._NOUN_WORD.match(text, pos)) is not None:
        if m.group(1).lower() in F._FUNCTION_WORDS:
            break
        words.append(m)
        pos = m.end()
        if F._is_plural(m.group(1)):
            break
    if words and (singular or not F._is_plural(words[-1].group(1))):
        words = words[:1]
    if not words:
        return ""
    return text[end : words[-1].end()].strip(" \t\r\n\u00a0-")


@SETTINGS
@given(_NOUN_TEXTS, st.integers(0, 40), st.booleans(),
       st.sampled_from(["number", "percent", "money", "factor", "duration", "inexact", "year"]))
def test_a_noun_read_in_one_match_is_the_noun_read_word_by_word(
        text: str, end: int, singular: bool, kind: str) -> None:
    end = min(end, len(text))
    assert F._noun(text, end, kind, singular) == _noun_word_by_word(text, end, kind, singular)


def _suffix_in_turn(text: str, start: int, end: int, value: float, cur: str, *,
                    is_words: bool) -> F._Candidate | None:
    """The head of ``_with_suffix`` as it was: percent, currency word, time unit in turn;
    what it does when none follows is unchanged (the rewritten function is called)."""
    if (p := F._PERCENT.match(text, end)) is not None:
        return F._Candidate(start, p.end(), F._number(value), "percent",
                            "pp" if p["pp"] else "%")
    if not cur and (c := F._CURRENCY_WORD.match(text, end)) is not None:
        return F._Candidate(start, c.end(), F._number(value), "money",
                            F._CURRENCY_WORDS[F._key(c["w"])])
    if cur:
        return F._Candidate(start, end, F._number(value), "money", cur)
    if (t := F._TIME_UNIT.match(text, end)) is not None:
        return F._Candidate(start, t.end(), F._number(value), "duration", F.lemma(t["u"]))
    return F._with_suffix(text, start, end, value, cur, is_words=is_words)


# What may follow a quantity, each suffix pattern's words in several cases, and words
# that start like them.
_AFTER = [
    "%", " %", " percent", " Per Cent", " pct", " percentage points", " percentage point",
    " Prozentpunkte", " points de pourcentage", " puntos porcentuales", " prozent",
    " pour cent", " por ciento", " per cento", " dollars", " US dollars", " U.S. dollar",
    " American dollars", " euros", " pounds sterling", " pound", " yen", " yuan", " pesos",
    " rupees", " hours", "-hour", " day", " days", "-year", " centuries", " century",
    " decades", " seconds", " minutes", " weeks", " months", " percentages", " dollarish",
    " hourly", " people", " of", "\n", " ", "-", "", " one", " sterling",
]
_SUFFIX_TEXTS = st.lists(st.sampled_from(_AFTER) | st.sampled_from(_SOUP)
                         | st.sampled_from(_SEPARATORS), max_size=6).map("".join)


@SETTINGS
@given(st.sampled_from(["5", "2023", "one", "10,000", "$3"]), _SUFFIX_TEXTS,
       st.sampled_from(["", "USD", "EUR"]), st.booleans(), st.sampled_from([1.0, 5.0, 2023.0]))
def test_one_suffix_match_classifies_as_the_three_in_turn(
        written: str, after: str, cur: str, is_words: bool, value: float) -> None:
    text = written + after
    end = len(written)
    assert F._with_suffix(text, 0, end, value, cur, is_words=is_words) == _suffix_in_turn(
        text, 0, end, value, cur, is_words=is_words)


def _table_searched(a: str, b: str) -> list:
    """The figure table of two versions with each aligned pair's figures found by a search
    of the pair's spans (``_in``) and copied sentences told by ``_copied``."""
    a_figs, b_figs = F.extract_figures(a), F.extract_figures(b)
    a_starts, b_starts = [f.span[0] for f in a_figs], [f.span[0] for f in b_figs]
    rows = []
    for al in align(a, b, a_masks=[f.span for f in a_figs], b_masks=[f.span for f in b_figs]):
        a_in, b_in = F._in(a_figs, a_starts, al.a_span), F._in(b_figs, b_starts, al.b_span)
        if F._copied(al, a_in, b_in):
            rows += [F.FigureRow("same", fa, fb) for fa, fb in zip(a_in, b_in, strict=True)]
            continue
        pair_rows = F._pair_rows(a_in, b_in, 0.0, al.a_span, al.b_span, (a, b))
        rows += sorted(pair_rows, key=F._row_position)
    return rows


_SENTENCES = [
    "In 2016, more than 85,900 visas were issued.", "It rose 7 points in trading.",
    "It rose 5 points in trading.", "They met on December 18 for two hours.",
    "About 6,000 migrants crossed.", "About 6,100 migrants crossed.", "The talks ended.",
    "He paid $1.2 million, then $3 million.", "Turnout was:\n- North: 45%\n- South: 38%",
    "In 2017, 72% more than in 2017.", "On Dec.\n\n18 people came.", "Die Zinsen stiegen um 1,320.",
]
_STORY = st.lists(st.lists(st.sampled_from(_SENTENCES), min_size=1, max_size=6).map(
    lambda ss: ("\n\n" if len(ss) % 2 else " ").join(ss)), min_size=2, max_size=4)


@SETTINGS
@given(_STORY)
def test_a_story_s_tables_read_from_each_version_s_sentences_are_the_searched_tables(
        texts: list[str]) -> None:
    versions = [(f"d{k}", text) for k, text in enumerate(texts)]
    _, tables = F.compare_versions(versions)
    pairs = [(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))]
    for (i, j), table in zip(pairs, tables, strict=True):
        note(f"a = {texts[i]!r}\nb = {texts[j]!r}")
        assert list(table.rows) == _table_searched(texts[i], texts[j])


def test_a_figure_that_is_not_equal_to_itself_gets_no_key() -> None:
    """A NaN value (never a figure's, but tuples compare items by identity first) keeps a
    sentence off the copied path."""
    nan = F.Figure(float("nan"), "number", "x", (0, 1))
    sentence = F.Sentence(0, (0, 3), "x y")
    assert F._placed([nan], [sentence]) == [([nan], None)]


@SETTINGS
@given(st.lists(st.sampled_from(["10", "000", "1", ",", " ", "\u00a0", "\u202f", "\n", "٣٠٠",
                                 "a", "É", "#", "’", "10,000", "3 500", "x", "1,2,345",
                                 "1,234,567", "_", "ß", "—"]), max_size=12).map(
    "".join))
def test_tokens_join_digit_groups_as_before(text: str) -> None:
    """``tokens`` skips the digit-group join on a text without a digit, joins a group by
    matching its digit (not looking behind for one) and reads an ASCII text with the
    ASCII word class: the tokens of the plain reading (every separator with a digit
    before it and three after taken out, then Unicode words)."""
    import re

    from corpus_qa.checks.sentences import tokens
    from corpus_qa.text.fold import fold

    group = re.compile(r"(?<=\d)[,\u00a0\u202f\u2009 \n](?=\d{3}(?!\d))")
    assert tokens(text) == tuple(re.findall(r"\w+|#", group.sub("", fold(text))))
