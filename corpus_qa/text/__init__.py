"""The one copy of each text primitive, shared by every check, the resolver and the tests.

- :mod:`corpus_qa.text.segment` — sentences with character offsets, non-blank lines;
- :mod:`corpus_qa.text.fold` — diacritics folding and the loose comparison keys;
- :mod:`corpus_qa.text.calendar` — month and weekday names, abbreviations, numbers;
- :mod:`corpus_qa.text.headline` — a title and a byline at the top of a body.

Every module is pure: ``str`` in, plain values out; no GX, pandas or I/O.
See ``docs/text.md``.
"""
