"""Sentence splitting with spans, and the alignment of two versions' sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_qa.checks import sentences
from corpus_qa.checks.sentences import align, tokens
from corpus_qa.text.fold import fold
from corpus_qa.text.segment import split_sentences

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
        (
            "The U.S. delegation stressed the need. Mexico agreed.",
            ["The U.S. delegation stressed the need.", "Mexico agreed."],
        ),
        ("He flew to the U.S. The talks began.", ["He flew to the U.S.", "The talks began."]),
        ("U.S. President Joe Biden spoke.", ["U.S. President Joe Biden spoke."]),
        (
            "On Dec. 18 the border closed. Trains stopped.",
            ["On Dec. 18 the border closed.", "Trains stopped."],
        ),
        ("It ended in Dec. The new year began.", ["It ended in Dec.", "The new year began."]),
        ("John F. Kennedy spoke. Crowds cheered.", ["John F. Kennedy spoke.", "Crowds cheered."]),
        ("At 10 a.m. Wednesday the talks began.", ["At 10 a.m. Wednesday the talks began."]),
        (
            '"We talked about the causes [of migration]. The ideal thing is to help," he said.',
            [
                '"We talked about the causes [of migration].',
                'The ideal thing is to help," he said.',
            ],
        ),
        (
            'He would "discuss migration." The talks began.',
            ['He would "discuss migration."', "The talks began."],
        ),
        ("“Why?” he asked.", ["“Why?” he asked."]),
        ("the relationship ... the importance.", ["the relationship ... the importance."]),
        ("He paused... Then he left.", ["He paused...", "Then he left."]),
        ("no punctuation at all", ["no punctuation at all"]),
        (
            "Record levels of migrants\n\nThe meeting was held.",
            ["Record levels of migrants", "The meeting was held."],
        ),
        ("The meeting\nwas held. It\nended.", ["The meeting\nwas held.", "It\nended."]),
        ("Prices rose 3.5. Wages did not!", ["Prices rose 3.5.", "Wages did not!"]),
        ("", []),
        ("   \n\n  ", []),
    ],
    ids=[
        "titles",
        "acronym-mid-sentence",
        "acronym-ends-sentence",
        "acronym-before-title",
        "month-abbreviation-before-day",
        "month-abbreviation-ends-sentence",
        "initial",
        "am-pm",
        "inside-quotes",
        "after-closing-quote",
        "question-then-lowercase",
        "ellipsis-then-lowercase",
        "ellipsis-then-starter",
        "one-line-no-punctuation",
        "blank-line-heading",
        "single-newline-is-whitespace",
        "decimal-then-period",
        "empty",
        "whitespace-only",
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert _texts(text) == expected


def test_split_spans_index_the_text_and_skip_whitespace() -> None:
    text = "  Hello there.  \n\n Bye now. "
    sentences = split_sentences(text)
    assert [(s.index, s.span) for s in sentences] == [(0, (2, 14)), (1, (19, 27))]
    assert all(text[s.span[0] : s.span[1]] == s.text for s in sentences)


def test_seed_001_splits_notice_title_and_body() -> None:
    text = (SEEDS / "001_a1d7f1edd2253686.txt").read_text("utf-8")
    sentences = split_sentences(text)
    assert sentences[0].text == "Originally posted by the Voice of America."
    assert sentences[2].text.startswith(
        "US, Mexico Discuss Options to Slow Surge of Migrants at Border by VOA"
    )
    assert len(sentences) == 27


def test_fold_and_tokens() -> None:
    assert fold("“Bárcena’s”") == '"barcena\'s"'
    assert tokens("As many as 10,000 — or 10 000 — crossings") == (
        "as",
        "many",
        "as",
        "10000",
        "or",
        "10000",
        "crossings",
    )


# --- alignment -------------------------------------------------------------------------


def _pairs(a: str, b: str, **kw: object) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [
        (tuple(s.index for s in al.a), tuple(s.index for s in al.b))
        for al in align(a, b, **kw)  # type: ignore[arg-type]
    ]


STORY = (
    "Officials met Wednesday in Mexico City.\n\n"
    "They talked for about two hours about migration.\n\n"
    '"We have always talked about the causes," López Obrador said.\n\n'
    "About 6,000 migrants continued their march north."
)


@pytest.mark.parametrize(
    ("b", "expected"),
    [
        (STORY, [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))]),
        (
            " ".join(STORY.split()),  # paragraphs joined into one line
            [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))],
        ),
        (
            STORY.replace(" about two hours", "\nabout two\nhours"),  # reflowed
            [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))],
        ),
        (
            STORY.replace('"We', "“We").replace('causes,"', "causes,”"),
            [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))],
        ),
        (
            STORY.replace("López", "Lopez"),
            [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))],
        ),
        (
            STORY.replace("Officials met Wednesday", "U.S. and Mexican officials met on Wednesday"),
            [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))],
        ),
        (
            STORY.replace("migration.", "migration. The mood was tense in the room."),
            [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2,), (3,)), ((3,), (4,))],
        ),
        (
            STORY.replace("They talked for about two hours about migration.\n\n", ""),
            [((0,), (0,)), ((1,), ()), ((2,), (1,)), ((3,), (2,))],
        ),
        (
            STORY.replace("City.\n\nThey talked", "City, and they talked"),
            [((0, 1), (0,)), ((2,), (1,)), ((3,), (2,))],
        ),
        (
            STORY.replace("about two hours about", "about two hours. It was about"),
            [((0,), (0,)), ((1,), (1, 2)), ((2,), (3,)), ((3,), (4,))],
        ),
    ],
    ids=[
        "identical",
        "paragraphs-joined",
        "reflowed",
        "curly-quotes",
        "accents-folded",
        "minor-wording",
        "sentence-added",
        "sentence-removed",
        "sentences-joined",
        "sentence-split",
    ],
)
def test_align(b: str, expected: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> None:
    assert _pairs(STORY, b) == expected


def test_align_moved_sentence_is_unaligned_on_both_sides() -> None:
    a = "First comes the rain. Then the sun shines bright. Finally the wind blows hard."
    b = "Finally the wind blows hard. First comes the rain. Then the sun shines bright."
    pairs = _pairs(a, b)
    assert ((0,), (1,)) in pairs and ((1,), (2,)) in pairs
    assert ((2,), ()) in pairs and ((), (0,)) in pairs


def test_align_masks_let_rewritten_figures_pair() -> None:
    a, b = "More than half a million left.", "More than 500,000 left."
    assert _pairs(a, b) == [((), (0,)), ((0,), ())]
    masked = _pairs(a, b, a_masks=[(10, 24)], b_masks=[(10, 17)])
    assert masked == [((0,), (0,))]


def test_align_scores_and_spans() -> None:
    (al,) = align("Ten people left today.", "Ten people left today!")
    assert al.paired and al.score == 1.0
    assert (al.a_span, al.b_span) == ((0, 22), (0, 22))


@pytest.mark.parametrize("bad", [0.0, -1.0, 1.5], ids=["zero", "negative", "above-one"])
def test_align_rejects_bad_threshold(bad: float) -> None:
    with pytest.raises(ValueError, match=r"threshold must be in \(0, 1\]"):
        align("a.", "b.", threshold=bad)


def test_align_seeds() -> None:
    a = (SEEDS / "000_c3359af66ac874be.txt").read_text("utf-8")
    b = (SEEDS / "001_a1d7f1edd2253686.txt").read_text("utf-8")
    alignments = align(a, b)
    by_b = {al.b[0].index: al for al in alignments if len(al.b) == 1}
    assert not by_b[0].a and not by_b[1].a  # syndication notice: 001 only
    assert [s.index for s in by_b[2].a] == [0]  # title + byline glued to the first sentence
    unaligned_a = [al.a[0].text for al in alignments if not al.b]
    assert "Record levels of migrants" in unaligned_a
    assert "Caravan continues toward US border" in unaligned_a
    assert sum(al.paired for al in alignments) == 18


@pytest.mark.parametrize(("every", "most_cells"), [(3, 4 * 1200), (1, sentences.MAX_GAP_CELLS)],
                         ids=["anchored", "no-identical-sentence"])
def test_align_long_documents_visits_bounded_cells(every: int, most_cells: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """1,200 sentences (1.44M cells for a full table): identical ones anchor the search
    (a few cells per sentence); without any, the band bounds the cells the dynamic
    programme visits. Counted, not timed: the count does not depend on machine load."""
    visited = 0
    moves = sentences._moves

    def counted(*args, **kwargs):
        nonlocal visited
        visited += 1
        return moves(*args, **kwargs)

    monkeypatch.setattr(sentences, "_moves", counted)
    texts = [
        f"Sentence number {i} talks about topic {i * 7 % 13} and more words {i}."
        for i in range(1200)
    ]
    a = " ".join(texts)
    b = " ".join(
        s.replace("more", "extra") if i % every == 0 else s for i, s in enumerate(texts)
    )
    alignments = align(a, b)
    assert 0 < visited <= most_cells
    assert [(al.a[0].index, al.b[0].index) for al in alignments] == [(i, i) for i in range(1200)]


@pytest.mark.parametrize("short_side", ["a", "b"])
def test_align_lopsided_gap(short_side: str) -> None:
    """One sentence against 3,000: the band still reaches the end and finds the pair."""
    many = " ".join(f"Filler sentence {i} about topic {i}." for i in range(3000))
    one = "Filler sentence 2999 about topic 2999 again."
    a, b = (one, many) if short_side == "a" else (many, one)
    alignments = align(a, b)
    assert [(al.a[0].index, al.b[0].index) for al in alignments if al.paired] == [
        (0, 2999) if short_side == "a" else (2999, 0)
    ]
    assert len(alignments) == 3000
