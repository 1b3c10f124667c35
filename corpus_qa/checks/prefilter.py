r"""The characters a regular expression's match can start with, those every match holds,
and the expression relaxed to what the start of a match says: cheap, exact pre-tests
that let a check leave out the patterns that cannot match a unit.

:func:`first_characters` reads a pattern's parse tree (``re._parser``, as
:mod:`corpus_qa.backtracking` does). The answer is a *necessary* condition derived from
what the pattern consumes (look-arounds and anchors are left out, so they only make it
weaker, never wrong): a text whose first character is not in the set cannot be matched
from its start. ``None`` means any character (or the match may be empty). A
case-insensitive letter counts as any character (``re`` folds some letters outside their
own case pair, e.g. ``k`` and KELVIN SIGN), so the test never has to know ``re``'s case
folding. A class ``\d``, ``\w`` or ``\s`` is kept by its name (a two-character string,
never taken for a character): :func:`can_start` asks ``str.isdecimal``, ``str.isalnum``
(or ``_``) and ``str.isspace`` for it, the very tests ``re`` makes for those classes in a
``str`` pattern (with the ASCII flag, a subset of them).

>>> sorted(first_characters(r"(?:Advertisement|Sponsored)(?: content)?"))
['A', 'S']
>>> first_characters(r"(?i)advertisement") is None
True
>>> sorted(first_characters(r"\d{1,6} comments|Comments"))
['C', '\\d']
>>> can_start(first_characters(r"\d{1,6} comments|Comments"), "\u0663")  # ARABIC-INDIC THREE
True

:func:`needed_characters` is the same kind of necessary condition: characters that every
match contains, wherever it starts (a unit lacking one of them cannot be matched).

>>> sorted(needed_characters(r"[^(]*+[(](?:AP|AFP) Photo[)]"))
[' ', '(', ')', 'A', 'P', 'h', 'o', 't']

:func:`relaxed` rewrites a pattern so that it matches from a position wherever the
pattern matches a text starting there, however much text follows: one search with it
says that no piece of a line that starts where the line does is matched whole.
"""

from __future__ import annotations

import re
import re._constants as sre  # the parser's opcodes (stable since Python 3.11)
import re._parser as sre_parse
from typing import Any

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_CLASS_LIMIT = 4096
"""A character class of more characters than this counts as any character."""


_CATEGORIES = {
    sre.CATEGORY_DIGIT: "\\d",
    sre.CATEGORY_WORD: "\\w",
    sre.CATEGORY_SPACE: "\\s",
}
"""The classes a first character may be given as, by name."""


def can_start(first: frozenset[str] | None, char: str) -> bool:
    """Whether a match of a pattern whose :func:`first_characters` are ``first`` can
    start with the character ``char``."""
    if first is None or char in first:
        return True
    return (("\\d" in first and char.isdecimal())
            or ("\\w" in first and (char.isalnum() or char == "_"))
            or ("\\s" in first and char.isspace()))


def first_characters(source: str, flags: int = 0) -> frozenset[str] | None:
    """The characters a match of ``source`` (compiled with ``flags``) can start with;
    ``None``: any character, or the match may be empty."""
    parsed = sre_parse.parse(source, flags)
    first, nullable = _first(parsed.data, parsed.state.flags)
    return None if first is None or nullable else frozenset(first)


def _cased(char: str) -> bool:
    """Whether ``re`` may match ``char`` case-insensitively with another character."""
    return char.lower() != char or char.upper() != char or char.casefold() != char


def _class(items: list[tuple[Any, Any]], flags: int) -> set[str] | None:
    """The characters of a ``[...]`` class (``\\d``, ``\\w``, ``\\s`` by name), or None
    (negated, another category, too many)."""
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < _CLASS_LIMIT:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is sre.CATEGORY and av in _CATEGORIES:
            chars.add(_CATEGORIES[av])
        else:  # NEGATE, a negated category, a wide RANGE, anything else
            return None
        if len(chars) > _CLASS_LIMIT:
            return None
    if flags & re.IGNORECASE and any(_cased(c) for c in chars if len(c) == 1):
        return None
    return chars


def _first(items: Any, flags: int) -> tuple[set[str] | None, bool]:
    """(the characters a match of the sequence can start with, or None for any; whether
    it can match the empty string)."""
    out: set[str] = set()
    for op, av in items:
        chars, nullable = _first_of(op, av, flags)
        if chars is None:
            return None, False
        out |= chars
        if not nullable:
            return out, False
    return out, True


def _first_of(op: Any, av: Any, flags: int) -> tuple[set[str] | None, bool]:
    if op is sre.LITERAL:
        char = chr(av)
        return (None, False) if flags & re.IGNORECASE and _cased(char) else ({char}, False)
    if op is sre.IN:
        return _class(av, flags), False
    if op is sre.SUBPATTERN:
        _group, add, remove, body = av
        return _first(body.data, (flags | add) & ~remove)
    if op is sre.ATOMIC_GROUP:
        return _first(av.data, flags)
    if op is sre.BRANCH:
        out: set[str] = set()
        empty = False
        for branch in av[1]:
            chars, nullable = _first(branch.data, flags)
            if chars is None:
                return None, False
            out |= chars
            empty |= nullable
        return out, empty
    if op in _REPEATS:
        low, high, body = av
        if high == 0:
            return set(), True
        chars, nullable = _first(body.data, flags)
        return chars, nullable or low == 0
    if op in _ZERO_WIDTH:
        return set(), True
    return None, False  # ANY, NOT_LITERAL, a group reference, anything else


def needed_characters(source: str, flags: int = 0) -> frozenset[str]:
    """Characters that every match of ``source`` (compiled with ``flags``) contains; empty
    when none is sure. Look-arounds and anchors consume nothing and add none; a
    case-insensitive letter adds none (see :func:`first_characters`)."""
    parsed = sre_parse.parse(source, flags)
    return frozenset(_needed(parsed.data, parsed.state.flags))


def _needed(items: Any, flags: int) -> set[str]:
    """The characters every match of the sequence contains."""
    out: set[str] = set()
    for op, av in items:
        out |= _needed_of(op, av, flags)
    return out


def _needed_of(op: Any, av: Any, flags: int) -> set[str]:
    if op is sre.LITERAL:
        char = chr(av)
        return set() if flags & re.IGNORECASE and _cased(char) else {char}
    if op is sre.IN:
        chars = _class(av, flags)  # one character, not a class's name
        return chars if chars is not None and len(chars) == 1 and len(min(chars)) == 1 else set()
    if op is sre.SUBPATTERN:
        _group, add, remove, body = av
        return _needed(body.data, (flags | add) & ~remove)
    if op is sre.ATOMIC_GROUP:
        return _needed(av.data, flags)
    if op is sre.BRANCH:
        branches = [_needed(branch.data, flags) for branch in av[1]]
        return set.intersection(*branches) if branches else set()
    if op in _REPEATS:
        low, _high, body = av
        return _needed(body.data, flags) if low >= 1 else set()
    return set()  # look-arounds, anchors, ANY, NOT_LITERAL, a category, a group reference


# --- a pattern relaxed to what a match's start says ----------------------------------

_FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.LOCALE, "L"), (re.MULTILINE, "m"),
                 (re.DOTALL, "s"), (re.ASCII, "a"), (re.UNICODE, "u"))
_CATEGORY_NAMES = {
    sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W",
}
_STARTS = (sre.AT_BEGINNING, sre.AT_BEGINNING_LINE, sre.AT_BEGINNING_STRING)
"""Anchors that read only what lies before the position (the others read what follows)."""


def relaxed(source: str) -> str | None:
    r"""A regular expression that matches from a position wherever ``source`` does, up
    to any end of the text at or after that match's end: ``source`` with what makes a
    match depend on where the text ends taken out — look-aheads, ``\b``, ``\B``, ``$``,
    ``\Z`` — and possessive repeats and atomic groups made plain (a match of ``source``
    is then a match of the result, and stays one when the text goes on). ``None`` when
    ``source`` holds what this cannot rewrite (a conditional group, global flags).

    So ``re.compile(relaxed(p)).match(text, start, end)`` is None only when no
    ``text[start:h]``, ``h <= end``, is matched whole by ``p`` (``re.fullmatch(p, text,
    start, h)``): one cheap test for every piece of a line that starts where it does.

    >>> print(relaxed(r"Copyright(?=.*\d)\s*+\d{4}\b"))
    Copyright(?:[\s]){0,}(?:[\d]){4,4}
    """
    parsed = sre_parse.parse(source)
    if parsed.state.flags & ~re.UNICODE:
        return None
    try:
        items = _relax(parsed.data)
        out = _unparse(items)
    except _Unsupported:
        return None
    # The rewrite is checked, not trusted: the result must parse to the relaxed tree.
    try:
        again = sre_parse.parse(out)
    except re.error:
        return None
    if again.state.flags != parsed.state.flags or _shape(again.data) != _shape(items):
        return None
    return out


class _Unsupported(Exception):
    """A construct :func:`relaxed` does not rewrite."""


def _relax(items: Any) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is sre.AT:
            if av in _STARTS:
                out.append((op, av))
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            direction, body = av
            if direction < 0:  # a look-behind reads before the position: kept as it is
                out.append((op, (direction, list(body.data))))
        elif op is sre.SUBPATTERN:
            _group, add, remove, body = av  # verbose is how the source was read, no more
            out.append((op, (None, add & ~re.VERBOSE, remove & ~re.VERBOSE,
                             _relax(body.data))))
        elif op is sre.ATOMIC_GROUP:
            out.append((sre.SUBPATTERN, (None, 0, 0, _relax(av.data))))
        elif op is sre.BRANCH:
            out.append((op, (None, [_relax(b.data) for b in av[1]])))
        elif op in _REPEATS:
            low, high, body = av
            kind = sre.MIN_REPEAT if op is sre.MIN_REPEAT else sre.MAX_REPEAT
            out.append((kind, (low, high, _relax(body.data))))
        elif op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
            out.append((op, av))
        else:
            raise _Unsupported(op)
    return out


def _flags(add: int) -> str:
    return "".join(letter for flag, letter in _FLAG_LETTERS if add & flag)


def _char(code: int) -> str:
    return re.escape(chr(code))


def _unparse(items: list[tuple[Any, Any]]) -> str:
    parts = []
    for op, av in items:
        if op is sre.LITERAL:
            parts.append(_char(av))
        elif op is sre.NOT_LITERAL:
            parts.append(f"[^{_char(av)}]")
        elif op is sre.ANY:
            parts.append(".")
        elif op is sre.IN:
            parts.append("[" + "".join(_class_item(o, a) for o, a in av) + "]")
        elif op is sre.AT:
            parts.append({sre.AT_BEGINNING: "^", sre.AT_BEGINNING_LINE: "^",
                          sre.AT_BEGINNING_STRING: r"\A"}[av])
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            direction, body = av
            mark = "=" if op is sre.ASSERT else "!"
            parts.append(f"(?<{mark}{_unparse(body)})")
        elif op is sre.SUBPATTERN:
            _group, add, remove, body = av
            flags = _flags(add) + ("-" + _flags(remove) if remove else "")
            parts.append(f"(?{flags}:{_unparse(body)})")
        elif op is sre.BRANCH:
            parts.append("(?:" + "|".join(_unparse(b) for b in av[1]) + ")")
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, body = av
            count = f"{{{low},}}" if high >= sre.MAXREPEAT else f"{{{low},{high}}}"
            lazy = "?" if op is sre.MIN_REPEAT else ""
            parts.append(f"(?:{_unparse(body)}){count}{lazy}")
        else:
            raise _Unsupported(op)
    return "".join(parts)


def _class_item(op: Any, av: Any) -> str:
    if op is sre.NEGATE:
        return "^"
    if op is sre.LITERAL:
        return _char(av)
    if op is sre.RANGE:
        return f"{_char(av[0])}-{_char(av[1])}"
    if op is sre.CATEGORY and av in _CATEGORY_NAMES:
        return _CATEGORY_NAMES[av]
    raise _Unsupported(op)


def _shape(items: Any) -> Any:
    """A parse tree as nested tuples, capture groups read as plain groups and a plain
    group (no flags) spliced into its sequence, to compare two trees."""
    out: list[Any] = []
    for op, av in items:
        if op is sre.SUBPATTERN:
            _group, add, remove, body = av
            if not add and not remove:
                out.extend(_shape(body))
                continue
            av = (None, add, remove, _shape(body))
        elif op is sre.BRANCH:
            av = (None, tuple(_shape(b) for b in av[1]))
        elif op in _REPEATS:
            av = (av[0], av[1], _shape(av[2]))
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            av = (av[0], _shape(av[1]))
        elif op is sre.IN:
            av = tuple(av)
        out.append((str(op), av))
    return tuple(out)
