"""Write records in any record format the sources read (tests, benchmarks, repaired copies).

The format follows the file name, as for reading (:func:`~corpus_qa.sources.registry.
format_of`): ``.jsonl`` plain or compressed one JSON object per line, ``.parquet`` with
one column per field. A text tree is written with :func:`write_text_tree`.

>>> import tempfile, pathlib
>>> from corpus_qa.sources.jsonl import load_jsonl
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = pathlib.Path(tmp) / "a.jsonl.gz"
...     n = write_records(path, [{"id": "x", "text": "caf\\u00e9"}])
...     [d.text for d in load_jsonl(path, "a.jsonl.gz", compression="gzip")]
['café']
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from corpus_qa.sources.registry import format_of

PARQUET_ROW_GROUP = 1000
"""Rows per Parquet row group (several groups per file exercise batched reading)."""


def write_records(path: str | Path, records: Iterable[Mapping[str, Any]]) -> int:
    """Write ``records`` to ``path`` in the format its name says; return how many."""
    target = Path(path)
    fmt = format_of(target.name)
    if fmt is None or fmt.kind == "text":
        raise ValueError(f"{target.name}: not a record format (use .jsonl[.gz|.zst|.bz2|.xz] "
                         "or .parquet)")
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt.kind == "parquet":
        return _write_parquet(target, list(records))
    return write_lines(target, (json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
                                for record in records))


def write_lines(path: str | Path, lines: Iterable[bytes]) -> int:
    """Write JSON Lines ``lines`` (bytes, each ending in a newline) as they are, compressed
    as the name of ``path`` says; return how many (repaired copies keep unchanged lines
    byte for byte)."""
    target = Path(path)
    fmt = format_of(target.name)
    if fmt is None or fmt.kind != "jsonl":
        raise ValueError(f"{target.name}: not a JSON Lines file name (.jsonl[.gz|.zst|.bz2|.xz])")
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with _open_for_writing(target, fmt.compression) as handle:
        for line in lines:
            handle.write(line)
            count += 1
    return count


def _open_for_writing(path: Path, compression: str | None) -> IO[bytes]:
    if compression is None:
        return path.open("wb")
    if compression == "gzip":
        return gzip.GzipFile(path, "wb", mtime=0)  # mtime 0: byte-identical output
    if compression == "bz2":
        return bz2.BZ2File(path, "wb")
    if compression == "xz":
        return lzma.LZMAFile(path, "wb")
    import zstandard

    return zstandard.ZstdCompressor().stream_writer(path.open("wb"), closefd=True)


def _write_parquet(path: Path, records: list[Mapping[str, Any]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([dict(r) for r in records])
    pq.write_table(table, path, row_group_size=PARQUET_ROW_GROUP)
    return len(records)


def write_text_tree(root: str | Path, documents: Mapping[str, str]) -> int:
    """Write ``{id: text}`` as ``root/<id>.txt`` files (UTF-8, text as is)."""
    for doc_id, text in documents.items():
        file = Path(root) / f"{doc_id}.txt"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(text.encode("utf-8"))
    return len(documents)
