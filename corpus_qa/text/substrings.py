"""Which of a fixed set of strings occur in a text, found in one pass of one regex.

The furniture cue list and the metadata phrase list run an entry's regex only where one
of its *trigger* strings occurs (``t in line.lower()``): a few hundred substring tests
per line or window. :class:`Substrings` answers all of them at once: its regex is the
strings' trie (one branch per first character, then per next character …), searched
from each position where a string starts; at each such position the trie's greedy match
is the longest string there, and the strings found are that one and every string of the
set inside it. So :meth:`Substrings.present` is exactly ``{s for s in strings if s in
text}`` (a property test holds it to that), 4–5× faster on a line of the cue list's
triggers.

>>> found = Substrings(["site", "website", "web", "cookie"])
>>> sorted(found.present("our website uses cookies"))
['cookie', 'site', 'web', 'website']
>>> found.present("nothing here")
set()
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""
"""The key that marks a string ending at a trie node (a character key is never empty)."""

_Trie = dict[str, "_Trie"]


def _trie(strings: Iterable[str]) -> _Trie:
    root: _Trie = {}
    for string in strings:
        node = root
        for char in string:
            node = node.setdefault(char, {})
        node[_END] = {}
    return root


def _pattern(node: _Trie) -> str:
    """The regex of a trie node: its children's branches (each opens with its own
    literal character, which the regex engine tests before entering the branch), optional
    when a string ends at the node — greedy, so the longest string is tried first."""
    branches = [re.escape(char) + _pattern(child)
                for char, child in sorted(node.items()) if char != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if _END in node else body


class Substrings:
    """A fixed set of non-empty strings; :meth:`present` says which occur in a text."""

    __slots__ = ("_inside", "_search", "strings")

    def __init__(self, strings: Iterable[str]) -> None:
        self.strings: frozenset[str] = frozenset(strings)
        if "" in self.strings:
            raise ValueError("the empty string occurs in every text; leave it out")
        self._search = re.compile(_pattern(_trie(self.strings))).search
        # each string -> the strings of the set it contains (itself included): what else
        # occurs wherever it does
        self._inside = {u: frozenset(s for s in self.strings if s in u) for u in self.strings}

    def __reduce__(self) -> tuple[object, ...]:  # pickle the strings, recompile on load
        return (Substrings, (sorted(self.strings),))

    def present(self, text: str) -> set[str]:
        """The strings of the set that occur in ``text`` (case-sensitive, as ``in``).

        Every occurrence of a string starts at a position the loop searches from (it
        moves on one character past each match's start), and the match there is the
        longest string starting there, which contains the shorter ones as prefixes.
        """
        found: set[str] = set()
        if not self.strings:
            return found
        search, inside, pos = self._search, self._inside, 0
        while (m := search(text, pos)) is not None:
            found |= inside[m.group()]
            pos = m.start() + 1
        return found
