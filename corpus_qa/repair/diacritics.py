"""Diacritics repairs: an ASCII-folded word restored from another version of the story.

A plain word (``Lopez``) is restored when another version always writes it accented
(``López``): the same evidence the diacritics check reports on, so what is restored is
exactly what it flags. Only with ``--accept-suggestions``. The restored word is
written in NFC, whatever form the other version uses (a version in NFD must not pass
its decomposed accents on).

>>> restore_diacritics("Mr Lopez and Mr Lopez", [("b", "Mr López spoke")]).text
'Mr López and Mr López'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from corpus_qa.checks.versions import _consistent_accents as consistent_accents
from corpus_qa.repair.edits import Edit, Repaired, apply_edits
from corpus_qa.text.fold import WORD, fold_diacritics


def restore_diacritics(text: str, others: Sequence[tuple[str, str]]) -> Repaired:
    """``text`` with each plain word that one of ``others`` (``(id, text)``) always accents."""
    accents = [(doc_id, consistent_accents(other)) for doc_id, other in others]
    edits = []
    for match in WORD.finditer(text):
        word = match.group()
        if fold_diacritics(word) != word:
            continue
        found = next(((doc_id, a[word][0]) for doc_id, a in accents if word in a), None)
        if found is not None:
            accented = unicodedata.normalize("NFC", found[1])
            edits.append(Edit("diacritics", "diacritics_stripped", match.span(), word, accented,
                              f"accents restored as {found[0]} writes it"))
    return Repaired(apply_edits(text, edits), edits)
