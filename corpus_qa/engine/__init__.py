"""How a suite runs over a corpus: rows of plain values, passes, and the local pool.

* :mod:`~corpus_qa.engine.rows` — a document becomes one row of plain values (pass 1
  reads it once, resolves its metadata once, parses its header once);
* :mod:`~corpus_qa.engine.rowstore` — pass 1's rows kept on disk for the later passes,
  so they never read or parse a document again;
* :mod:`~corpus_qa.engine.scope` — GX validates the rows of one scope (documents,
  stories, corpus) and hands back each failing row's hits, found once;
* :mod:`~corpus_qa.engine.passes` — pass 1 on a chunk of documents, the story pass and
  the corpus pass;
* :mod:`~corpus_qa.engine.pool` — chunks on a process pool, in order, bounded.

:mod:`corpus_qa.runner` only orchestrates these. Nothing here knows an expectation by
its type name: expectations declare their scope, column, the metadata fields they
require and their corpus-wide pre-pass.
"""
