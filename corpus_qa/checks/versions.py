"""Versions of one story: group them, and check what they must share.

* :class:`StoryGrouper` puts documents into stories: by an explicit metadata key
  when a document has one, otherwise by near-duplicate similarity (MinHash
  signatures computed with numpy, LSH banding over a signature matrix with bounded
  buckets, candidates verified by estimated Jaccard as each band is read, union-find).
  Never all pairs.
* :func:`check_preserved_diacritics`: a word that one version writes ``Lopez``
  while another writes ``López`` is a ``diacritics_stripped`` hit in the first.
* :func:`check_consistent_metadata`: date and source must agree across versions
  (``metadata_conflict``); differing credit lines are ``credit_lines_differ``
  (informational). :func:`suggest_missing` fills a version's missing field from
  the other versions.

Design notes and measurements: ``docs/versions.md``.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import sys
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from corpus_qa.findings import Hit, Related
from corpus_qa.text.fold import COMBINING_MARKS, WORD, fold, fold_diacritics, name_key

DEFAULT_THRESHOLD = 0.3
"""Estimated Jaccard (word 3-shingles) at or above which two documents are versions.

The seeds score 0.50; two different migration stories written in the same vocabulary
score 0.06 (``tests/unit/test_versions.py``). 0.3 sits well clear of both.
"""

DEFAULT_NUM_PERM = 128
"""MinHash permutations: 512 bytes of signature per document; estimate std ≈ 0.04 at J = 0.3."""

SIGNATURE_VERSION = 2
"""Changes whenever the same text and settings would give another signature (caches key on it)."""

DEFAULT_SHINGLE_WORDS = 3
"""Words per shingle: long enough that shared topic vocabulary does not look like shared text."""

MAX_BUCKET = 64
"""Largest LSH bucket whose documents are all compared with each other.

A bucket is the documents that agree on one whole band. Stock phrases make a few
buckets huge (every article ending "… contributed to this report" can share a band),
and all pairs of a bucket of *m* documents is *m²/2* comparisons. In a bucket of more
than ``MAX_BUCKET`` documents each document is compared with the next
``MAX_BUCKET - 1`` documents of the bucket in signature order (the signature matrix's
rows are sorted, so documents whose signatures share a prefix sit next to each other):
at most ``MAX_BUCKET - 1`` comparisons per document and band. Versions of one story
share many bands, so a link lost in one oversized bucket is found in another band.
"""

_FALSE_POSITIVE_WEIGHT, _FALSE_NEGATIVE_WEIGHT = 0.3, 0.7
# An LSH band shape is usually chosen to weigh false positives and negatives equally
# (datasketch's default); we verify every candidate by its estimated Jaccard, so a false
# positive only costs time and we favour recall. At threshold 0.3 / 128 permutations this
# gives 42 bands of 3 rows.

Signature = npt.NDArray[np.uint32]


# --- words ---------------------------------------------------------------------------

_GROUPING_WORD = re.compile(r"[^\W_]+")


def grouping_words(text: str) -> list[str]:
    """The words similarity is computed on: compatibility-folded, accent-free, casefolded.

    >>> grouping_words("“López” said: U.S. crossings—10,000 daily")
    ['lopez', 'said', 'u', 's', 'crossings', '10', '000', 'daily']
    """
    return _GROUPING_WORD.findall(fold(text))


# --- grouping --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Story:
    """One story: its id and its documents' ids, ordered by date where known, then id."""

    id: str
    documents: list[str]


_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?([T ].*)?")


@lru_cache(maxsize=16)
def _lsh_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) with ``bands × rows ≤ num_perm`` that minimise the weighted
    probability of a false positive (below ``threshold``) and a false negative (above it).

    The optimiser of datasketch's ``MinHashLSH``, integrated on a fixed grid instead of
    with scipy: the probability that a pair of Jaccard *s* shares a band is
    ``1 - (1 - s**rows) ** bands``.
    """
    grid = np.linspace(0.0, 1.0, 4_001)
    below, above = grid[grid <= threshold], grid[grid >= threshold]
    best, shape = math.inf, (1, 1)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_positive = _area(1 - (1 - below**rows) ** bands, below)
            false_negative = _area((1 - above**rows) ** bands, above)
            error = (_FALSE_POSITIVE_WEIGHT * false_positive
                     + _FALSE_NEGATIVE_WEIGHT * false_negative)
            if error < best:
                best, shape = error, (bands, rows)
    return shape


def _area(y: npt.NDArray[np.float64], x: npt.NDArray[np.float64]) -> float:
    """Trapezoid rule (``numpy.trapz`` was renamed in numpy 2)."""
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2)


# --- signatures ------------------------------------------------------------------------
#
# A signature is computed on code point arrays, never on Python lists of words:
#   1. the text's code points are folded by a table (exact for the characters whose fold
#      does not depend on their neighbours; any other text goes through ``fold`` first);
#   2. each word (a run of ``[^\W_]`` characters) is hashed at once by a polynomial over
#      prefix sums (64-bit arithmetic wrapping modulo 2**64);
#   3. each shingle of ``shingle_words`` consecutive words is a 64-bit mix of its words;
#   4. one-permutation MinHash over the shingle hashes (:meth:`StoryGrouper.signatures`).
# Steps 1–4 run on ``_SIGN_BATCH`` texts at once, concatenated with ``_SEPARATOR``.

_U64 = np.uint64
_CHAR_MULTIPLIER = _U64(0x9E3779B97F4A7C15)
_POLY_BASE = 0xD6E8FEB86659FD93  # odd: invertible modulo 2**64
_POLY_INVERSE = pow(_POLY_BASE, -1, 1 << 64)
_SHINGLE_MULTIPLIERS = (
    _U64(0xFF51AFD7ED558CCD), _U64(0xC4CEB9FE1A85EC53), _U64(0x94D049BB133111EB),
)
_NO_CHAR = np.uint32(0xFFFFFFFF)  # fold table: this character must be folded in context
_FOLDS_AWAY = np.uint32(0xFFFFFFFE)  # fold table: this character folds to nothing
_SEPARATOR = np.uint32(sys.maxunicode + 1)  # between the texts of a batch: no character, no word
_SIGN_BATCH = 256  # texts hashed together: a few MB of arrays for news-sized texts
_SIGN_CHARS = 1_000_000
"""Characters hashed together at most: a batch ends before it would hold more, and a
longer text is hashed in pieces of about this size (its arrays take some 40 bytes a
character, 2 GB for a 50 MB text hashed in one piece)."""
# Blocks whose characters fold the same alone as in context (checked per character
# below, and against ``fold`` by a property test): Latin, IPA, spacing modifiers,
# combining diacritics, Greek, Cyrillic, Latin Extended Additional, Greek Extended,
# general punctuation, currency symbols, letterlike symbols, number forms, and the
# variation selectors up to the specials (the BOM, U+FFFD, fullwidth forms).
_TABLE_BLOCKS = ((0x0000, 0x0530), (0x1E00, 0x2190), (0xFE00, 0x10000))
_TABLE_SIZE = 0x10000
_REMOVED_MARK = re.compile(f"[{COMBINING_MARKS}]")


_EMPTY_BIN = np.uint64(0xFFFFFFFFFFFFFFFF)


def _densified(smallest: npt.NDArray[np.uint64], bins: int) -> npt.NDArray[np.uint32]:
    """Signatures from the smallest hash per (text, bin): its low 32 bits; an empty bin takes
    the next filled bin to its right (circularly), plus its distance times a constant."""
    filled = np.concatenate([smallest, smallest], axis=1) != _EMPTY_BIN
    position = np.where(filled, np.arange(2 * bins), 2 * bins)
    following = np.minimum.accumulate(position[:, ::-1], axis=1)[:, ::-1][:, :bins]
    following = np.minimum(following, 2 * bins - 1)  # rows with no filled bin: unused
    source = np.take_along_axis(smallest, following % bins, axis=1)
    distance = (following - np.arange(bins)).astype(np.uint64)
    with np.errstate(over="ignore"):
        return ((source + distance * _U64(0x9E3779B1)) & _U64(0xFFFFFFFF)).astype(np.uint32)


def _mix64(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser: every output bit depends on every input bit."""
    values = values ^ (values >> _U64(30))
    values = values * _U64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> _U64(27))
    values = values * _U64(0x94D049BB133111EB)
    return values ^ (values >> _U64(31))


@lru_cache(maxsize=1)
def _is_word_table() -> npt.NDArray[np.bool_]:
    r"""``[^\W_]`` (what :func:`grouping_words` splits on) for the code points below U+10000.

    Beyond, :func:`_is_word` asks ``str.isalnum``, which is what ``re`` tests for
    ``[^\W_]``; a table of every code point costs 0.17 s to build in each process.
    """
    table = np.zeros(0x10000, dtype=np.bool_)
    for match in _GROUPING_WORD.finditer("".join(map(chr, range(0x10000)))):
        table[match.start() : match.end()] = True
    return table


def _is_word(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Whether each code point is a word character (``_SEPARATOR`` is not)."""
    table = _is_word_table()
    words = table.take(codes, mode="clip")  # a code past the table reads its last entry
    if not len(codes) or codes.max() <= 0xFFFF:
        return words
    for at in np.flatnonzero(codes > 0xFFFF).tolist():
        code = int(codes[at])
        words[at] = code < _SEPARATOR and chr(code).isalnum()
    return words


@lru_cache(maxsize=1)
def _fold_table() -> npt.NDArray[np.uint32]:
    """Code point → its :func:`fold`: one code point, ``_FOLDS_AWAY`` (a removed mark) or
    ``_NO_CHAR`` (a character that must go through ``fold`` in context).

    A character qualifies when it folds to at most one character and is either a base
    character (canonical combining class 0) or one of the marks ``fold`` removes; ``ß``
    (→ ``ss``), ``İ`` or marks ``fold`` keeps do not. Its neighbours then cannot change
    its fold: canonical composition with a following removed mark is undone by the
    mark's removal.
    """
    table = np.full(_TABLE_SIZE, _NO_CHAR, dtype=np.uint32)
    for start, end in _TABLE_BLOCKS:
        for code in range(start, end):
            char = chr(code)
            if 0xD800 <= code <= 0xDFFF or unicodedata.category(char) in ("Cn", "Cs"):
                continue
            removed = _REMOVED_MARK.fullmatch(char) is not None
            if unicodedata.combining(char) and not removed:
                continue
            folded = fold(char)
            if removed and folded == "":
                table[code] = _FOLDS_AWAY
            elif len(folded) == 1 and ord(folded) < _TABLE_SIZE and not any(
                unicodedata.combining(part) and not _REMOVED_MARK.fullmatch(part)
                for part in unicodedata.normalize("NFKD", char)
            ):
                table[code] = ord(folded)
    return table


def _piece_end(text: str, at_least: int) -> int:
    """Where a piece of ``text`` that should end near ``at_least`` ends: after the first
    space or line break at or after it that an ASCII character follows (the end of the
    text if there is none)."""
    for found in _PIECE_BREAK.finditer(text, max(at_least - 1, 0)):
        return found.start() + 1
    return len(text)


_PIECE_BREAK = re.compile(r"[ \n](?=[\x00-\x7f])")


def _folded_batch(texts: Sequence[str]) -> npt.NDArray[np.uint32]:
    """The code points of ``fold(text)`` of each text, each followed by ``_SEPARATOR``.

    One table lookup for the whole batch; a text holding a character the table cannot
    fold alone goes through :func:`fold`.
    """
    joined = "\n".join(texts) + "\n"
    raw = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    folded = _fold_table().take(raw, mode="clip")  # past the table: its last entry, then
    if raw.max() >= _TABLE_SIZE:
        folded[raw >= _TABLE_SIZE] = _NO_CHAR  # folded in context
    ends = np.cumsum([len(text) + 1 for text in texts]) - 1  # where each "\n" was joined
    folded[ends] = _SEPARATOR
    top = folded.max()  # the two marks are the largest values: most batches have neither
    if top == _NO_CHAR:
        unfoldable = np.flatnonzero(folded == _NO_CHAR)
        pieces, done = [], 0
        for index in np.unique(np.searchsorted(ends, unfoldable)).tolist():
            start = int(ends[index - 1]) + 1 if index else 0
            pieces.append(folded[done:start])
            refolded = fold(texts[index]).encode("utf-32-le", "surrogatepass")
            pieces.append(np.frombuffer(refolded, dtype=np.uint32))
            done = int(ends[index])
        pieces.append(folded[done:])
        folded = np.concatenate(pieces)
        top = folded.max()
    return folded[folded != _FOLDS_AWAY] if top >= _FOLDS_AWAY else folded


def _folded_codes(text: str) -> npt.NDArray[np.uint32]:
    """The code points of ``fold(text)``.

    >>> _folded_codes("“Łódź” ﬁnal").tobytes().decode("utf-32-le")
    '"lodz" final'
    """
    return _folded_batch([text])[:-1]


_powers: list[npt.NDArray[np.uint64]] = []  # [M·P**j, P**-j for j < length], grown on demand


def _polynomial_powers(length: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """``M · P**j`` (``M``: ``_CHAR_MULTIPLIER``) and ``P**-j`` modulo 2**64 for
    ``j < length`` (cached, grown by doubling)."""
    if not _powers or len(_powers[0]) < length:
        size = max(length, 2 * len(_powers[0]) if _powers else 65_536)
        with np.errstate(over="ignore"):
            up = np.cumprod(np.full(size, _POLY_BASE, dtype=np.uint64)) * _U64(
                (_POLY_INVERSE * int(_CHAR_MULTIPLIER)) % (1 << 64))
            down = np.cumprod(np.full(size, _POLY_INVERSE, dtype=np.uint64)) * _U64(_POLY_BASE)
        _powers[:] = [up, down]
    return _powers[0], _powers[1]


def _word_hashes(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """One 64-bit hash per word of a folded text (its code points), in text order."""
    return _word_runs(codes)[0]


def _word_runs(
    codes: npt.NDArray[np.uint32],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The hash and the start of each word of folded texts (their code points), in order.

    A word ``c_s … c_e-1`` hashes to ``mix(Σ v_j · P**(j-s), length)`` with ``v_j`` a
    multiple of the code point: a difference of two prefix sums of ``v_j · P**j``, scaled
    by ``P**-s``, so every word is hashed by the same few array operations.
    """
    padded = np.zeros(len(codes) + 2, dtype=np.bool_)
    padded[1:-1] = _is_word(codes)
    edges = np.flatnonzero(padded[1:] != padded[:-1])  # word starts and ends, alternating
    if not len(edges):
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    starts, ends = edges[0::2], edges[1::2]
    up, down = _polynomial_powers(len(codes))
    with np.errstate(over="ignore"):
        # v_j · P**j = (c_j + 1) · M · P**j, in place in one array (modulo 2**64)
        prefix = np.empty(len(codes) + 1, dtype=np.uint64)
        prefix[0] = 0
        terms = prefix[1:]
        np.add(codes, _U64(1), out=terms, dtype=np.uint64)
        np.multiply(terms, up[: len(codes)], out=terms)
        np.cumsum(terms, out=terms)
        sums = (prefix.take(ends) - prefix.take(starts)) * down.take(starts)
        return _mix64(sums ^ (ends - starts).astype(np.uint64)), starts


def _shingle_hashes(words: npt.NDArray[np.uint64], k: int) -> npt.NDArray[np.uint64]:
    """The 64-bit hashes of the ``k``-word shingles (all words if fewer than ``k``), repeats
    included (a repeated shingle cannot change a minimum)."""
    k = min(k, len(words))
    count = len(words) - k + 1
    with np.errstate(over="ignore"):
        mixed = words[:count] * _SHINGLE_MULTIPLIERS[0]
        for offset in range(1, k):
            multiplier = _SHINGLE_MULTIPLIERS[offset % len(_SHINGLE_MULTIPLIERS)]
            mixed += words[offset : offset + count] * multiplier
    return _mix64(mixed)


BLOCK = 4096
"""Signature rows the grouper gathers at once (to verify candidate pairs): its working
memory is a few blocks of 512 bytes per row, whatever the corpus size."""


class SignatureRows:
    """The grouper's signatures, one row of ``width`` uint32 per signed document, in memory
    (a NumPy array grown by doubling). The grouper reads them only through
    :meth:`columns` (a few columns of every row: the LSH bands) and :meth:`take` (the
    rows of a block of candidate pairs), so a store kept elsewhere can stand in for it:
    :class:`corpus_qa.diskmap.SignatureFile` keeps them in a file of the run's directory.

    >>> rows = SignatureRows(4)
    >>> rows.append(np.arange(4, dtype=np.uint32)); rows.append(np.ones(4, dtype=np.uint32))
    >>> (len(rows), rows.columns(1, 3).tolist(), rows.take(np.array([1]))[0].tolist())
    (2, [[1, 2], [1, 1]], [1, 1, 1, 1])
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self._rows = np.empty((64, width), dtype=np.uint32)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def append(self, signature: Signature) -> None:
        row = self._count
        if row == len(self._rows):
            grown = np.empty((2 * row, self.width), dtype=np.uint32)
            grown[:row] = self._rows
            self._rows = grown
        self._rows[row] = signature
        self._count = row + 1

    def columns(self, start: int, stop: int) -> npt.NDArray[np.uint32]:
        """Columns ``start:stop`` of every row (a copy)."""
        return self._rows[: self._count, start:stop].copy()

    def take(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.uint32]:
        """The rows at ``rows`` (a copy)."""
        return self._rows[: self._count][rows]

    def matrix(self) -> npt.NDArray[np.uint32]:
        """Every row (a view where the store allows: read only)."""
        return self._rows[: self._count]


class StoryGrouper:
    """Group documents into stories, streaming: call :meth:`add` per document, then :meth:`groups`.

    A document with a ``key`` (the suite's story field) belongs to that key's story;
    documents with different keys are never merged. A document without a key joins
    the story of the documents it is similar to: estimated Jaccard similarity of word
    ``shingle_words``-grams ≥ ``threshold``, found through LSH banding (never all
    pairs). Only signatures are kept (``num_perm`` × 4 bytes per document), not texts.

    >>> grouper = StoryGrouper()
    >>> grouper.add("b", "Officials met in Mexico City on Wednesday to discuss the border.")
    >>> grouper.add("a", "Officials met in Mexico City on Wednesday to discuss the crossings.")
    >>> grouper.add("c", "An unrelated note about the weather in Oslo this weekend.")
    >>> [story.documents for story in grouper.groups()]
    [['c'], ['a', 'b']]
    """

    def __init__(
        self,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
        shingle_words: int = DEFAULT_SHINGLE_WORDS,
        seed: int = 1,
        signatures: SignatureRows | None = None,
        seen: MutableMapping[str, None] | None = None,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
        if num_perm < 16:
            raise ValueError(f"num_perm must be at least 16, got {num_perm!r}")
        if shingle_words < 1:
            raise ValueError(f"shingle_words must be at least 1, got {shingle_words!r}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_words = shingle_words
        self.seed = seed
        self._bands, self._rows = _lsh_shape(threshold, num_perm)
        # The seed salts every shingle hash.
        self._salt = _U64((seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) % (1 << 64))
        self._min_equal = math.ceil(threshold * num_perm - 1e-9)
        self._ids = _Ids()
        # The ids added, for the duplicate check: a dict, or a store that keeps them
        # elsewhere (a run passes :class:`corpus_qa.diskmap.SeenIds`).
        self._seen: MutableMapping[str, None] = {} if seen is None else seen
        self._keys: list[str | None] = []
        self._dates: list[str | None] = []
        # The signatures (in memory, or in a file: ``signatures``), and the index of the
        # document each belongs to (not every document has one): ~4 × num_perm + 8 bytes
        # per document.
        if signatures is not None and (signatures.width != num_perm or len(signatures)):
            raise ValueError(f"signatures must be an empty store of {num_perm} columns")
        self._signatures = signatures if signatures is not None else SignatureRows(num_perm)
        self._signed_at = np.empty(64, dtype=np.int64)
        self._count = 0

    def __len__(self) -> int:
        """Number of documents added."""
        return len(self._ids)

    def add(self, doc_id: str, text: str, key: str | None = None, date: str | None = None) -> None:
        """Add one document; ``key`` is its story key if the corpus has one, ``date`` ISO 8601."""
        self.add_signature(doc_id, self.signature(text), key, date)

    def add_signature(self, doc_id: str, signature: Signature | None, key: str | None = None,
                      date: str | None = None) -> None:
        """Add one document by a signature computed elsewhere (e.g. in a worker process)
        with :meth:`signature` of a grouper with the same settings."""
        if doc_id in self._seen:
            raise ValueError(f"document {doc_id!r} was already added to this grouper")
        if date is not None and not _ISO_DATE.fullmatch(date):
            raise ValueError(
                f"document {doc_id!r}: date {date!r} is not ISO 8601 (YYYY-MM-DD); "
                "resolve dates before grouping so that versions sort chronologically"
            )
        index = len(self._ids)
        self._ids.append(doc_id)
        self._seen[doc_id] = None
        # Keys and dates repeat across documents: one string object each, not one per document.
        key = story_key(key)
        self._keys.append(None if key is None else sys.intern(key))
        self._dates.append(None if date is None else sys.intern(date))
        if signature is not None:
            self._store(index, signature)

    def signature(self, text: str) -> Signature | None:
        """MinHash signature of ``text``'s word shingles; ``None`` when it has no words."""
        return self.signatures([text])[0]

    def signatures(self, texts: Sequence[str]) -> list[Signature | None]:
        """:meth:`signature` of each text, hashed ``_SIGN_BATCH`` texts at a time.

        The words are those of :func:`grouping_words`, the shingles ``shingle_words``
        consecutive words (all the words of a shorter text), each hashed once to 64 bits
        and salted by the seed. One-permutation MinHash: the hash range is cut into
        ``num_perm`` equal bins, and position *j* holds the low 32 bits of the smallest
        hash in bin *j*, so two texts agree at *j* with probability their Jaccard
        similarity, as with ``num_perm`` independent permutations, for one hash per
        shingle instead of ``num_perm``. A bin no shingle fell into (texts of fewer than a
        few hundred shingles) borrows from the next filled bin to its right, circularly,
        mixed with the distance ("rotation" densification, Shrivastava & Li 2014), so two
        texts agree there exactly when they agree on the bin it borrowed from.
        """
        out: list[Signature | None] = []
        batch: list[str] = []
        size = 0
        for text in texts:
            if batch and (len(batch) == _SIGN_BATCH or size + len(text) > _SIGN_CHARS):
                out += self._sign_batch(batch)
                batch, size = [], 0
            if len(text) > _SIGN_CHARS:
                out.append(self._sign_long(text))
            else:
                batch.append(text)
                size += len(text)
        if batch:
            out += self._sign_batch(batch)
        return out

    def _sign_long(self, text: str) -> Signature | None:
        """:meth:`signature` of a long text, hashed in pieces of about ``_SIGN_CHARS``
        characters: the same signature in a bounded memory. Each piece ends after a
        space or a line break followed by an ASCII character (no word, nor a character
        that folds with the one before, spans two pieces); its shingles are those of its
        words after the last ``shingle_words - 1`` words before it, and the minima of
        the pieces' bins are the minima of the whole text's."""
        k = self.shingle_words
        smallest = np.full(self.num_perm, _EMPTY_BIN, dtype=np.uint64)
        carried = np.empty(0, dtype=np.uint64)  # the last k - 1 words so far
        start = 0
        while start < len(text):
            end = _piece_end(text, start + _SIGN_CHARS)
            codes = _folded_batch([text[start:end]])
            words = np.concatenate([carried, _word_runs(codes)[0]])
            del codes
            if len(words) >= k:
                with np.errstate(over="ignore"):
                    hashes = _mix64(_shingle_hashes(words, k) ^ self._salt)
                    np.minimum.at(smallest, self._bins(hashes), hashes)
            carried = words[len(words) - (k - 1):] if k > 1 else words[:0]
            start = end
        if len(carried) and len(carried) < k and (smallest == _EMPTY_BIN).all():
            with np.errstate(over="ignore"):  # fewer than k words: one shingle of them all
                hashes = _mix64(_shingle_hashes(carried, k) ^ self._salt)
                np.minimum.at(smallest, self._bins(hashes), hashes)
        if (smallest == _EMPTY_BIN).all():
            return None
        return _densified(smallest.reshape(1, self.num_perm), self.num_perm)[0]

    def _bins(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """bin = floor(hash · num_perm / 2**64) of each hash, exactly, in 64-bit arithmetic."""
        with np.errstate(over="ignore"):
            high = (hashes >> _U64(32)) * _U64(self.num_perm)
            low = ((hashes & _U64(0xFFFFFFFF)) * _U64(self.num_perm)) >> _U64(32)
            return ((high + low) >> _U64(32)).astype(np.int64)

    def _sign_batch(self, texts: Sequence[str]) -> list[Signature | None]:
        codes = _folded_batch(texts)
        words, starts = _word_runs(codes)
        # the words before each text's separator (no word holds one), so each text's
        # count of words, and each word's text
        before = np.searchsorted(starts, np.flatnonzero(codes == _SEPARATOR))
        per_doc = np.diff(before, prepend=0)
        doc_of_word = np.repeat(np.arange(len(texts)), per_doc)
        k = self.shingle_words
        with np.errstate(over="ignore"):
            # shingles that start and end in one text; a text of fewer than k words is one shingle
            shingles = _shingle_hashes(words, k)
            docs = doc_of_word[: len(shingles)]
            inside = docs == doc_of_word[k - 1 :] if len(words) >= k else docs[:0] == 0
            shingles, docs = shingles[inside], docs[inside]
            short = np.flatnonzero((per_doc > 0) & (per_doc < k))
            if len(short):
                firsts = np.searchsorted(doc_of_word, short)
                extra = [_shingle_hashes(words[f : f + n], k) for f, n in
                         zip(firsts.tolist(), per_doc[short].tolist(), strict=True)]
                shingles = np.concatenate([shingles, *extra])
                docs = np.concatenate([docs, short])
            hashes = _mix64(shingles ^ self._salt)
            bins = self._bins(hashes)
            smallest = np.full(len(texts) * self.num_perm, _EMPTY_BIN, dtype=np.uint64)
            np.minimum.at(smallest, docs * self.num_perm + bins, hashes)
            smallest = smallest.reshape(len(texts), self.num_perm)
            values = _densified(smallest, self.num_perm)
        return [values[i] if per_doc[i] else None for i in range(len(texts))]

    def _store(self, index: int, signature: Signature) -> None:
        row = self._count
        if row == len(self._signed_at):
            self._signed_at = np.concatenate([self._signed_at, np.empty(row, dtype=np.int64)])
        self._signatures.append(signature)
        self._signed_at[row] = index
        self._count = row + 1

    def groups(self) -> list[Story]:
        """All stories (singletons included), sorted by story id; independent of insertion order."""
        return self.stories_from(self._links())

    def several(self) -> list[Story]:
        """The stories of two or more documents, sorted by story id: those of
        :meth:`groups` without the singletons, which are never built (a corpus of
        distinct stories would hold a story object per document). A document in none
        of them is a story of its own, whose id is :func:`story_id` of its id and key.
        """
        return self.stories_from(self._links(), several=True)

    def _links(self) -> Iterator[tuple[int, int]]:
        return ((a, b) for _, a, b in self._similar_pairs(_ranks(self._ids)))

    def stories_from(self, links: Iterable[tuple[int, int]], *,
                     several: bool = False) -> list[Story]:
        """The stories that ``links`` (pairs of document indices, in the order they are
        applied) make: documents of one key form one story, a link joins two stories
        unless both carry different keys (so where keys conflict, the order of the links
        decides). :meth:`groups` applies the verified pairs most similar first; another
        engine that finds the same pairs (:mod:`corpus_qa.engine.sparkstories`) passes
        its own links here, so story ids and order are made in one place. With
        ``several``, only the stories of two or more documents (:meth:`several`)."""
        forest = _KeyedForest(self._keys)
        for a, b in links:
            forest.union(a, b)
        keys = self._keys
        # A document without a key that no link touched is a story of its own; the
        # other documents are counted by story first, so that with ``several`` only the
        # members of stories of two or more are gathered.
        counted: dict[int | str, int] = {}
        for index, key in enumerate(keys):
            if key is not None or forest.touched(index):
                root = forest.find(index)
                counted[root] = counted.get(root, 0) + 1
        members: dict[int | str, list[int]] = {}
        stories = []
        for index, key in enumerate(keys):
            if key is None and not forest.touched(index):
                if not several:
                    stories.append(self._story([index], None))
                continue
            root = forest.find(index)
            if counted[root] > 1 or not several:
                members.setdefault(root, []).append(index)
        del counted
        stories += [self._story(indices, forest.key(root)) for root, indices in members.items()]
        return sorted(stories, key=lambda story: story.id)

    def _story(self, indices: list[int], key: str | None) -> Story:
        ordered = sorted(indices, key=self._chronological)
        return Story(story_id([self._ids[i] for i in indices], key),
                     [self._ids[i] for i in ordered])

    def _chronological(self, index: int) -> tuple[bool, str, str]:
        date = self._dates[index]
        return (date is None, date or "", self._ids[index])

    @property
    def ids(self) -> Sequence[str]:
        """The documents' ids, in the order they were added (a document's index)."""
        return self._ids

    @property
    def keys(self) -> list[str | None]:
        """Each document's story key (stripped), or None, by index."""
        return self._keys

    @property
    def lsh(self) -> tuple[int, int, int]:
        """(bands, rows per band, equal positions a verified pair needs)."""
        return self._bands, self._rows, self._min_equal

    def signed(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
        """The index of each document that has a signature, and those signatures (rows)."""
        return self._signed_at[: self._count].copy(), self._signatures.matrix()

    def ordered_links(self, links: Iterable[tuple[int, int, int]]) -> list[tuple[int, int]]:
        """Links ``(equal positions, a, b)`` in the order :meth:`groups` applies them:
        most similar first, ties by the ids of the pair."""
        ranks = _ranks(self._ids).tolist()
        ordered = sorted(links, key=lambda link: (-link[0],
                                                  *sorted((ranks[link[1]], ranks[link[2]]))))
        return [(a, b) for _, a, b in ordered]

    def _similar_pairs(self, rank: npt.NDArray[np.int64]) -> Iterator[tuple[int, int, int]]:
        """Verified similar pairs ``(equal, a, b)`` of document indices, most similar first,
        ties by id.

        Documents with identical signatures are linked to one representative (the
        smallest id) and only representatives go through LSH, so a thousand copies of
        one text cost a thousand links, not half a million comparisons. Nothing of the
        size of the signature matrix is copied: the representatives are row numbers of
        the store, in the order of their signatures (:func:`_identical_groups`).
        """
        if self._count < 2:
            return
        signed = self._signed_at[: self._count]
        inverse, groups = _identical_groups(self._signatures)
        representative = _representatives(inverse, rank[signed], groups)
        rep_docs = signed[representative]  # document index of each distinct signature
        copies = np.flatnonzero(signed != rep_docs[inverse])
        equal = [np.full(len(copies), self.num_perm, dtype=np.int64)]
        firsts, seconds = [signed[copies]], [rep_docs[inverse[copies]]]
        del inverse, copies
        similar = _similar_rows(self._signatures, representative, self._bands, self._rows,
                                self._min_equal)
        equal.append(similar[2])
        firsts.append(rep_docs[similar[0]])
        seconds.append(rep_docs[similar[1]])
        del similar, representative, rep_docs
        counts, a, b = np.concatenate(equal), np.concatenate(firsts), np.concatenate(seconds)
        low, high = np.minimum(rank[a], rank[b]), np.maximum(rank[a], rank[b])
        order = np.lexsort((high, low, -counts))  # most similar first, then by the ids
        yield from zip(counts[order].tolist(), a[order].tolist(), b[order].tolist(), strict=True)


def story_id(ids: Iterable[str], key: str | None) -> str:
    """A story's id: its key (stripped) where it has one, else ``story-`` and the first
    12 hex digits of the SHA-1 of its documents' ids, sorted, one per line.

    >>> story_id(["b", "a"], None) == story_id(["a", "b"], None), story_id(["a"], " k ")
    (True, 'k')
    """
    key = story_key(key)
    if key is not None:
        return key
    digest = hashlib.sha1("\n".join(sorted(ids)).encode()).hexdigest()
    return f"story-{digest[:12]}"


def story_key(key: str | None) -> str | None:
    """A story key as the grouper compares it: stripped; blank is no key."""
    return key.strip() if key and key.strip() else None


class _Ids(Sequence[str]):
    """Ids, appended in order, kept as one UTF-8 buffer and the end of each: about the
    id's length + 8 bytes each, where a list of strings costs some 60 bytes more per id
    (the string object).

    >>> ids = _Ids(); ids.append("a"); ids.append("café")
    >>> (len(ids), ids[1], ids[-2], list(ids))
    (2, 'café', 'a', ['a', 'café'])
    """

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("q")

    def append(self, doc_id: str) -> None:
        # Ids may carry lone surrogates (undecodable file names): kept exactly.
        self._data += doc_id.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._data))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        if index < 0:
            index += len(self._ends)
        end = self._ends[index]
        start = self._ends[index - 1] if index else 0
        return self._data[start:end].decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        start = 0
        for end in self._ends:
            yield self._data[start:end].decode("utf-8", "surrogatepass")
            start = end


def _ranks(ids: Sequence[str]) -> npt.NDArray[np.int64]:
    """Position of each id in sorted order, so ties break the same way whatever the input order."""
    order = np.argsort(np.array(list(ids), dtype=object), kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids), dtype=np.int64)
    return rank


def _identical_groups(store: SignatureRows) -> tuple[npt.NDArray[np.int64], int]:
    """The group of each row of ``store`` (rows with identical signatures share one),
    numbered in the lexicographic order of the signatures, and the number of groups:
    ``np.unique(matrix, axis=0, return_inverse=True)`` without a copy of the matrix.

    Rows are sorted by their first two columns (8 bytes a row); then, while some rows
    still tie with a neighbour, the next ``_TIE_COLUMNS`` columns of those (of every row,
    read in order, where they are more than 1/``_TIE_SWEEP`` of them; else only theirs,
    ``BLOCK`` rows at a time) sort them within their group. Short texts that share
    their commonest phrases often share their first minimum hashes, so the rows that tie
    on the first columns can be most of the corpus: they cost 4 bytes per column read,
    never a copy of their whole signatures.
    """
    n = len(store)
    head = store.columns(0, 2).astype(np.uint64)
    start = (head[:, 0] << np.uint64(32)) | head[:, 1]
    del head
    order = np.argsort(start, kind="stable")
    # new[k]: the row at sorted place k starts a group (differs from the one before)
    new = np.ones(n, dtype=np.bool_)
    new[1:] = start[order][1:] != start[order][:-1]
    del start
    column = 2
    while column < store.width:
        alone = new.copy()
        alone[:-1] &= new[1:]
        tied = np.flatnonzero(~alone)  # sorted places of rows in a group of two or more
        del alone
        if not len(tied):
            break
        stop = min(store.width, column + _TIE_COLUMNS)
        rows = order[tied]
        if _TIE_SWEEP * len(rows) > n:  # many: the columns of every row, read in order
            values = store.columns(column, stop)[rows]
        else:
            values = np.concatenate([store.take(rows[i : i + BLOCK])[:, column:stop].copy()
                                     for i in range(0, len(rows), BLOCK)])
        group = np.cumsum(new)[tied]
        # lexsort: the last key first; stable, so rows that still tie keep their order
        within = np.lexsort((*values.T[::-1], group))
        order[tied] = rows[within]
        values, group = values[within], group[within]
        starts = np.ones(len(tied), dtype=np.bool_)
        starts[1:] = (group[1:] != group[:-1]) | (values[1:] != values[:-1]).any(axis=1)
        new[tied] = starts
        del rows, values, group, within, starts, tied
        column = stop
    number = np.cumsum(new) - 1
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = number
    return inverse, int(number[-1]) + 1 if n else 0


_TIE_COLUMNS = 8
"""Columns :func:`_identical_groups` reads at a time for the rows that still tie."""

_TIE_SWEEP = 16
"""Rows that still tie are read alone while they are at most 1/``_TIE_SWEEP`` of all."""


def _representatives(
    inverse: npt.NDArray[np.int64], ranks: npt.NDArray[np.int64], groups: int
) -> npt.NDArray[np.int64]:
    """For each group of identical signatures, the row whose document id sorts first."""
    best = np.full(groups, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, inverse, ranks)
    rows = np.empty(groups, dtype=np.int64)
    is_best = ranks == best[inverse]
    rows[inverse[is_best]] = np.nonzero(is_best)[0]
    return rows


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _band_keys(band: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """One 64-bit bucket key per row of a band (a rare collision only adds a candidate)."""
    keys = np.zeros(len(band), dtype=np.uint64)
    for column in band.T:
        keys = (keys ^ column.astype(np.uint64)) * _MIX
        keys ^= keys >> np.uint64(29)
    return keys


def band_keys(signatures: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.int64]:
    """The bucket key of each signature (row) in each band, shape ``(n, bands)``, as signed
    64-bit integers (the same bits: a store whose integers are signed, such as Spark's
    LongType, holds them without overflow; equality is all banding needs)."""
    keys = np.empty((len(signatures), bands), dtype=np.uint64)
    for band in range(bands):
        keys[:, band] = _band_keys(signatures[:, band * rows : (band + 1) * rows])
    return keys.view(np.int64)


def in_reach(offset: npt.NDArray[np.int64] | int) -> npt.NDArray[np.bool_] | bool:
    """Whether two members of one bucket, ``offset`` apart in signature order, are compared:
    every pair of a bucket of up to ``MAX_BUCKET``, and in a larger one each member with
    the next ``MAX_BUCKET - 1`` (see :data:`MAX_BUCKET`). ``offset`` may be an array or a
    Spark column: the same expression serves both engines."""
    return (offset > 0) & (offset < MAX_BUCKET)


def equal_positions(first: npt.NDArray[np.uint32],
                    second: npt.NDArray[np.uint32]) -> npt.NDArray[np.integer[Any]]:
    """How many positions each pair of signatures (rows of ``first`` and ``second``) shares:
    a candidate pair is verified when this reaches the grouper's ``min_equal`` (as
    ``uint8`` where fewer than 256 columns, else ``int64``)."""
    equal = (first == second).view(np.uint8)
    # Summed as bytes where a row's count fits one (twice as fast as counting in int64).
    return equal.sum(axis=1, dtype=np.uint8 if equal.shape[1] < 256 else np.int64)


def _similar_rows(
    store: SignatureRows, distinct: npt.NDArray[np.int64], bands: int, rows: int,
    min_equal: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """LSH banding with verification as candidates are found: pairs ``(i, j, equal)``,
    ``i < j``, of signatures (``store``'s rows ``distinct[i]``, in the order of their
    values) that agree on a whole band and in at least ``min_equal`` positions; as three
    arrays ``i``, ``j``, ``equal``.

    For each band, rows are sorted by a 64-bit key of the band; a bucket is a run of equal
    keys. Row ``order[k]`` is compared with ``order[k + offset]`` for ``offset`` = 1, 2, …
    while some bucket is longer than ``offset`` and ``offset < MAX_BUCKET``: every pair of a
    bucket of up to ``MAX_BUCKET`` rows, and in a larger bucket each row with the next
    ``MAX_BUCKET - 1``. Candidates are verified (count of equal positions) one offset at a
    time, ``BLOCK`` pairs at once, and only the verified pairs are kept, so memory is
    O(rows + verified pairs), never O(candidate pairs); each offset looks only at the
    places still inside a bucket.
    """
    n = len(distinct)
    found: list[npt.NDArray[np.int64]] = []
    counts: list[npt.NDArray[np.int64]] = []
    for band in range(bands):
        keys = _band_keys(store.columns(band * rows, (band + 1) * rows)[distinct])
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        del keys
        adjacent = sorted_keys[1:] == sorted_keys[:-1]
        del sorted_keys
        # The rows of buckets of two or more, in bucket order, and the bucket of each:
        # the pairs of a band are pairs of these, a bucket being a run of equal numbers.
        bucketed = np.zeros(n, dtype=np.bool_)
        bucketed[1:] = adjacent
        bucketed[:-1] |= adjacent
        bucket = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(~adjacent)])[bucketed]
        members = order[bucketed]
        del order, adjacent, bucketed
        for first, second, equal in _bucket_pairs(store, distinct, members, bucket):
            keep = equal >= min_equal
            if keep.any():
                a, b = first[keep], second[keep]
                found.append(np.minimum(a, b) * n + np.maximum(a, b))
                counts.append(equal[keep])
    if not found:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    codes, where = np.unique(np.concatenate(found), return_index=True)
    return codes // n, codes % n, np.concatenate(counts)[where].astype(np.int64)


def _bucket_pairs(
    store: SignatureRows, distinct: npt.NDArray[np.int64], members: npt.NDArray[np.int64],
    bucket: npt.NDArray[np.int64],
) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """The pairs of one band in reach (:func:`in_reach`), with their equal positions:
    ``(i, j, equal)`` arrays, ``i`` and ``j`` the indices into ``distinct`` of rows
    ``members[k]`` and ``members[k + offset]`` of the same ``bucket``.

    ``members`` is read ``BLOCK`` rows at a time, with the ``MAX_BUCKET - 1`` rows after
    them that the last ones may be compared with: each row's signature is read once per
    band and block (not twice per pair, as when each pair's rows were gathered), and a
    block is compared with itself shifted by each offset.
    """
    m = len(members)
    for start in range(0, m, BLOCK):
        stop, reach = min(m, start + BLOCK), min(m, start + BLOCK + MAX_BUCKET - 1)
        block = store.take(distinct[members[start:reach]])
        within = bucket[start:reach]
        offset = 1
        while in_reach(offset) and offset < reach - start:
            # k: the block's rows whose row ``offset`` further is in the same bucket (so
            # are the rows between them: a bucket is a run). None at this offset, none
            # at a larger one.
            last = min(stop, reach - offset) - start
            k = np.flatnonzero(within[:last] == within[offset : last + offset])
            if not len(k):
                break
            if 2 * len(k) > len(within) - offset:
                # most rows are compared: the block against itself shifted, no copies
                equal = equal_positions(block[: len(within) - offset], block[offset:])[k]
            else:
                equal = equal_positions(block[k], block[k + offset])
            yield members[start + k], members[start + k + offset], equal.astype(np.int64)
            offset += 1


class _KeyedForest:
    """Union-find over documents (by index) where a set may carry one story key and two
    keys never merge.

    Held only for what links touch: a document with a key is its key's node (the key
    string: documents of one key are one story from the start), a document without one
    is its index, and a node no link reached is a set of its own, kept nowhere (a
    corpus of distinct stories costs nothing per document here).
    """

    def __init__(self, keys: list[str | None]) -> None:
        self._keys = keys
        self._parent: dict[int | str, int | str] = {}

    def _node(self, index: int) -> int | str:
        key = self._keys[index]
        return index if key is None else key

    def touched(self, index: int) -> bool:
        """Whether a link reached the document ``index`` (without a key)."""
        return index in self._parent

    def find(self, index: int) -> int | str:
        """The root of the set of the document ``index``."""
        return self._root(self._node(index))

    def _root(self, node: int | str) -> int | str:
        parent = self._parent
        root = node
        while (up := parent.get(root, root)) != root:
            root = up
        while node != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    @staticmethod
    def key(root: int | str) -> str | None:
        """The story key of a set, by its root: the root is the key's node."""
        return root if isinstance(root, str) else None

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        keyed_a, keyed_b = isinstance(root_a, str), isinstance(root_b, str)
        if keyed_a and keyed_b:
            return  # two keys never merge
        if keyed_b:  # the key's node stays the root: it names the set
            root_a, root_b = root_b, root_a
        parent = self._parent
        parent.setdefault(root_a, root_a)
        parent[root_b] = root_a


def _require_unique_ids(versions: Sequence[tuple[str, object]]) -> None:
    """Versions are told apart by id: a repeated id is a caller's bug, not a finding."""
    repeated = [doc for doc, count in Counter(doc for doc, _ in versions).items() if count > 1]
    if repeated:
        raise ValueError(f"versions of a story must have distinct ids; repeated: {repeated}")


# --- diacritics ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Stripped:
    """One plain word of a version whose accented form another version uses."""

    plain: str
    accented: str
    source: str
    first: tuple[int, int]
    accented_span: tuple[int, int]
    count: int


class _Piece:
    """One stretch of a version between blank lines (``\\n\\n``), with its words that are not
    ASCII: the versions of a story share most stretches, so each is read once per story. No
    word reaches across a line break, so a text's words are its pieces' words."""

    __slots__ = ("_asked", "_firsts", "non_ascii", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.non_ascii = [word for word in dict.fromkeys(_NON_ASCII_WORD.findall(text)) if word]
        """The distinct words that are not ASCII — the only ones that can carry an accent —
        in order of first use (found by the regex engine alone: an ASCII word, most of
        them, is matched but not copied out)."""
        self._firsts: dict[str, tuple[int, int]] = {}
        self._asked = 0

    def first(self, word: str) -> tuple[int, int]:
        """The span of the first use of ``word`` (one of its words), found when first asked:
        only the accented forms a version keeps need one. Each search may read the whole
        stretch, so after :data:`_READS_BEFORE_A_TABLE` of them the first span of every
        word is read in one pass instead."""
        span = self._firsts.get(word)
        if span is None:
            if self._asked >= 0:
                self._asked += 1
                if self._asked > _READS_BEFORE_A_TABLE:
                    self._asked = -1  # the table holds every word's first span from now on
                    firsts = self._firsts
                    for match in WORD.finditer(self.text):
                        firsts.setdefault(match.group(), match.span())
                    span = firsts.get(word)
            if span is None:
                span = self._firsts[word] = _first_span(self.text, word)
        return span


_READS_BEFORE_A_TABLE = 64
"""Searches of a text, each of which may read all of it, that :meth:`_Piece.first` and
:meth:`_Words.has` make before they read the text's words into a table once (a few on
news, whose accented words are mostly names written the same way in every version; a
text of thousands of accented words would otherwise be read thousands of times)."""


_NON_ASCII_WORD = re.compile(
    f"[A-Za-z][A-Za-z0-9]*+(?![^\\W_]|[{COMBINING_MARKS}])|({WORD.pattern})")
"""The matches of :data:`WORD`, the ones that are not ASCII in its group (``findall`` gives
"" for the others): an ASCII word is a run of ASCII letters and digits that no other word
character or mark continues, and any other match is :data:`WORD`'s from the same letter."""

_CONTINUES = re.compile(f"[^\\W_]|[{COMBINING_MARKS}]")
"""One character a :data:`WORD` match can go on with (letter, digit or combining mark)."""


def _first_span(text: str, word: str) -> tuple[int, int]:
    """The span of the first match of :data:`WORD` in ``text`` that is ``word`` (one of
    its matches)."""
    span = _word_span(text, word)
    if span is None:
        raise ValueError(f"{word!r} is not a word of the text")
    return span


def _word_span(text: str, word: str) -> tuple[int, int] | None:
    """The span of the first match of :data:`WORD` in ``text`` that is ``word``, or
    ``None``: ``str.find`` proposes the places, and each is checked against the one match
    of the run of word characters it lies in (a match runs from the first letter of such a
    run to its end, so ``word`` found inside a longer run is not a match of it)."""
    at = text.find(word)
    while at >= 0:
        start = at
        while start and _CONTINUES.match(text, start - 1):
            start -= 1  # back to the start of the run ``at`` is in
        match = WORD.search(text, start)
        if match is None:
            return None
        if match.start() == at and match.end() == at + len(word):
            return match.span()
        at = text.find(word, max(at + 1, match.end()))
    return None


class _Words:
    """The words of one version, for the diacritics check: found once per version and
    read by every pair the version is in."""

    __slots__ = ("_accents", "_asked", "_parts", "_words", "folds", "pieces", "text")

    def __init__(self, text: str, folds: dict[str, str] | None = None,
                 pieces: dict[str, _Piece] | None = None) -> None:
        self.text = text
        self.folds = {} if folds is None else folds
        """Word → :func:`fold_diacritics` of it, shared by the versions of a story."""
        self.pieces = {} if pieces is None else pieces
        """Piece of text → its words (:class:`_Piece`), shared by the versions of a story."""
        self._parts: list[tuple[int, _Piece]] | None = None
        self._accents: dict[str, tuple[str, tuple[int, int]]] | None = None
        self._asked = 0
        self._words: set[str] | None = None

    @property
    def parts(self) -> list[tuple[int, _Piece]]:
        """Its pieces (:class:`_Piece`) with where each starts, in order."""
        if self._parts is None:
            parts, start, pieces = [], 0, self.pieces
            for text in self.text.split("\n\n"):
                piece = pieces.get(text)
                if piece is None:
                    piece = pieces[text] = _Piece(text)
                parts.append((start, piece))
                start += len(text) + 2
            self._parts = parts
        return self._parts

    def has(self, word: str) -> bool:
        """Whether ``word`` is one of its words (a match of :data:`WORD`): asked only of
        the plain forms of accented words, which most texts do not hold even as a
        substring, so no table of every word is made — until it has been asked
        :data:`_READS_BEFORE_A_TABLE` times: each answer without it reads the whole text, so
        a text with thousands of accented words (or none of its words apart) is answered
        from the set of its words, made once."""
        if self._words is not None:
            return word in self._words
        self._asked += 1
        if self._asked > _READS_BEFORE_A_TABLE:
            self._words = set(WORD.findall(self.text))
            return word in self._words
        return word in self.text and _word_span(self.text, word) is not None

    @property
    def accents(self) -> dict[str, tuple[str, tuple[int, int]]]:
        """:func:`_consistent_accents` of the text."""
        if self._accents is None:
            self._accents = _consistent_accents(self.text, self)
        return self._accents


def _consistent_accents(text: str, words: _Words | None = None
                        ) -> dict[str, tuple[str, tuple[int, int]]]:
    """Folded form → (accented form, first span) for words this version always accents.

    A version that writes both ``el`` and ``él`` is no evidence that ``el`` lost an
    accent, so folded forms it also writes plain are left out. Each distinct word is
    folded once; a kept form's first span is read off the pieces' first spans.
    """
    if text.isascii():  # decomposed accents are not ASCII either
        return {}
    words = words or _Words(text)
    known = words.folds
    folds = {}
    for _, piece in words.parts:  # the non-ASCII words of unique, piece by piece
        for word in piece.non_ascii:
            if word not in folds:
                folded = known.get(word)
                if folded is None:
                    folded = known[word] = fold_diacritics(word)
                folds[word] = folded
    accented = {word for word, folded in folds.items() if folded != word}
    # Folded forms not written plain (plain: the words that are their own folding).
    kept = {folded for word in accented
            if (folded := folds[word]) in accented or not words.has(folded)}
    found: dict[str, tuple[str, tuple[int, int]]] = {}
    if not kept:
        return found
    for start, piece in words.parts:  # each piece's accented words in order of first use
        for word in piece.non_ascii:
            if word in accented and folds[word] in kept and folds[word] not in found:
                s, e = piece.first(word)
                found[folds[word]] = (word, (start + s, start + e))
        if len(found) == len(kept):
            break
    return found


def _stripped_words(
    words: _Words, others: list[tuple[str, dict[str, tuple[str, tuple[int, int]]]]]
) -> list[_Stripped]:
    """Plain words of a version that another version writes with diacritics, in text order."""
    text = words.text
    wanted = set().union(*(accents for _, accents in others))
    stripped = {word for word in wanted if words.has(word) and fold_diacritics(word) == word}
    if not stripped:
        return []
    first: dict[str, tuple[int, int]] = {}
    counts: Counter[str] = Counter()
    for match in WORD.finditer(text):
        word = match.group()
        if word in stripped:
            first.setdefault(word, match.span())
            counts[word] += 1
    found = []
    for word, span in first.items():
        source, accents = next((o, a) for o, a in others if word in a)
        accented, accented_span = accents[word]
        found.append(_Stripped(word, accented, source, span, accented_span, counts[word]))
    return found


def _may_strip(texts: Sequence[str]) -> bool:
    """Whether a version may write plain a word another one accents: some word that is not
    ASCII folds to another form, found in a text. ``False`` settles a story without a table
    of words per version (most stories: their accented names are never written plain).

    Exact as a screen: a stripped word is a word of its version (so inside one of its
    pieces between blank lines, having no line break) and the folded form of an accented
    word of another version, a word that is not ASCII. The story's distinct pieces are read
    once, joined by line breaks (no word reaches across one).

    >>> _may_strip(["Mr López", "Mr López said"]), _may_strip(["Mr Lopez", "Mr López"])
    (False, True)
    """
    pieces = "\n".join(dict.fromkeys(piece for text in texts for piece in text.split("\n\n")))
    if pieces.isascii():
        return False
    for word in dict.fromkeys(_NON_ASCII_WORD.findall(pieces)):
        if word:
            folded = fold_diacritics(word)
            if folded != word and ("\n" in folded or folded in pieces):
                return True
    return False


def _diacritics_message(stripped: list[_Stripped]) -> str:
    pairs = ", ".join(
        f"{s.plain}/{s.accented}" + (f" ({s.count}×)" if s.count > 1 else "") for s in stripped
    )
    sources = sorted({s.source for s in stripped})
    if len(sources) == 1:
        where = f"{sources[0]} keeps"
    else:
        where = "other versions (" + ", ".join(sources) + ") keep"
    noun = "word has" if len(stripped) == 1 else "words have"
    return (
        f"{len(stripped)} {noun} lost the diacritics that {where}: {pairs} — "
        "restore them, or export this version without ASCII folding"
    )


def check_preserved_diacritics(versions: Sequence[tuple[str, str]], *,
                               known: dict[str, _Words] | None = None) -> list[Hit]:
    """``diacritics_stripped``: one hit per version that writes plain what another version accents.

    ``versions`` are ``(doc_id, text)`` of one story. The hit lists every pair
    (``Lopez/López (4×)``); its span is the first stripped word, its suggestion that
    word's accented form, and ``related`` the accented word in the other version.
    Matching is case-sensitive, so ``LOPEZ`` in a capitalised headline is not flagged.

    >>> (hit,) = check_preserved_diacritics([("a", "Mr Lopez"), ("b", "Mr López")])
    >>> hit.document, hit.span, hit.suggestion, hit.message.split(" — ")[0]
    ('a', (3, 8), 'López', '1 word has lost the diacritics that b keeps: Lopez/López')

    ``known``: each version's words by text, kept by a caller that checks a story pair by
    pair, so that each version's words are found and folded once, not once per pair (and
    the pieces of text the versions share are read once per story: :class:`_Piece`).
    """
    _require_unique_ids(versions)
    if not _may_strip([text for _, text in versions]):
        return []
    known = {} if known is None else known
    shared = next(iter(known.values()), None)  # a story checked pair by pair
    folds: dict[str, str] = shared.folds if shared is not None else {}
    pieces: dict[str, _Piece] = shared.pieces if shared is not None else {}
    words = [known.get(text) or known.setdefault(text, _Words(text, folds, pieces))
             for _, text in versions]
    accents = [(doc_id, w.accents) for (doc_id, _), w in zip(versions, words, strict=True)]
    if not any(found for _, found in accents):
        return []
    hits: list[Hit] = []
    for (doc_id, _), version_words in zip(versions, words, strict=True):
        others = [(other, found) for other, found in accents if other != doc_id and found]
        stripped = _stripped_words(version_words, others) if others else []
        if not stripped:
            continue
        first = stripped[0]
        hits.append(
            Hit(
                reason="diacritics_stripped",
                message=_diacritics_message(stripped),
                span=first.first,
                suggestion=first.accented,
                related=Related(first.source, first.accented_span),
                document=doc_id,
            )
        )
    return hits


# --- metadata --------------------------------------------------------------------------

MetadataValue = str | list[str]
Spans = Mapping[str, Mapping[str, tuple[int, int]]]

CONFLICT_FIELDS = ("date", "source")
"""Fields every version of a story must agree on where both have them."""

CREDIT_FIELDS = ("attribution", "credit")
"""Fields whose differences are reported at info level (``credit_lines_differ``)."""

_NO_SPAN = (0, 0)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CREDIT_SEPARATOR = re.compile(r"\s*(?:[,;]|\band\b|&)\s*", re.IGNORECASE)


MAX_LISTED = 10
"""Values (with their versions) or names a metadata message lists; it counts the rest."""


def _listed(shown: list[str], total: int) -> str:
    """``shown`` joined, and how many of ``total`` are not shown."""
    more = total - len(shown)
    return ", ".join(shown) + (f" and {more:,} more" if more else "")


def _present(value: MetadataValue | None) -> bool:
    if isinstance(value, list):
        return any(item.strip() for item in value)
    return bool(value and value.strip())


def _comparable(field: str, value: MetadataValue) -> str | frozenset[str]:
    if isinstance(value, list):
        return frozenset(name_key(item) for item in value if item.strip())
    if field == "date" and _ISO_DAY.match(value.strip()):
        return value.strip()[:10]
    return name_key(value)


def _shown(value: MetadataValue) -> str:
    return " | ".join(value) if isinstance(value, list) else value


def check_consistent_metadata(
    versions: Sequence[tuple[str, Mapping[str, MetadataValue]]],
    *,
    fields: Sequence[str] = CONFLICT_FIELDS,
    credit_fields: Sequence[str] = CREDIT_FIELDS,
    spans: Spans | None = None,
) -> list[Hit]:
    """``metadata_conflict`` per version and field that disagrees; ``credit_lines_differ`` (info).

    ``versions`` are ``(doc_id, {field: value})`` of one story, resolved metadata.
    Versions missing a field are not compared on it (see :func:`suggest_missing`).
    When a strict majority of the versions agree, only the others are flagged.
    Values are compared loosely: case, accents, spacing and a leading "the" are
    ignored, dates on their first ten characters, lists as sets.
    Hits are document-level: span ``(0, 0)`` unless ``spans[doc_id][field]`` says
    where the value was read.
    """
    _require_unique_ids(versions)
    spans = spans or {}
    hits: list[Hit] = []
    for field in fields:
        hits += _conflicts(versions, field, spans)
    for field in credit_fields:
        hits += _credit_differences(versions, field, spans)
    return hits


def _span(spans: Spans, doc_id: str, field: str) -> tuple[int, int]:
    return spans.get(doc_id, {}).get(field, _NO_SPAN)


def _conflicts(
    versions: Sequence[tuple[str, Mapping[str, MetadataValue]]], field: str, spans: Spans
) -> list[Hit]:
    """Hits for versions whose ``field`` disagrees: the minority when a strict majority agrees,
    otherwise every version (two versions that disagree are both flagged).

    A message names at most :data:`MAX_LISTED` of the differing versions and counts the
    rest, so a story of thousands of versions costs linear time and messages of bounded
    size (listing them all made each message as long as the story).
    """
    having = [(doc, meta[field]) for doc, meta in versions if _present(meta.get(field))]
    comparable = {doc: _comparable(field, value) for doc, value in having}
    votes = Counter(comparable.values())
    if len(votes) < 2:
        return []
    top, top_votes = votes.most_common(1)[0]
    majority = top if top_votes * 2 > len(having) else None
    hits = []
    for doc, value in having:
        mine = comparable[doc]
        if mine == majority:
            continue
        differing = []
        for other, theirs in having:
            if comparable[other] != mine:
                differing.append((other, theirs))
                if len(differing) == MAX_LISTED:
                    break
        elsewhere = "; ".join(f'"{_shown(v)}" in {o}' for o, v in differing)
        rest = len(having) - votes[mine] - len(differing)
        if rest:
            elsewhere += f"; and {rest:,} other versions"
        message = (
            f'{field} differs between versions of the story: "{_shown(value)}" here, '
            f"{elsewhere} — correct the version that is wrong"
        )
        other = differing[0][0]
        related = Related(other, _span(spans, other, field))
        hits.append(Hit("metadata_conflict", message, _span(spans, doc, field), None, related, doc))
    return hits


def _credits(value: MetadataValue) -> dict[str, str]:
    """Normalised name → name as written, for a credit line given as a list or as prose."""
    items = value if isinstance(value, list) else _CREDIT_SEPARATOR.split(value)
    return {name_key(item): item.strip() for item in items if name_key(item)}


def _credit_differences(
    versions: Sequence[tuple[str, Mapping[str, MetadataValue]]], field: str, spans: Spans
) -> list[Hit]:
    credits = [(doc, _credits(meta[field])) for doc, meta in versions if _present(meta.get(field))]
    having = [(doc, names) for doc, names in credits if names]
    if len(having) < 2:
        return []
    # Each name once, with how many versions credit it and the first that does (as written
    # there): one pass over the story, not one per version.
    holders: Counter[str] = Counter()
    first: dict[str, tuple[str, str]] = {}  # normalised → (as written, first doc)
    for doc, names in having:
        holders.update(names.keys())
        for name, written in names.items():
            first.setdefault(name, (written, doc))
    hits = []
    for n, (doc, names) in enumerate(having):
        # In story order, the first version crediting each name this one does not.
        missing = {name: held for name, held in first.items() if name not in names}
        only_here = [written for name, written in names.items() if holders[name] == 1]
        if missing or only_here:
            compared = (next(iter(missing.values()))[1] if missing
                        else having[1 if n == 0 else 0][0])
            hits.append(_credit_hit(doc, field, missing, only_here, compared, spans))
    return hits


def _credit_hit(
    doc: str,
    field: str,
    missing: dict[str, tuple[str, str]],
    only_here: list[str],
    compared: str,
    spans: Spans,
) -> Hit:
    parts = []
    if missing:
        parts.append("not credited here: " + _listed(
            [f"{w} (in {o})" for w, o in itertools.islice(missing.values(), MAX_LISTED)],
            len(missing)))
    if only_here:
        parts.append("credited only here: " + _listed(only_here[:MAX_LISTED], len(only_here)))
    message = (
        f"{field} differs between versions of the story (info): {'; '.join(parts)} — "
        "no action needed unless a credit was dropped by mistake"
    )
    related = Related(compared, _span(spans, compared, field))
    return Hit("credit_lines_differ", message, _span(spans, doc, field), None, related, doc)


def suggest_missing(
    versions: Sequence[tuple[str, Mapping[str, MetadataValue]]], fields: Sequence[str]
) -> dict[str, dict[str, MetadataValue]]:
    """For each version missing one of ``fields``, the value the other versions give it.

    When the others disagree, the value most of them share wins; a tie goes to the
    earliest version in ``versions`` order. Versions missing nothing are left out.

    >>> versions = [("000", {"date": "2023-12-28"}), ("001", {"source": "VOA"})]
    >>> suggest_missing(versions, ["date", "source"])
    {'000': {'source': 'VOA'}, '001': {'date': '2023-12-28'}}
    """
    _require_unique_ids(versions)
    offered = {field: _majority(versions, field) for field in fields}
    suggestions: dict[str, dict[str, MetadataValue]] = {}
    for doc, meta in versions:
        missing = {
            field: value
            for field, value in offered.items()
            if value is not None and not _present(meta.get(field))
        }
        if missing:
            suggestions[doc] = missing
    return suggestions


def _majority(
    versions: Sequence[tuple[str, Mapping[str, MetadataValue]]], field: str
) -> MetadataValue | None:
    """The value of ``field`` most versions share (ties: earliest); ``None`` if none has it."""
    having = [meta[field] for _, meta in versions if _present(meta.get(field))]
    if not having:
        return None
    votes = Counter(_comparable(field, value) for value in having)
    best = max(votes.values())
    return next(value for value in having if votes[_comparable(field, value)] == best)
