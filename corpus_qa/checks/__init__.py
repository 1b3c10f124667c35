"""Pure checks: each takes a document's text (or bytes, or a story's versions) and
returns :class:`corpus_qa.findings.Hit` objects. No GX, no I/O."""
