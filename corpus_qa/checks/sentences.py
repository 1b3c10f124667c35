"""The alignment of two versions' sentences.

Versions of one story differ in layout (paragraphs joined into one line, text
reflowed), in typography (curly or straight quotes, accents kept or folded) and in
wording (a word changed, a sentence added). :func:`align` cuts both with the one
sentence splitter (:func:`corpus_qa.text.segment.split_sentences`) and pairs their
sentences by token-set similarity after folding those differences away
(:func:`corpus_qa.text.fold.fold`).

>>> [(len(x.a), len(x.b)) for x in align("One fact. Two facts.", "Two  facts.\\n\\nOne fact.")]
[(1, 0), (1, 1), (0, 1)]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus_qa.text.fold import fold
from corpus_qa.text.segment import (
    Sentence,
    block_sentence_spans,
    sentence_blocks,
    split_sentences,
    split_sentences_reusing,
)

# --- normalising for comparison ------------------------------------------------------

_DIGIT_GROUP = re.compile(r"(\d)[,\u00a0\u202f\u2009 \n](?=\d{3}(?!\d))")
"""A digit and the group separator after it, three digits (and no fourth) following;
replaced by the digit (:func:`_groups_joined`). Matching the digit rather than looking
behind for it lets the regex engine try only where a digit is (half the time); no digit
it takes is another match's, which is the one right before that match's separator."""
_DIGIT = re.compile(r"\d")
"""What every :data:`_DIGIT_GROUP` match starts with: a text without one has no digit group
to join (most masked sentences: their figures are masked)."""
_TOKEN = re.compile(r"\w+|#")
_ASCII_TOKEN = re.compile(r"\w+|#", re.ASCII)
""":data:`_TOKEN` for an ASCII text (the same matches there; the regex engine tests a word
character in a table of 128 instead of Unicode's, a third faster)."""
MASK = " # "
"""What a masked span (e.g. a figure) becomes before tokenising: one ``#`` token."""


def tokens(text: str) -> tuple[str, ...]:
    """The comparison tokens of ``text``: folded words, digit groups joined ("10,000" → "10000").

    >>> tokens("About 10,000 “migrants” — Andrés")
    ('about', '10000', 'migrants', 'andres')
    """
    folded = _groups_joined(fold(text))
    return tuple((_ASCII_TOKEN if folded.isascii() else _TOKEN).findall(folded))


def _groups_joined(folded: str) -> str:
    """``folded`` with each digit group's separator taken out ("10,000" → "10000")."""
    if _DIGIT.search(folded) is None:
        return folded
    return _DIGIT_GROUP.sub(r"\1", folded)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two token sets (1.0 for two empty sets).

    >>> similarity(frozenset("abc"), frozenset("abd"))
    0.5
    """
    if not a and not b:
        return 1.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


# --- alignment -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, init=False)
class Alignment:
    """Sentences of version a paired with sentences of version b.

    Usually one to one; two to one or one to two when a version joined or split a
    sentence; one side is empty for a sentence present in only one version.
    """

    a: tuple[Sentence, ...]
    b: tuple[Sentence, ...]
    score: float

    def __init__(self, a: tuple[Sentence, ...], b: tuple[Sentence, ...], score: float) -> None:
        # The slots' setters, not the frozen dataclass's object.__setattr__ by name (half
        # the cost; an alignment per sentence and pair: see Figure).
        set_a, set_b, set_score = _ALIGNMENT_SLOTS
        set_a(self, a)
        set_b(self, b)
        set_score(self, score)

    @property
    def paired(self) -> bool:
        """True when both versions have sentences here."""
        return bool(self.a) and bool(self.b)

    @property
    def a_span(self) -> tuple[int, int] | None:
        """The span covering this alignment's sentences in version a."""
        return (self.a[0].span[0], self.a[-1].span[1]) if self.a else None

    @property
    def b_span(self) -> tuple[int, int] | None:
        """The span covering this alignment's sentences in version b."""
        return (self.b[0].span[0], self.b[-1].span[1]) if self.b else None


_ALIGNMENT_SLOTS = tuple(getattr(Alignment, name).__set__ for name in ("a", "b", "score"))
"""The setters of :class:`Alignment`'s slots, in the order of its fields."""

DEFAULT_THRESHOLD = 0.5
"""Minimum Jaccard similarity for two sentences to be versions of each other."""
MAX_GAP_CELLS = 250_000
"""Between anchors, the dynamic programme visits at most about this many cells (banded)."""


def _masked(
    text: str, span: tuple[int, int], masks: Sequence[tuple[int, int]], ends: Sequence[int]
) -> str:
    """``text[span]`` with every mask overlapping it replaced by :data:`MASK`.

    ``masks`` are sorted and do not overlap, so ``ends`` (their ends) are sorted too.
    """
    start, end = span
    out: list[str] = []
    pos = start
    first = bisect.bisect_right(ends, start)
    for m_start, m_end in masks[first:]:
        if m_start >= end:
            break
        out.append(text[pos : max(pos, m_start)])
        out.append(MASK)
        pos = max(pos, min(m_end, end))
    out.append(text[pos:end])
    return "".join(out)


BlockSentences = tuple[list[tuple[tuple[int, int], str]], list[tuple[str, ...]],
                       list[frozenset[str]]]
"""The sentences of a block as :class:`Side` reads them: each one's span in the block and
text; their tokens; their token sets."""

SharedBlocks = dict[tuple[str, tuple[tuple[int, int], ...]], BlockSentences]
"""A story's blocks already read by :class:`Side`: (block, its masks) → its sentences."""


Known = dict[str, tuple[tuple[str, ...], frozenset[str]]]
"""Masked sentences already tokenised, line breaks read as spaces → their tokens and set."""

_APART = "\x00"
"""What :func:`_tokenised` puts between the sentences it folds together: a character that
:func:`~corpus_qa.text.fold.fold` keeps as it is and that joins with no neighbour (no
decomposition, no composition, no case, not a mark, a quote, a digit or a word
character), so folding the joined text folds each sentence as if alone."""


def _tokenised(keys: list[str], known: Known) -> None:
    """Put in ``known`` the tokens of each masked sentence of ``keys`` (line breaks read
    as spaces) not there yet: :func:`tokens` of each, folded together in one call.

    Line breaks are spaces to :func:`tokens` (white space between tokens, or between the
    digits of a group), so a reflowed sentence has the tokens of its first reading. The
    sentences are joined by :data:`_APART`, which folding keeps in place; the digit
    groups are joined over the whole text (a group never reaches across :data:`_APART`:
    it needs a digit on each side of its separator)."""
    missing = [key for key in dict.fromkeys(keys) if key not in known]
    if not missing:
        return
    joined = _APART.join(missing)
    if joined.count(_APART) != len(missing) - 1:  # a sentence holds the character itself
        for key in missing:
            words = tokens(key)
            known[key] = (words, frozenset(words))
        return
    folded = _groups_joined(fold(joined))
    findall = (_ASCII_TOKEN if folded.isascii() else _TOKEN).findall
    for key, part in zip(missing, folded.split(_APART), strict=True):
        words = tuple(findall(part))
        known[key] = (words, frozenset(words))


class Side:
    """The sentences of one version with their token sets (and joined neighbours, lazily).

    Build it once per version and pass it to :func:`align` for every pair that version
    is in (a story of n versions has n - 1 pairs per version).

    ``known``: the tokens of sentences already seen (masked sentence, line breaks as
    spaces → tokens and their set), shared by the versions of one story, whose sentences
    are mostly the same: each distinct sentence is tokenised once per story, however its
    lines break.
    ``paragraphs``: the sentence spans of paragraphs already split, shared the same way
    (:func:`~corpus_qa.text.segment.split_sentences_reusing`).
    ``blocks``: the sentences of blocks already read (a block of
    :func:`~corpus_qa.text.segment.sentence_blocks` with the masks inside it, relative to
    its start → each sentence's span in the block, text, tokens and token set), shared
    the same way: a block the versions share, with the same figures, is split, masked and
    looked up once per story, not once per version. The sides are exactly those built
    sentence by sentence: a block is split as the whole text is, and a sentence's masks
    are the masks overlapping it, all of which overlap its block."""

    def __init__(self, text: str, masks: Sequence[tuple[int, int]],
                 known: dict[str, tuple[tuple[str, ...], frozenset[str]]] | None = None,
                 paragraphs: dict[str, list[tuple[int, int]]] | None = None,
                 blocks: SharedBlocks | None = None,
                 ) -> None:
        ordered = sorted(masks)
        ends = [m_end for _, m_end in ordered]
        known = {} if known is None else known
        self.tokens: list[tuple[str, ...]] = []
        self.sets: list[frozenset[str]] = []
        self._pairs: dict[int, frozenset[str]] = {}
        self._where: dict[tuple[str, ...], list[int]] | None = None
        if blocks is not None:
            self.sentences = self._by_block(text, ordered, ends, known,
                                            {} if paragraphs is None else paragraphs, blocks)
            return
        self.sentences = (split_sentences(text) if paragraphs is None
                          else split_sentences_reusing(text, paragraphs))
        keys = [_masked(text, s.span, ordered, ends).replace("\n", " ") for s in self.sentences]
        _tokenised(keys, known)
        for key in keys:
            words, word_set = known[key]
            self.tokens.append(words)
            self.sets.append(word_set)

    def _by_block(self, text: str, ordered: list[tuple[int, int]], ends: list[int],
                  known: Known,
                  paragraphs: dict[str, list[tuple[int, int]]],
                  blocks: SharedBlocks,
                  ) -> list[Sentence]:
        starts = [m_start for m_start, _ in ordered]
        sentences: list[Sentence] = []
        placed: list[tuple[int, BlockSentences]] = []  # each block's start and sentences
        new: list[tuple[list[str], BlockSentences]] = []  # blocks new to the story
        for start, end in sentence_blocks(text):
            block = text[start:end]
            lo = bisect.bisect_right(ends, start)
            hi = bisect.bisect_left(starts, end, lo)
            inside = (tuple([(m_start - start, m_end - start) for m_start, m_end in ordered[lo:hi]])
                      if hi > lo else ())
            read = blocks.get((block, inside))
            if read is None:
                spans = paragraphs.get(block)
                if spans is None:
                    spans = paragraphs[block] = block_sentence_spans(block)
                inside_ends = [m_end for _, m_end in inside]
                keys = [_masked(block, span, inside, inside_ends).replace("\n", " ")
                        for span in spans]
                read = blocks[(block, inside)] = (
                    [(span, block[span[0]:span[1]]) for span in spans], [], [])
                new.append((keys, read))
            placed.append((start, read))
        if new:  # the sentences of the blocks new to the story, tokenised together
            _tokenised([key for keys, _ in new for key in keys], known)
            for keys, (_, words, word_sets) in new:
                for key in keys:
                    found = known[key]
                    words.append(found[0])
                    word_sets.append(found[1])
        for start, read in placed:
            n = len(sentences)
            sentences += [Sentence(n + k, (start + s, start + e), sentence)
                          for k, ((s, e), sentence) in enumerate(read[0])]
            self.tokens += read[1]
            self.sets += read[2]
        return sentences

    def where(self) -> dict[tuple[str, ...], list[int]]:
        """Each distinct token tuple → the indices of its sentences, in order (read by
        every pair this side is in)."""
        if self._where is None:
            where: dict[tuple[str, ...], list[int]] = {}
            for i, t in enumerate(self.tokens):
                where.setdefault(t, []).append(i)
            self._where = where
        return self._where

    def pair_set(self, i: int) -> frozenset[str]:
        """Tokens of sentences ``i`` and ``i + 1`` together."""
        if i not in self._pairs:
            self._pairs[i] = self.sets[i] | self.sets[i + 1]
        return self._pairs[i]


def _anchors(a: Side, b: Side) -> list[tuple[int, int]]:
    """Pairs of sentences identical after normalising and unique on both sides, in order.

    These are certain matches; the (quadratic) search only runs between them.
    """
    seen_a, seen_b = a.where(), b.where()
    pairs = sorted(
        (ia[0], seen_b[t][0])
        for t, ia in seen_a.items()
        if t and len(ia) == 1 and len(seen_b.get(t, ())) == 1
    )
    return _increasing(pairs)


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (sorted by first item) increasing in the second."""
    tails: list[int] = []  # tails[k]: smallest b-index ending an increasing run of length k+1
    tail_at: list[int] = []
    parent: list[int] = []
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        parent.append(tail_at[k - 1] if k else -1)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k] = j
            tail_at[k] = n
    out: list[tuple[int, int]] = []
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        out.append(pairs[n])
        n = parent[n]
    return out[::-1]


def _gap(
    a: Side, b: Side, a_range: tuple[int, int], b_range: tuple[int, int], threshold: float
) -> list[Alignment]:
    """Align sentences ``a_range`` × ``b_range`` by a monotone dynamic programme.

    Moves: skip a sentence of either side (score 0), pair 1:1, or pair 2:1 / 1:2 (a
    joined or split sentence); a pair scores its similarity times its mean token count.
    Only cells within a band around the diagonal are visited when the gap is large.
    """
    a0, a1 = a_range
    b0, b1 = b_range
    n, m = a1 - a0, b1 - b0
    if n == 0 or m == 0:
        return [Alignment((a.sentences[i],), (), 0.0) for i in range(a0, a1)] + [
            Alignment((), (b.sentences[j],), 0.0) for j in range(b0, b1)
        ]
    # Half-width of the band around the diagonal, in sentences: everything for
    # news-sized gaps, about MAX_GAP_CELLS cells for huge ones, and always wide enough
    # for consecutive rows' bands to touch (so the last cell is reachable).
    width = max(16, m // n + 2, MAX_GAP_CELLS // (2 * max(n, m)))
    best: dict[tuple[int, int], tuple[float, tuple[int, int], float]] = {(0, 0): (0.0, (0, 0), 0.0)}
    for i in range(n + 1):
        centre = i * m // n
        for j in range(max(0, centre - width), min(m, centre + width) + 1):
            here = best.get((i, j))
            if here is not None:
                for cell, gain, sim in _moves(a, b, a0 + i, b0 + j, (n - i, m - j), threshold):
                    cell = (i + cell[0], j + cell[1])
                    score = here[0] + gain
                    if cell not in best or score > best[cell][0] + 1e-12:
                        best[cell] = (score, (i, j), sim)
    return _backtrack(a, b, a0, b0, best, (n, m))


def _moves(
    a: Side, b: Side, i: int, j: int, left: tuple[int, int], threshold: float
) -> list[tuple[tuple[int, int], float, float]]:
    """The moves from sentence ``i`` of a and ``j`` of b: (step, score gain, similarity)."""
    left_a, left_b = left
    moves: list[tuple[tuple[int, int], float, float]] = []
    if left_a:
        moves.append(((1, 0), 0.0, 0.0))
    if left_b:
        moves.append(((0, 1), 0.0, 0.0))
    if not (left_a and left_b):
        return moves
    for step, a_set, b_set in (
        ((1, 1), a.sets[i], b.sets[j]),
        ((2, 1), a.pair_set(i) if left_a > 1 else None, b.sets[j]),
        ((1, 2), a.sets[i], b.pair_set(j) if left_b > 1 else None),
    ):
        if a_set is None or b_set is None:
            continue
        if min(len(a_set), len(b_set)) < threshold * max(len(a_set), len(b_set)):
            continue  # Jaccard <= min/max: cannot reach the threshold
        s = similarity(a_set, b_set)
        if s >= threshold:
            # Weighted by size, the programme maximises the tokens it matches: a joined
            # sentence pairs 2:1 rather than 1:1 plus a skipped half.
            moves.append((step, s * (len(a_set) + len(b_set)) / 2, s))
    return moves


def _backtrack(
    a: Side,
    b: Side,
    a0: int,
    b0: int,
    best: dict[tuple[int, int], tuple[float, tuple[int, int], float]],
    end: tuple[int, int],
) -> list[Alignment]:
    """Read the alignments off the dynamic programme's table, last cell first."""
    out: list[Alignment] = []
    cell = end
    while cell != (0, 0):
        _, prev, sim = best[cell]
        da, db = cell[0] - prev[0], cell[1] - prev[1]
        a_part = tuple(a.sentences[a0 + prev[0] + k] for k in range(da))
        b_part = tuple(b.sentences[b0 + prev[1] + k] for k in range(db))
        if a_part and b_part:
            out.append(Alignment(a_part, b_part, sim))
        else:  # a skip: one sentence on one side
            out.append(Alignment(a_part, b_part, 0.0))
        cell = prev
    return out[::-1]


def align(
    a_text: str,
    b_text: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    a_masks: Sequence[tuple[int, int]] = (),
    b_masks: Sequence[tuple[int, int]] = (),
    a_side: Side | None = None,
    b_side: Side | None = None,
) -> list[Alignment]:
    """Pair the sentences of two versions of a text, in order.

    Every sentence of both texts appears in exactly one :class:`Alignment`; those
    present in only one version come with the other side empty. Sentences pair when
    the Jaccard similarity of their folded token sets is at least ``threshold``.
    ``a_masks`` / ``b_masks`` are spans replaced by one placeholder token before
    comparing (pass the figures' spans so that "half a million" and "500,000", or a
    changed figure, do not weaken the match).

    Cost: identical sentences are matched first by hashing (linear); a banded dynamic
    programme aligns only what lies between them. ``a_side`` / ``b_side``: the versions
    already split (:class:`Side` of the same text and masks), to split each only once.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    a = a_side if a_side is not None else Side(a_text, a_masks)
    b = b_side if b_side is not None else Side(b_text, b_masks)
    out: list[Alignment] = []
    prev_a, prev_b = 0, 0
    for i, j in [*_anchors(a, b), (len(a.sentences), len(b.sentences))]:
        if i > prev_a or j > prev_b:  # most anchors follow one another: nothing between
            out.extend(_gap(a, b, (prev_a, i), (prev_b, j), threshold))
        if i < len(a.sentences):
            out.append(Alignment((a.sentences[i],), (b.sentences[j],), 1.0))
        prev_a, prev_b = i + 1, j + 1
    return out
