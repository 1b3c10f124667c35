"""The story view's data: versions side by side, sentences aligned, figures paired.

Built by the runner for each story of two or more versions and stored under
``stories[].pairs`` in the results; the HTML report renders it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corpus_qa.checks.figures import Figure, figure_table
from corpus_qa.checks.sentences import align


def _figure(figure: Figure | None) -> dict[str, Any] | None:
    if figure is None:
        return None
    return {"text": figure.text, "value": figure.value, "span": list(figure.span),
            "kind": figure.kind, "noun": figure.noun}


def pair_record(a_id: str, a_text: str, b_id: str, b_text: str,
                tolerance: float = 0.0) -> dict[str, Any]:
    """Two versions compared: aligned sentence spans and the figure table."""
    aligned = [[list(x.a_span), list(x.b_span)] for x in align(a_text, b_text) if x.paired]
    figures = [
        {"a": _figure(row.a), "b": _figure(row.b), "match": row.status == "same",
         "status": row.status}
        for row in figure_table(a_text, b_text, tolerance=tolerance)
    ]
    return {"documents": [a_id, b_id], "aligned": aligned, "figures": figures}


MAX_PAIRS = 20
"""Side-by-side views kept per story (the first version with each of the next ones)."""


def story_record(story_id: str, versions: Sequence[tuple[str, str]],
                 tolerance: float = 0.0) -> dict[str, Any]:
    """A story: its documents in order, and its first version compared with the next ones."""
    first_id, first_text = versions[0]
    return {
        "id": story_id,
        "documents": [doc_id for doc_id, _ in versions],
        "pairs": [pair_record(first_id, first_text, doc_id, text, tolerance)
                  for doc_id, text in versions[1:MAX_PAIRS + 1]],
        "pairs_omitted": max(0, len(versions) - 1 - MAX_PAIRS),
    }
