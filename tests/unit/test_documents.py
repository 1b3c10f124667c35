"""The document model: a Document survives the trip to a worker process unchanged."""

from __future__ import annotations

import copy
import dataclasses
import pickle

from corpus_qa.documents import Document, Field


def _every_field_set() -> Document:
    return Document(id="2024/a", text="caf\u00e9 \ufffd", path="corpus/2024/a.txt",
                    raw=b"caf\xc3\xa9 \xff",
                    fields={"date": Field("2024-01-02", "header", (5, 15))},
                    body_start=3, line=7, offset=120, record="line")


def test_pickled_document_keeps_every_field() -> None:
    doc = _every_field_set()
    # Every field differs from its default, so a field the pickling left out would show.
    defaults = Document(id="", text="", path="")
    for f in dataclasses.fields(Document):
        assert getattr(doc, f.name) != getattr(defaults, f.name), f.name
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        assert pickle.loads(pickle.dumps(doc, protocol=protocol)) == doc
    assert copy.copy(doc) == doc
    assert copy.deepcopy(doc) == doc


def test_a_text_decoded_from_its_bytes_travels_as_the_bytes() -> None:
    decoded = _every_field_set()
    assert decoded.raw is not None
    assert decoded.text == decoded.raw.decode("utf-8", errors="replace")
    # A text that is not its bytes decoded (a loader changed it) travels as it is.
    changed = dataclasses.replace(decoded, text="cafe ?")
    assert len(pickle.dumps(decoded)) < len(pickle.dumps(changed))  # its text left out
    for doc in (decoded, changed, dataclasses.replace(decoded, raw=None)):
        assert pickle.loads(pickle.dumps(doc)) == doc
