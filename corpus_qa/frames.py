"""GX-ready DataFrames of a corpus: the rows ``corpus-qa validate`` gives GX, for notebooks.

A Great Expectations user validates corpus-qa's expectation classes on a pandas
DataFrame. :func:`gx_dataframe` reads a corpus (any mix of the formats the loaders read)
and builds the same rows the runner validates (``corpus_qa/engine/rows.py``), so every
expectation finds the column it reads:

- ``rows="documents"``: ``id``, ``text``, ``raw`` (the bytes), ``body`` (text and where
  the body starts) and ``metadata`` (resolved once, with origins);
- ``rows="stories"``: ``id`` and ``versions`` (a list of the versions of each story of
  two or more documents), for the cross-version expectations.

Corpus-wide expectations (``expect_corpus_to_have_no_repeated_lines``) count over the
whole corpus first; ``corpus-qa validate`` runs that pre-pass.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus_qa.documents import Document
from corpus_qa.engine.rows import credits_of, grouping_date, validation_row
from corpus_qa.metadata import resolve

if TYPE_CHECKING:
    import pandas as pd

    from corpus_qa.suite import Suite

ROWS = ("documents", "stories")
COLUMNS = {"documents": ("id", "text", "raw", "body", "metadata"), "stories": ("id", "versions")}
"""The columns of each kind of frame (what ``corpus-qa list`` says each expectation reads)."""


class CorpusInputWarning(UserWarning):
    """Input of the corpus that could not become a document (file, line and why)."""


def gx_dataframe(paths: str | Path | Iterable[str | Path], *, rows: str = "documents",
                 suite: str | Path | Suite | None = None) -> pd.DataFrame:
    """A pandas DataFrame of the corpus at ``paths``, one row per document (or per story).

    ``suite`` (a path, ``builtin:news.yml`` by default, or a loaded suite) gives the
    record fields, the metadata phrase lists and the story threshold. Input that cannot
    be read is named in a :class:`CorpusInputWarning` (file, line, why); nothing is
    skipped silently and nothing in the corpus is written.
    """
    import pandas as pd

    from corpus_qa.engine.passes import new_grouper
    from corpus_qa.sources import iter_corpus

    if rows not in ROWS:
        raise ValueError(f"rows must be one of {', '.join(ROWS)}, got {rows!r}")
    loaded_suite = _suite(suite)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    phrases = loaded_suite.load_phrases()
    documents: list[tuple[Document, Any]] = []
    for item in iter_corpus([str(p) for p in paths], fields=loaded_suite.fields):
        if isinstance(item, Document):
            documents.append((item, resolve(item, phrases)))
        else:
            warnings.warn(f"{item.path}:{item.line}: {item.reason}: {item.message}",
                          CorpusInputWarning, stacklevel=2)
    if rows == "documents":
        frame = [validation_row(doc, meta.to_row()) for doc, meta in documents]
        return pd.DataFrame(frame, columns=list(COLUMNS["documents"]))
    grouper = new_grouper(loaded_suite)
    key_field = loaded_suite.versions.key
    by_id = {doc.id: (doc, meta) for doc, meta in documents}
    for doc, meta in documents:
        key = meta[key_field].value if key_field and key_field in meta else None
        grouper.add_signature(doc.id, grouper.signature(doc.text[doc.body_start:]), key,
                              grouping_date(meta))
    stories = []
    for story in grouper.groups():
        if len(story.documents) < 2:
            continue
        stories.append({"id": story.id, "versions": [
            {"id": doc.id, "text": doc.text, "body_start": doc.body_start,
             "metadata": meta.to_row(), "credits": credits_of(meta, phrases)}
            for doc, meta in (by_id[d] for d in story.documents)]})
    return pd.DataFrame(stories, columns=list(COLUMNS["stories"]))


def _suite(suite: str | Path | Suite | None) -> Suite:
    from corpus_qa.data import DEFAULT_SUITE
    from corpus_qa.suite import Suite, load_suite

    if isinstance(suite, Suite):
        return suite
    return load_suite(str(suite) if suite is not None else DEFAULT_SUITE)
