"""``Figure``, ``Sentence``, ``FigureRow`` and ``Alignment`` set their slots with the
slots' own setters instead of the frozen dataclass's generated ``__init__``
(``object.__setattr__`` by name): the objects they make are exactly what the generated
``__init__`` made.

The generated classes are rebuilt here as a test-local reference (same fields, same
defaults, ``frozen=True, slots=True``); each object is compared with its reference field
by field, and by what the dataclass machinery derives from the fields (equality, hash,
repr, ``astuple``, ``replace``, pickling), built positionally and by keyword.
"""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.checks.figures import Figure, FigureRow
from corpus_qa.checks.sentences import Alignment
from corpus_qa.text.segment import Sentence


@dataclass(frozen=True, slots=True)
class _GeneratedFigure:
    value: object
    kind: str
    text: str
    span: tuple[int, int]
    noun: str = ""
    unit: str = ""
    qualifier: str = ""


@dataclass(frozen=True, slots=True)
class _GeneratedSentence:
    index: int
    span: tuple[int, int]
    text: str


@dataclass(frozen=True, slots=True)
class _GeneratedRow:
    status: str
    a: object
    b: object


@dataclass(frozen=True, slots=True)
class _GeneratedAlignment:
    a: tuple
    b: tuple
    score: float


_VALUES = st.integers(-10**15, 10**15) | st.floats(allow_nan=False) | st.text(max_size=12)
_SPANS = st.tuples(st.integers(0, 10**6), st.integers(0, 10**6))
_WORDS = st.text(max_size=12)


def _same(made: object, reference: object) -> None:
    names = [f.name for f in dataclasses.fields(reference)]  # type: ignore[arg-type]
    assert [f.name for f in dataclasses.fields(made)] == names  # type: ignore[arg-type]
    for name in names:
        mine, theirs = getattr(made, name), getattr(reference, name)
        assert type(mine) is type(theirs) and mine == theirs, name
    assert dataclasses.astuple(made) == dataclasses.astuple(reference)  # type: ignore[call-overload]
    assert hash(made) == hash(reference)
    assert repr(made) == repr(reference).replace(type(reference).__name__, type(made).__name__)
    assert pickle.loads(pickle.dumps(made)) == made
    assert made == type(made)(*(getattr(made, name) for name in names))


@settings(max_examples=300, deadline=None)
@given(_VALUES, _WORDS, _WORDS, _SPANS, _WORDS, _WORDS, _WORDS, st.integers(4, 7))
def test_a_figure_is_what_the_generated_init_made(
    value: object, kind: str, text: str, span: tuple[int, int], noun: str, unit: str,
    qualifier: str, given_fields: int,
) -> None:
    args = (value, kind, text, span, noun, unit, qualifier)[:given_fields]
    _same(Figure(*args), _GeneratedFigure(*args))  # type: ignore[arg-type]
    names = ("value", "kind", "text", "span", "noun", "unit", "qualifier")[:given_fields]
    keywords = dict(zip(names, args, strict=True))
    _same(Figure(**keywords), _GeneratedFigure(**keywords))  # type: ignore[arg-type]
    made = Figure(*args)  # type: ignore[arg-type]
    _same(dataclasses.replace(made, noun="x"),
          dataclasses.replace(_GeneratedFigure(*args), noun="x"))  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**6), _SPANS, _WORDS)
def test_a_sentence_is_what_the_generated_init_made(index: int, span: tuple[int, int],
                                                     text: str) -> None:
    _same(Sentence(index, span, text), _GeneratedSentence(index, span, text))
    _same(Sentence(text=text, index=index, span=span),
          _GeneratedSentence(text=text, index=index, span=span))


@settings(max_examples=200, deadline=None)
@given(_WORDS, st.none() | _VALUES, st.none() | _VALUES,
       st.floats(allow_nan=False), st.lists(_WORDS, max_size=3))
def test_a_row_and_an_alignment_are_what_the_generated_init_made(
    status: str, a: object, b: object, score: float, texts: list[str],
) -> None:
    fa = None if a is None else Figure(a, "number", "x", (0, 1))
    fb = None if b is None else Figure(b, "date", "y", (2, 3), "noun")
    _same(FigureRow(status, fa, fb), _GeneratedRow(status, fa, fb))
    _same(FigureRow(b=fb, a=fa, status=status), _GeneratedRow(b=fb, a=fa, status=status))
    side = tuple(Sentence(i, (i, i + len(t)), t) for i, t in enumerate(texts))
    _same(Alignment(side, side[:1], score), _GeneratedAlignment(side, side[:1], score))
    _same(Alignment(score=score, b=(), a=side), _GeneratedAlignment(score=score, b=(), a=side))


@pytest.mark.parametrize("cls, args", [(Figure, (5, "number", "5", (0, 1))),
                                       (Sentence, (0, (0, 3), "Hi.")),
                                       (FigureRow, ("same", None, None)),
                                       (Alignment, ((), (), 1.0))])
def test_they_stay_frozen_and_complain_of_wrong_arguments(cls: type, args: tuple) -> None:
    made = cls(*args)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, dataclasses.fields(made)[0].name, None)
    with pytest.raises(TypeError):
        cls(*args[:2])  # a required field missing
    with pytest.raises(TypeError):
        cls(*args, nonsense=1)
