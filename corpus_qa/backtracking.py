"""Vet a steward's regular expression for catastrophic backtracking, before it runs.

Python's ``re`` backtracks: a pattern that can split the same text into its repeated
parts in many ways takes time exponential in the length of the text when the match
fails (``(a+)+$`` on 34 ``a`` and an ``X`` runs for hours). ``re`` cannot be stopped
from the outside, so every regex a steward writes (boilerplate patterns, furniture cues,
metadata phrase lists, ``expect_document_metadata_to_match``) is vetted when its file is
loaded, and a dangerous one is refused with the file and line (exit 2) instead of
hanging the run on some document later.

The vetting reads the parsed pattern (``re._parser``) and refuses two shapes inside a
repeat that can iterate (``*``, ``+``, ``{2,}``, ``{1,9}``):

- a **nested repeat whose text can run on into the next part**: a variable-length repeat
  (``a+``, ``\\w*``, ``x?``, ``a{1,9}``) followed — within the repeated body, or by the
  body's own start on the next turn — by a character it can also match: ``(a+)+``,
  ``(\\w+\\s?)*``, ``(.*)*``, ``(?:a?a)+``, ``(x+x+)+``;
- **alternatives that can match the same text**: one alternative empty, or two
  fixed-width alternatives where one is the other repeated (``(a|a)*``, ``(a|aa)+``,
  ``(\\w|\\d)+``).

A repeated body that ends with a character its repeat cannot match (``(?:\\w+ )+``,
``(?:[^,]+,)*``) is safe and passes, and so are possessive repeats (``a++``) and atomic
groups (``(?>…)``), which never backtrack into what they matched: they are the remedy
the message suggests. What the vetting does not refuse is polynomial backtracking
(``.*.*=`` is quadratic); the size limits of a document (``docs/input.md``) bound that.

>>> vet_regex(r"(?:\\w+ )+end") is None
True
>>> vet_regex(r"(a+)+$").split(" — ")[0]  # doctest: +NORMALIZE_WHITESPACE
"nested repeats can backtrack catastrophically (a repeat inside a repeat, as in (a+)+,
can split text like 'aaaaaaaaaaaaaaaaaaaaaaaa!' in exponentially many ways)"
"""

from __future__ import annotations

import re
import re._constants as sre  # the parser's opcodes (stable since Python 3.11)
import re._parser as sre_parse
from collections.abc import Iterable, Sequence
from typing import Any

_PROBES = (
    [chr(c) for c in range(128)]
    + list("\u00a0\u00e9\u00c9\u00df\u2019\u201c\u2014\u2013\u2026\u0416\u0436\u0663\u4e2d\ufffd")
)
"""Characters the vetting tries when it asks "can these two parts match the same
character?": all of ASCII and a few non-ASCII letters, digits, spaces and punctuation
(plus every literal of the pattern itself)."""

_Node = tuple[Any, Any]
_Chars = frozenset[str]
_Chain = tuple[Sequence[_Node], ...]


class _Unsafe(Exception):
    def __init__(self, kind: str, char: str) -> None:
        super().__init__(kind)
        self.kind, self.char = kind, char


def vet_regex(source: str, flags: int = 0) -> str | None:
    """Why ``source`` can backtrack catastrophically (a message with a remedy), or ``None``.

    ``source`` must already compile; an invalid regex is its caller's error to report.
    """
    parsed = sre_parse.parse(source, flags)
    alphabet = frozenset(_PROBES) | frozenset(_literals(parsed))
    try:
        _Vetter(alphabet, bool(parsed.state.flags & re.IGNORECASE)).scan(
            list(parsed), (), iterating=False)
    except _Unsafe as unsafe:
        attack = repr(unsafe.char * 24 + ("!" if unsafe.char != "!" else "\x00"))
        if unsafe.kind == "nested":
            return ("nested repeats can backtrack catastrophically (a repeat inside a repeat, "
                    f"as in (a+)+, can split text like {attack} in exponentially many ways) — "
                    "make the inner repeat possessive (a++) or atomic ((?>…)), or end the "
                    "repeated part with a character the inner repeat cannot match")
        return ("repeated alternatives that can match the same text backtrack catastrophically "
                f"(as in (a|aa)+ on text like {attack}) — make the alternatives exclusive, "
                "or the repeat possessive ((?:…)++)")
    return None


def _literals(nodes: Iterable[_Node]) -> Iterable[str]:
    for op, av in nodes:
        if op is sre.LITERAL or op is sre.NOT_LITERAL:
            yield chr(av)
        elif op is sre.IN:
            yield from (chr(a) for o, a in av if o is sre.LITERAL)
            yield from (chr(a[0]) for o, a in av if o is sre.RANGE)
        else:
            for child in _children(op, av):
                yield from _literals(child)


def _children(op: Any, av: Any) -> list[list[_Node]]:
    """The sub-sequences of one node (bodies of groups, repeats, branches, lookarounds)."""
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        return [list(av[2])]
    if op is sre.SUBPATTERN:
        return [list(av[3])]
    if op is sre.BRANCH:
        return [list(alt) for alt in av[1]]
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [list(av[1])]
    if op is sre.ATOMIC_GROUP:
        return [list(av)]
    if op is sre.GROUPREF_EXISTS:
        return [list(av[1])] + ([list(av[2])] if av[2] is not None else [])
    return []


class _Vetter:
    def __init__(self, alphabet: _Chars, ignore_case: bool) -> None:
        self.alphabet = alphabet
        self.ignore_case = ignore_case
        self._sets: dict[tuple[_Node, ...], _Chars] = {}
        """Each character class's characters, worked out once: a regex repeats the same
        classes (``[ \\t]`` at every gap between words) and the scan asks again."""

    # --- what a part can match -----------------------------------------------------

    def _literal(self, code: int) -> _Chars:
        char = chr(code)
        if self.ignore_case:  # conservative: both cases, whatever the group flags say
            return frozenset({char, char.lower(), char.upper()})
        return frozenset({char})

    def _set(self, items: Sequence[_Node]) -> _Chars:
        key = tuple(items)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = self._set_of(items)
        return found

    def _set_of(self, items: Sequence[_Node]) -> _Chars:
        negate = bool(items) and items[0][0] is sre.NEGATE
        chosen: set[str] = set()
        for op, av in items[1:] if negate else items:
            if op is sre.LITERAL:
                chosen |= self._literal(av)
            elif op is sre.RANGE:
                chosen |= {c for c in self.alphabet if av[0] <= ord(c) <= av[1]}
                if self.ignore_case:
                    chosen |= {c for c in self.alphabet
                               if av[0] <= ord(c.lower()) <= av[1]
                               or av[0] <= ord(c.upper()) <= av[1]}
            elif op is sre.CATEGORY:
                chosen |= {c for c in self.alphabet if _in_category(av, c)}
        return self.alphabet - chosen if negate else frozenset(chosen)

    def _one(self, op: Any, av: Any) -> _Chars | None:
        """The characters of a one-character node, else ``None``."""
        if op is sre.LITERAL:
            return self._literal(av)
        if op is sre.NOT_LITERAL:
            return self.alphabet - self._literal(av)
        if op is sre.ANY:
            return self.alphabet
        if op is sre.IN:
            return self._set(av)
        return None

    def chars(self, nodes: Sequence[_Node]) -> _Chars:
        """Every character ``nodes`` can consume, anywhere."""
        found: set[str] = set()
        for op, av in nodes:
            one = self._one(op, av)
            if one is not None:
                found |= one
            elif op is sre.GROUPREF:
                return self.alphabet  # a backreference may repeat anything
            elif op not in (sre.ASSERT, sre.ASSERT_NOT):
                for child in _children(op, av):
                    found |= self.chars(child)
        return frozenset(found)

    def first(self, nodes: Sequence[_Node]) -> tuple[_Chars, bool]:
        """The characters a match of ``nodes`` can start with, and whether it can be empty."""
        found: set[str] = set()
        for op, av in nodes:
            one = self._one(op, av)
            if one is not None:
                return frozenset(found | one), False
            if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
                continue
            if op is sre.GROUPREF:
                return self.alphabet, True
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                inner, empty = self.first(av[2])
                found |= inner
                if av[0] > 0 and not empty:
                    return frozenset(found), False
                continue
            children = _children(op, av)
            any_empty = op is sre.GROUPREF_EXISTS and len(children) == 1
            for child in children:
                inner, empty = self.first(child)
                found |= inner
                any_empty = any_empty or empty
            if not any_empty:
                return frozenset(found), False
        return frozenset(found), True

    # --- the scan -------------------------------------------------------------------

    def scan(self, nodes: Sequence[_Node], chain: _Chain, *, iterating: bool) -> None:
        """Refuse a dangerous shape in ``nodes``; ``chain`` is what must match after them.

        ``iterating`` is true inside the body of a repeat that can run more than once;
        there ``chain`` ends with one more turn of that body.
        """
        for index, (op, av) in enumerate(nodes):
            rest: _Chain = (list(nodes[index + 1:]), *chain)
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                low, high, body = av
                body = list(body)
                if iterating and low != high:
                    # Could what this repeat takes once more be taken by what follows it?
                    more = self._shapes(body) or [self._shortest(body)]
                    for shape in more:
                        if shape and self._consumes(shape, rest):
                            raise _Unsafe("nested", min(shape[0]))
                if high > 1:  # the body runs again: the next turn follows its end
                    self.scan(body, (body,), iterating=True)
                else:
                    self.scan(body, rest, iterating=iterating)
            elif op is sre.POSSESSIVE_REPEAT or op is sre.ATOMIC_GROUP:
                body = list(av[2]) if op is sre.POSSESSIVE_REPEAT else list(av)
                self.scan(body, (), iterating=False)  # never backtracked into
            elif op is sre.BRANCH:
                alternatives = [list(alt) for alt in av[1]]
                if iterating:
                    self._vet_alternatives(alternatives, rest)
                for alt in alternatives:
                    self.scan(alt, rest, iterating=iterating)
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                self.scan(list(av[1]), (), iterating=False)
            else:
                for child in _children(op, av):
                    self.scan(child, rest, iterating=iterating)

    def _vet_alternatives(self, alternatives: list[list[_Node]], rest: _Chain) -> None:
        """Refuse alternatives that can match the same text: two that can be empty; a
        fixed-width one that the others can spell out too (``a|a``, ``a|b|ab``); or a short
        one that, with what follows it, reads like a longer one (``a(?:|a)``, which is how
        ``re`` parses ``(a|aa)``)."""
        firsts = [self.first(alt) for alt in alternatives]
        empty = [first for first, can_be_empty in firsts if can_be_empty]
        if len(empty) >= 2:
            raise _Unsafe("alternatives", min(frozenset().union(*empty) or self.alphabet))
        shapes = [shape for shape in map(self._fixed, alternatives) if shape is not None]
        for index, shape in enumerate(shapes):
            others = [other for other in shapes[:index] + shapes[index + 1:] if other]
            if shape and _spelled(shape, others, pieces=0):
                raise _Unsafe("alternatives", min(shape[0]))
            for long in shapes:
                if (len(long) > len(shape)
                        and all(a & b for a, b in zip(shape, long, strict=False))
                        and self._consumes(long[len(shape):], rest)):
                    raise _Unsafe("nested", min(long[len(shape)]))

    # --- can a run of characters be matched by what follows? ------------------------

    def _consumes(self, shape: list[_Chars], chain: _Chain) -> bool:
        """Whether the parts of ``chain``, in order, can match text of ``shape`` (each
        position a set of possible characters) from its start to its end."""
        positions = {0}
        for nodes in chain:
            positions = self._ends(nodes, positions, shape)
            if len(shape) in positions:
                return True
            if not positions:
                return False
        return False

    def _ends(self, nodes: Sequence[_Node], starts: set[int], shape: list[_Chars]) -> set[int]:
        """Where in ``shape`` a match of ``nodes`` begun at ``starts`` can end (the end of
        ``shape`` is final: once reached, whatever comes after may match anything)."""
        done = len(shape)
        positions = set(starts)
        for op, av in nodes:
            if not positions or positions == {done}:
                return positions
            one = self._one(op, av)
            if one is not None:
                positions = {done if p == done else p + 1
                             for p in positions if p == done or shape[p] & one}
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                low, high, body = av
                reached: set[int] = set()
                current = positions
                for turn in range(min(high, low + done + 1) + 1):
                    if turn >= low:
                        reached |= current
                    if not current:
                        break
                    current = self._ends(list(body), current, shape)
                positions = reached
            elif op is sre.BRANCH:
                positions = set().union(*(self._ends(list(alt), positions, shape)
                                          for alt in av[1]))
            elif op is sre.GROUPREF:
                positions = {done}
            elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
                continue
            else:
                children = _children(op, av)
                ended = set().union(*(self._ends(child, positions, shape) for child in children))
                if op is sre.GROUPREF_EXISTS and len(children) == 1:
                    ended |= positions
                positions = ended
        return positions

    def _shapes(self, nodes: Sequence[_Node], limit: int = 256) -> list[list[_Chars]] | None:
        """Every run of characters ``nodes`` can match, when there are few (branches and
        optional parts of fixed width), else ``None``."""
        shapes: list[list[_Chars]] = [[]]
        for op, av in nodes:
            one = self._one(op, av)
            if one is not None:
                options: list[list[_Chars]] | None = [[one]]
            elif op is sre.SUBPATTERN:
                options = self._shapes(av[3], limit)
            elif op is sre.BRANCH:
                options = []
                for alt in av[1]:
                    found = self._shapes(alt, limit)
                    if found is None:
                        return None
                    options += found
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[1] <= 1:
                inner = self._shapes(av[2], limit)
                options = None if inner is None else inner + ([[]] if av[0] == 0 else [])
            elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
                continue
            else:
                options = None
            if options is None or len(shapes) * len(options) > limit:
                return None
            shapes = [head + tail for head in shapes for tail in options]
        return shapes

    def _shortest(self, nodes: Sequence[_Node]) -> list[_Chars]:
        """The character sets of the shortest text ``nodes`` can match (alternatives merged
        position by position): what one more turn of a repeat takes at the least."""
        shape: list[_Chars] = []
        for op, av in nodes:
            one = self._one(op, av)
            if one is not None:
                shape.append(one)
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                shape += self._shortest(av[2]) * min(av[0], 64)
            elif op is sre.BRANCH:
                options = [self._shortest(alt) for alt in av[1]]
                width = min(len(option) for option in options)
                shape += [frozenset().union(*(option[k] for option in options))
                          for k in range(width)]
            elif op is sre.GROUPREF:
                break
            else:
                for child in _children(op, av)[:1]:
                    if op not in (sre.ASSERT, sre.ASSERT_NOT):
                        shape += self._shortest(child)
        return shape

    def _fixed(self, nodes: Sequence[_Node]) -> list[_Chars] | None:
        """The character sets of a fixed-width run of one-character parts, else ``None``."""
        shape: list[_Chars] = []
        for op, av in nodes:
            one = self._one(op, av)
            if one is not None:
                shape.append(one)
            elif op is sre.SUBPATTERN:
                inner = self._fixed(av[3])
                if inner is None:
                    return None
                shape += inner
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] == av[1] and av[0] <= 64:
                inner = self._fixed(av[2])
                if inner is None:
                    return None
                shape += inner * av[0]
            else:
                return None
        return shape


def _spelled(shape: list[_Chars], others: list[list[_Chars]], *, pieces: int) -> bool:
    """Whether ``shape`` is a run of ``others`` (one whole other, or two or more of them)."""
    if not shape:
        return pieces >= 1
    for other in others:
        if (len(other) <= len(shape)
                and all(a & b for a, b in zip(shape, other, strict=False))
                and _spelled(shape[len(other):], others, pieces=pieces + 1)):
            return True
    return False


def _in_category(category: Any, char: str) -> bool:
    pattern = _CATEGORY_PATTERNS.get(category)
    return bool(pattern and pattern.fullmatch(char))


_CATEGORY_PATTERNS = {
    sre.CATEGORY_DIGIT: re.compile(r"\d"),
    sre.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    sre.CATEGORY_SPACE: re.compile(r"\s"),
    sre.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    sre.CATEGORY_WORD: re.compile(r"\w"),
    sre.CATEGORY_NOT_WORD: re.compile(r"\W"),
}
