"""ftfy's badness regex, rewritten so that the regex engine skips ASCII — derived from
ftfy's own pattern when corpus-qa is imported, so it follows ftfy.

``ftfy.badness.BADNESS_RE`` is an alternation of short sequences ("a character of class
X, then one of class Y …"), most of them starting with a character that is common in
correct text (a letter, a space), so the engine tries every alternative at almost every
position. Each alternative needs at least one character that is never ASCII; the
rewrite *consumes that character* (its anchor) and checks the characters before it with
a lookbehind and those after it with a lookahead. The rewritten regex starts with one
character class, the union of the anchors, which the engine scans for in C; the
alternatives are tried only at those characters.

The rewrite matches at a position exactly when one of ftfy's alternatives matches
around it, so ``search`` gives ftfy's ``is_bad`` verdict. The derivation reads ftfy's
pattern with a small parser that knows the constructs ftfy uses (character classes,
single characters and escapes, ``.``, ``^``, ``$``, ``?``, alternation, verbose-mode
spaces and comments); a pattern with anything else raises :class:`UnsupportedPattern`,
and the caller falls back to ftfy's own regex.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

try:
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # older layouts of the standard library
    import sre_parse  # type: ignore[no-redef]

CHECKED_FTFY = ("6.3.1", "9dcc0f2ac90d9ae3c85eb7b9b2c0b8a8e8126153847c2b30c91a0bb263f3b8c4")
"""The ftfy version (and the SHA-256 of its ``BADNESS_RE`` pattern) whose rewrite was last
proved identical by the equivalence tests. A test fails when the installed ftfy differs:
run the equivalence tests against it, then update this pin and constraints.txt."""

_BIG = 1 << 30
_VERBOSE_SPACE = " \t\n\r\v\f"
_ALLOWED_FLAGS = re.UNICODE | re.VERBOSE


class UnsupportedPattern(ValueError):
    """ftfy's pattern uses a construct the rewrite does not know."""


@dataclass(frozen=True)
class Atom:
    """One element of an alternative: a regex that matches one character (or none)."""

    source: str
    width: int
    """1, or 0 for ``^`` and ``$``."""
    ascii: bool
    """True when some ASCII character matches it."""
    size: int
    """How many characters it matches (a large number for ``.``, ``\\w``, negated classes)."""
    letter: bool = False
    """True for a single letter (a rarer anchor is preferred among single characters)."""


@dataclass(frozen=True)
class Anchored:
    """One alternative, rewritten: the character it consumes and what must hold around it."""

    anchor: str
    """A regex matching the one (never ASCII) character the alternative consumes."""
    context: str
    """Lookbehind and lookahead for the characters before and after the anchor."""
    single: bool
    """True when the anchor can be the only non-ASCII character of a match (its
    neighbours may be ASCII), so the "a neighbour is non-ASCII" pre-check must not apply."""


def fingerprint(pattern: str) -> str:
    """SHA-256 of a regex pattern (what :data:`CHECKED_FTFY` pins)."""
    return hashlib.sha256(pattern.encode("utf-8")).hexdigest()


def _tokens(pattern: str) -> list[str]:
    """Atoms (as regex source), ``?`` and ``|`` of a verbose-mode pattern."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c in _VERBOSE_SPACE:
            i += 1
        elif c == "#":
            end = pattern.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "|?":
            out.append(c)
            i += 1
        elif c == "\\":
            end = i + {"x": 4, "u": 6, "U": 10}.get(pattern[i + 1:i + 2], 2)
            if end > n or pattern[i + 1:i + 2] in ("", "N"):
                raise UnsupportedPattern(f"escape at offset {i}")
            out.append(pattern[i:end])
            i = end
        elif c == "[":
            j = i + 1
            if pattern[j:j + 1] == "^":
                j += 1
            if pattern[j:j + 1] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            if j >= n:
                raise UnsupportedPattern(f"unterminated character class at offset {i}")
            out.append(pattern[i:j + 1])
            i = j + 1
        elif c in "()*+{}":
            raise UnsupportedPattern(f"{c!r} at offset {i}")
        else:
            out.append(c if c in ".^$" else re.escape(c))
            i += 1
    return out


def _atom(source: str, flags: int) -> Atom:
    try:
        compiled = re.compile(source, flags)
        parsed = list(sre_parse.parse(source, flags))
    except re.error as exc:
        raise UnsupportedPattern(f"{source!r}: {exc}") from exc
    if len(parsed) != 1:
        raise UnsupportedPattern(f"{source!r} is not one character")
    op, arg = parsed[0]
    name = str(op)
    if name == "AT":
        return Atom(source, 0, False, 0)
    letter = False
    if name == "LITERAL":
        size, letter = 1, chr(arg).isalpha()
    elif name == "IN" and str(arg[0][0]) != "NEGATE":
        size = 0
        for item_op, item in arg:
            kind = str(item_op)
            size += 1 if kind == "LITERAL" else item[1] - item[0] + 1 if kind == "RANGE" else _BIG
    elif name in ("IN", "ANY"):
        size = _BIG
    else:
        raise UnsupportedPattern(f"{source!r} is not one character")
    ascii_ = any(compiled.fullmatch(chr(c)) for c in range(128))
    return Atom(source, 1, ascii_, size, letter)


def alternatives(pattern: str, flags: int = re.VERBOSE) -> list[tuple[Atom, ...]]:
    """The alternatives of ``pattern`` as sequences of atoms (``x?`` gives two)."""
    if flags & ~_ALLOWED_FLAGS:
        raise UnsupportedPattern(f"flags {re.RegexFlag(flags)!r}")
    flags &= ~re.VERBOSE
    branches: list[list[tuple[Atom, bool]]] = [[]]
    for token in _tokens(pattern):
        if token == "|":
            branches.append([])
        elif token == "?":
            if not branches[-1] or branches[-1][-1][1]:
                raise UnsupportedPattern("'?' after nothing or after '?'")
            branches[-1][-1] = (branches[-1][-1][0], True)
        else:
            branches[-1].append((_atom(token, flags), False))
    out: list[tuple[Atom, ...]] = []
    for branch in branches:
        if not branch:
            raise UnsupportedPattern("an empty alternative")
        variants: list[tuple[Atom, ...]] = [()]
        for atom, optional in branch:
            variants = [v + (atom,) for v in variants] + (variants if optional else [])
        out.extend(variants)
    return out


def anchored(alternative: Sequence[Atom]) -> Anchored:
    """``alternative`` rewritten around its rarest character that is never ASCII: the one
    whose class is smallest; on a tie a symbol before a letter ("€" in "β€"), then the
    last one ("Ђ" in "вЂ": the first character of ftfy's sequences is often a common
    letter)."""
    candidates = [i for i, a in enumerate(alternative) if a.width and not a.ascii]
    if not candidates:
        raise UnsupportedPattern(
            "an alternative that can match ASCII only: " + "".join(a.source for a in alternative))
    k = min(candidates, key=lambda i: (alternative[i].size, alternative[i].letter, -i))
    before, after = alternative[:k], alternative[k + 1:]
    context = ""
    if before:
        context += "(?<=" + "".join(a.source for a in before) + ".)"
    if after:
        context += "(?=" + "".join(a.source for a in after) + ")"

    def non_ascii(atoms: Sequence[Atom]) -> bool:
        return bool(atoms) and atoms[0].width == 1 and not atoms[0].ascii

    return Anchored(alternative[k].source, context,
                    not non_ascii(before[::-1]) and not non_ascii(after))


def rewrite(compiled: re.Pattern[str]) -> tuple[Anchored, ...]:
    """Every alternative of ``compiled`` (ftfy's ``BADNESS_RE``), anchored."""
    return tuple(anchored(a) for a in alternatives(compiled.pattern, compiled.flags))


def one_pass(alternatives: Sequence[Anchored]) -> re.Pattern[str]:
    """One regex matching each anchor character where its alternative holds.

    It starts with the union of the anchors (one character class, which the engine
    scans for in C); alternatives whose anchor always has a non-ASCII neighbour are tried
    only where one of the two neighbours is non-ASCII (most accented letters of correct
    text have ASCII letters on both sides), the few others only where the character is
    one of their anchors (one test of the union of their anchors first: an accented
    letter of correct text is none of them, and would otherwise be tried against each).
    Both tests are conditions every alternative behind them needs, and every alternative
    consumes exactly its anchor, so the matches are the alternatives' own.
    """
    def either(alts: Sequence[Anchored]) -> str:
        return "|".join(f"(?<={a.anchor}){a.context}" for a in alts)

    anchors = _anchor_union(alternatives)
    paired = [a for a in alternatives if not a.single]
    singles = [a for a in alternatives if a.single]
    body = f"(?:(?=[^\x00-\x7f])|(?<=[^\x00-\x7f].))(?:{either(paired)})" if paired else ""
    if singles:
        body += ("|" if body else "") + f"(?<={_anchor_union(singles)})(?:{either(singles)})"
    return re.compile(f"(?:{anchors})(?:{body})")


def _anchor_union(alternatives: Sequence[Anchored]) -> str:
    return "|".join(dict.fromkeys(a.anchor for a in alternatives))


def anchor_class(alternatives: Sequence[Anchored]) -> re.Pattern[str]:
    """The characters a match of :func:`one_pass` of ``alternatives`` can start at: it
    starts by consuming one of them. A text holding none of them has no match."""
    return re.compile(_anchor_union(alternatives))


def outside_block(anchors: re.Pattern[str], low: int, high: int) -> str | None:
    """The characters of the class ``anchors`` but ``low``-``high``, as a regex (empty
    when none is left), or None when ``anchors`` is not a plain class of characters and
    ranges (then it is not split).

    >>> outside_block(re.compile("[\\u00e9\\u2010-\\u2030]|x"), 0x2000, 0x2FFF)
    '[\\\\U000000e9-\\\\U000000e9]|[x-x]'
    """
    parsed = list(sre_parse.parse(anchors.pattern))
    if len(parsed) != 1:
        return None
    op, items = parsed[0]
    if op is sre_parse.LITERAL:
        items = [(op, items)]
    elif op is not sre_parse.IN:
        return None
    ranges: list[tuple[int, int]] = []
    for kind, value in items:
        if kind is sre_parse.LITERAL:
            ranges.append((value, value))
        elif kind is sre_parse.RANGE:
            ranges.append(value)
        else:  # NEGATE, a category: not a plain class
            return None
    kept = [(a, b) for lo, hi in ranges
            for a, b in ((lo, min(hi, low - 1)), (max(lo, high + 1), hi)) if a <= b]
    return "|".join(f"[{_escaped(a)}-{_escaped(b)}]" for a, b in kept)


def _escaped(code: int) -> str:
    return chr(code) if chr(code).isalnum() and code < 0x80 else f"\\U{code:08x}"
