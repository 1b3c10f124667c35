"""What a repair did: an :class:`Edit` is one replacement in one document, with its reason.

Repairs are pure functions ``text (+ what the checks found) -> Repaired``; the fixer
writes the new text and reports every edit. Spans are in characters of the text the
repair was given (end exclusive), so a report can show before and after side by side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

FAMILIES = ("encoding", "boilerplate", "metadata", "diacritics")
"""The repair families, in the order the fixer applies them."""


@dataclass(frozen=True, slots=True)
class Edit:
    """One replacement: ``before`` at ``span`` became ``after``, for ``reason``.

    ``span`` is in characters of the text the repair was given. A metadata edit (a
    field set, no text changed) has ``field`` set, an empty span at 0, ``before`` the
    old value ("" when missing) and ``after`` the new one.
    """

    family: str
    reason: str
    span: tuple[int, int]
    before: str
    after: str
    message: str
    field: str | None = None
    origin: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"family": self.family, "reason": self.reason, "span": list(self.span),
                "before": self.before, "after": self.after, "message": self.message,
                "field": self.field, "origin": self.origin}


@dataclass(slots=True)
class Repaired:
    """A repair's result: the new text, its edits, and metadata fields to set.

    ``fields`` maps a metadata field to ``(value, origin)``; the fixer writes them to
    the document's front matter (text files) or metadata fields (records).
    """

    text: str
    edits: list[Edit] = field(default_factory=list)
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with each text edit's span replaced by its ``after`` (spans must not overlap).

    >>> apply_edits("a-b-c", [Edit("x", "r", (1, 2), "-", "+", ""),
    ...                       Edit("x", "r", (3, 4), "-", "", "")])
    'a+bc'
    """
    parts: list[str] = []
    pos = 0
    for edit in sorted((e for e in edits if e.field is None), key=lambda e: e.span):
        start, end = edit.span
        if start < pos:
            raise ValueError(f"overlapping edits at {edit.span}")
        parts.append(text[pos:start])
        parts.append(edit.after)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)

