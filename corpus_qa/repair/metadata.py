"""Metadata repairs: a missing field filled with the value another version of the story gives.

Only with ``--accept-suggestions``: the value is the other version's, not this
document's, so the fixer records where it came from (``suggestion from <id>``).

>>> fill_missing([("source", "Voice of America", "001")]).fields
{'source': ('Voice of America', 'suggestion from 001')}
"""

from __future__ import annotations

from collections.abc import Iterable

from corpus_qa.repair.edits import Edit, Repaired


def fill_missing(missing: Iterable[tuple[str, str, str]], text: str = "") -> Repaired:
    """Fields to set for ``(field, suggested value, id of the version it comes from)``."""
    fields: dict[str, tuple[str, str]] = {}
    edits = []
    for name, value, source in missing:
        if not value or name in fields:
            continue
        origin = f"suggestion from {source}"
        fields[name] = (value, origin)
        edits.append(Edit("metadata", "missing_field", (0, 0), "", value,
                          f"{name} filled from another version of the story ({source})",
                          field=name, origin=origin))
    return Repaired(text, edits, fields)
