"""Encoding repairs: mojibake spans re-decoded, stray control characters removed, NFC.

Only what the encoding checks flag is changed, never the whole document with
``ftfy.fix_text`` (which would also "fix" curly quotes and ligatures that are correct
text): each span :func:`corpus_qa.checks.encoding.misdecodings` confirms is given to
ftfy's encoding fixer, and the check's own code-page reading is used where ftfy has
none (cp1251 read as cp1252 …); each control character the control-character check
reports is removed; each run the NFC check would report is normalized.

Invalid bytes are not repaired here: the finding cannot say which encoding the file
was written in, so the fixer leaves the document as it is and reports it.

>>> fixed = repair_encoding("The caf\\u00c3\\u00a9 opened\\x07.")
>>> fixed.text, [e.reason for e in fixed.edits]
('The café opened.', ['mojibake', 'control_character'])
"""

from __future__ import annotations

import re
import unicodedata

import ftfy

# The checks' own finders, so a repair changes exactly what the checks report.
from corpus_qa.checks.encoding import misdecodings, stray_controls
from corpus_qa.repair.edits import Edit, Repaired, apply_edits

MAX_ROUNDS = 3
"""Mojibake of mojibake is repaired one layer per round; the text is stable well before."""

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def repair_mojibake(text: str) -> list[Edit]:
    """One edit per span the mojibake check confirms: ftfy's reading, else the check's."""
    edits = []
    for found in misdecodings(text):
        start, end = found.span
        segment = text[start:end]
        fixed = ftfy.fix_encoding(segment)
        if fixed == segment:  # a code-page pair ftfy does not try: the check's reading
            fixed = found.repaired
        if fixed != segment:
            edits.append(Edit("encoding", "mojibake", found.span, segment, fixed,
                              f"{found.right} text read as {found.wrong}, decoded again"))
    return edits


def remove_control_characters(text: str) -> list[Edit]:
    """One edit per stray control character (those the control-character check reports)."""
    return [Edit("encoding", "control_character", m.span(), m.group(), "",
                 f"control character U+{ord(m.group()):04X} removed")
            for m in stray_controls(text)]


def normalize_runs(text: str, form: str = "NFC") -> list[Edit]:
    """One edit per run of non-ASCII characters (with the letter before it) not in ``form``.

    Runs are cut before ASCII characters, which never compose with what precedes them,
    so normalizing each run gives the same text as normalizing the whole.
    """
    if text.isascii() or unicodedata.is_normalized(form, text):
        return []
    edits = []
    for match in _NON_ASCII_RUN.finditer(text):
        start = max(match.start() - 1, 0)
        piece = text[start:match.end()]
        normal = unicodedata.normalize(form, piece)
        if normal != piece:
            edits.append(Edit("encoding", "not_normalized", (start, match.end()), piece, normal,
                              f"normalized to {form}"))
    return edits


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in taken)


def repair_encoding(text: str, *, form: str = "NFC") -> Repaired:
    """Mojibake, control characters and normalization repaired, with one edit each.

    Each round looks at the text the previous round produced (edit spans are in that
    text); rounds stop when nothing changes, so the result is a fixed point.
    """
    edits: list[Edit] = []
    for _ in range(MAX_ROUNDS):
        found = repair_mojibake(text)
        taken = [e.span for e in found]
        found += [e for e in remove_control_characters(text) if not _overlaps(e.span, taken)]
        taken = [e.span for e in found]
        found += [e for e in normalize_runs(text, form) if not _overlaps(e.span, taken)]
        if not found:
            break
        text = apply_edits(text, found)
        edits.extend(sorted(found, key=lambda e: e.span))
    return Repaired(text, edits)
