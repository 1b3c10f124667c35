"""Boilerplate repairs: notices, a glued title/byline and furniture lines leave the body.

A hit's text is removed with the whitespace that joined it to its neighbours; a line
left with nothing but spaces and punctuation goes as a whole (its line break too).
What the hit says belongs in metadata (``move into metadata: source, licence``) is
moved there: the title and the byline name from the hit's suggestion, a notice's
source or licence from the value the metadata resolver read in the removed text.
A field the document already has (front matter, header, record field) is kept.

>>> text = "Share this article\\nThe mayor spoke.\\n"
>>> from corpus_qa.findings import Hit
>>> repair_boilerplate(text, [Hit("call_to_action", "…", (0, 18))]).text
'The mayor spoke.\\n'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from corpus_qa.findings import HitLike
from corpus_qa.repair.edits import Edit, Repaired, apply_edits

REPAIRED_REASONS = frozenset({
    "syndication_notice", "licence_notice", "call_to_action", "cookie_notice", "legal_notice",
    "page_furniture", "title_in_body", "byline_in_body",
})
"""Reasons removed from the body. ``possible_furniture`` and ``repeated_line`` are not:
the classifier is unsure, and a line repeated across stories may be the story's own."""

_MOVE_TO = re.compile(r"move into metadata: ([a-z_]+(?:, [a-z_]+)*)\s*$")
_LEFTOVER = re.compile(r"[\s\W_]*")  # nothing worth keeping on a line: spaces, punctuation


def _fields_named(message: str) -> list[str]:
    match = _MOVE_TO.search(message)
    return match.group(1).split(", ") if match else []


def _line_of(text: str, at: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return start, len(text) if end < 0 else end


def _removals(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The character ranges to delete for ``spans`` (sorted, not overlapping)."""
    by_line: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for span in sorted(spans):
        by_line.setdefault(_line_of(text, span[0]), []).append(span)
    out: list[tuple[int, int]] = []
    for (start, end), found in by_line.items():
        rest, pos = [], start
        for s, e in found:
            rest.append(text[pos:s])
            pos = max(pos, e)
        rest.append(text[pos:end])
        if _LEFTOVER.fullmatch("".join(rest)):  # the whole line is boilerplate
            if end < len(text):
                out.append((start, end + 1))
            else:  # the last line: take the line break before it instead
                out.append((max(start - 1, 0) if start > 0 else 0, end))
            continue
        for s, e in found:
            after = e
            while after < end and text[after] in " \t":
                after += 1
            if after == end:  # at the end of the line: take the spaces before it
                while s > start and text[s - 1] in " \t":
                    s -= 1
                out.append((s, end))
            else:
                out.append((s, after))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(out):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def repair_boilerplate(
    text: str,
    hits: Iterable[HitLike],
    metadata: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    body_start: int = 0,
) -> Repaired:
    """``text`` without the boilerplate ``hits`` (in the body), and the fields they carry.

    ``metadata`` is the document's resolved metadata in row form (``value``, ``raw``,
    ``origin`` per field): a notice's fields are taken from there when what the resolver
    read is part of the notice, and fields the document already has are not overwritten.
    """
    metadata = metadata or {}
    chosen = [h for h in hits if h.reason in REPAIRED_REASONS and h.span[0] >= body_start
              and h.span[1] > h.span[0]]
    if not chosen:
        return Repaired(text)
    fields: dict[str, tuple[str, str]] = {}
    notes: dict[tuple[int, int], list[str]] = {}
    for hit in chosen:
        moved = []
        for name in _fields_named(hit.message):
            known = metadata.get(name) or {}
            if known.get("origin") in ("field", "front_matter", "header") or name in fields:
                continue  # the document states it already
            value: str | None = None
            if hit.reason in ("title_in_body", "byline_in_body"):
                value = hit.suggestion
            else:
                said = str(known.get("raw") or known.get("value") or "")
                if known.get("value") and said and said in text[hit.span[0]:hit.span[1]]:
                    value = str(known["value"])  # the resolver read it in this notice
            if value:
                fields[name] = (value, f"{hit.reason} at {hit.span[0]}-{hit.span[1]}")
                moved.append(f"{name}: {value}")
        notes[hit.span] = moved
    edits = []
    for start, end in _removals(text, [h.span for h in chosen]):
        inside = [h for h in chosen if start <= h.span[0] and h.span[1] <= end]
        reasons = ", ".join(dict.fromkeys(h.reason for h in inside)) or "boilerplate"
        moved = [m for h in inside for m in notes.get(h.span, [])]
        message = "removed from the body" + (f"; moved to metadata: {'; '.join(moved)}"
                                             if moved else "")
        edits.append(Edit("boilerplate", reasons, (start, end), text[start:end], "", message))
    return Repaired(apply_edits(text, edits), edits, fields)
