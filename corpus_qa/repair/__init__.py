"""``corpus-qa fix``: one pure repair per family, each edit with its reason.

Nothing here reads or writes files, or imports GX or pandas: :mod:`corpus_qa.fixer`
runs the suite, hands each document's text and findings to these functions and writes
the repaired copy.
"""

from corpus_qa.repair.boilerplate import repair_boilerplate
from corpus_qa.repair.diacritics import restore_diacritics
from corpus_qa.repair.edits import FAMILIES, Edit, Repaired, apply_edits
from corpus_qa.repair.encoding import repair_encoding
from corpus_qa.repair.metadata import fill_missing

__all__ = ["FAMILIES", "Edit", "Repaired", "apply_edits", "fill_missing", "repair_boilerplate",
           "repair_encoding", "restore_diacritics"]
