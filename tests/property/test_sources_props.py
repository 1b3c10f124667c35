"""Property tests for corpus_qa.sources.

- arbitrary records round-trip through every writer and reader (JSON Lines plain, gzip,
  zstd, bz2, xz, and Parquet): same ids, texts, line/row numbers and metadata values;
- a compressed stream cut anywhere never raises, and yields exactly the records whose
  lines the decompressor could still produce (oracle: the codec's own incremental
  decompressor on the cut bytes), then one ``truncated_stream`` problem at the next line;
- a byte flipped anywhere in a plain JSON Lines file never raises and never touches the
  records on the lines before it; in a compressed file it never raises.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_qa.documents import Document
from corpus_qa.sources import InputProblem, iter_corpus
from corpus_qa.sources.write import write_records

SUFFIXES = [".jsonl", ".jsonl.gz", ".jsonl.zst", ".jsonl.bz2", ".jsonl.xz", ".parquet"]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
VALUE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
RECORDS = st.lists(
    st.fixed_dictionaries({
        "id": st.one_of(st.none(), VALUE),
        "text": TEXT,
        "metadata": st.fixed_dictionaries({"source": st.one_of(st.none(), VALUE),
                                           "date": st.one_of(st.none(), VALUE)}),
    }),
    min_size=1, max_size=30,
)
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _read(path: Path) -> list:
    return list(iter_corpus([path]))


@SETTINGS
@given(records=RECORDS, suffix=st.sampled_from(SUFFIXES))
def test_records_round_trip_through_every_format(records: list[dict], suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"shard{suffix}"
        write_records(path, records)
        items = _read(path)
    shown = path.as_posix()
    ids = [r["id"] for r in records if r["id"]]
    docs = [i for i in items if isinstance(i, Document)]
    problems = [i for i in items if isinstance(i, InputProblem)]
    # The only problems arbitrary records can cause are repeated ids (renamed, kept).
    assert all(p.reason == "duplicate_id" for p in problems)
    assert len(problems) == len(ids) - len(set(ids))
    assert [d.text for d in docs] == [r["text"] for r in records]
    assert [d.line for d in docs] == list(range(1, len(records) + 1))
    row = "row" if suffix == ".parquet" else ""
    seen: set[str] = set()
    for n, (doc, record) in enumerate(zip(docs, records, strict=True), start=1):
        expected = record["id"] or f"{shown}#{row}{n}"
        if expected in seen:
            expected = f"{shown}#{row}{n}"
        assert doc.id == expected
        seen.add(doc.id)
        values = {k: f.value for k, f in doc.fields.items()}
        assert values == {k: v for k, v in record["metadata"].items() if v is not None}


def _lines_bytes(n: int) -> tuple[list[str], bytes]:
    texts = [f"record {i} " + "word " * (i % 17) for i in range(n)]
    data = b"".join(b'{"id": "d%d", "text": "%s"}\n' % (i, t.encode()) for i, t in enumerate(texts))
    return texts, data


def _zstd_prefix(cut: bytes) -> bytes:
    return zstandard.ZstdDecompressor().decompressobj().decompress(cut)


CODECS: dict[str, tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]] = {
    ".gz": (lambda b: gzip.compress(b, mtime=0),
            lambda c: zlib.decompressobj(31).decompress(c)),
    ".zst": (lambda b: zstandard.ZstdCompressor(level=3).compress(b), _zstd_prefix),
    ".bz2": (lambda b: bz2.compress(b, 1), lambda c: bz2.BZ2Decompressor().decompress(c)),
    ".xz": (lambda b: lzma.compress(b), lambda c: lzma.LZMADecompressor().decompress(c)),
}
TEXTS, DATA = _lines_bytes(4000)
COMPRESSED = {suffix: compress(DATA) for suffix, (compress, _) in CODECS.items()}


@settings(max_examples=60, deadline=None)
@given(suffix=st.sampled_from(sorted(CODECS)), fraction=st.floats(0, 1, exclude_max=True))
def test_cut_stream_keeps_every_record_the_codec_can_still_give(suffix: str,
                                                               fraction: float) -> None:
    whole = COMPRESSED[suffix]
    cut = whole[: int(len(whole) * fraction)]
    complete = CODECS[suffix][1](cut).count(b"\n")  # the oracle: lines still decodable
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"cut.jsonl{suffix}"
        path.write_bytes(cut)
        items = _read(path)
    if not cut:
        assert items == []  # an empty file is an empty shard, in every codec
        return
    docs = [i for i in items if isinstance(i, Document)]
    assert [d.text for d in docs] == TEXTS[:complete]
    assert [type(i) for i in items[len(docs):]] == [InputProblem]
    problem = items[-1]
    assert (problem.reason, problem.line) == ("truncated_stream", complete + 1)


@settings(max_examples=60, deadline=None)
@given(position=st.floats(0, 1, exclude_max=True), xor=st.integers(1, 255))
def test_flipped_byte_in_plain_jsonl_spares_the_lines_before(position: float, xor: int) -> None:
    data = bytearray(DATA[:20_000])
    at = int(len(data) * position)
    data[at] ^= xor
    intact = bytes(data[:at]).count(b"\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "flip.jsonl"
        path.write_bytes(bytes(data))
        items = _read(path)
    docs = [i for i in items if isinstance(i, Document)]
    assert [d.text for d in docs[:intact]] == TEXTS[:intact]
    assert all(d.line == n for n, d in enumerate(docs[:intact], start=1))


@settings(max_examples=60, deadline=None)
@given(suffix=st.sampled_from(sorted(CODECS)), position=st.floats(0, 1, exclude_max=True),
       xor=st.integers(1, 255))
def test_flipped_byte_in_a_compressed_stream_never_raises(suffix: str, position: float,
                                                          xor: int) -> None:
    data = bytearray(COMPRESSED[suffix])
    data[int(len(data) * position)] ^= xor
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"flip.jsonl{suffix}"
        path.write_bytes(bytes(data))
        items = _read(path)
    assert all(isinstance(i, Document | InputProblem) for i in items)
    docs = [i for i in items if isinstance(i, Document)]
    # What is read before the first problem is the corpus itself, record for record.
    first_problem = next((n for n, i in enumerate(items) if isinstance(i, InputProblem)),
                         len(items))
    clean = [i for i in items[:first_problem] if isinstance(i, Document)]
    assert len(docs) >= len(clean)
    assert all(d.line >= 1 for d in docs)


# --- a file's id and name below the corpus root, by string operations ---------------------

_PART = st.text(st.sampled_from("ab.é _-\udcff\n0"), min_size=1, max_size=6).filter(
    lambda part: part not in (".", ".."))


@settings(max_examples=300, deadline=None)
@given(st.lists(_PART, max_size=3), st.lists(_PART, min_size=1, max_size=3),
       st.sampled_from(["", "/", "./"]))
def test_relative_name_and_document_id_are_pathlibs(root_parts, below, start) -> None:
    from pathlib import Path

    from corpus_qa.paths import document_id, printable, relative_name

    root = Path(start + "/".join(root_parts)) if root_parts or start else Path(".")
    path = root.joinpath(*below)
    expected = path.relative_to(root)
    assert relative_name(path, root) == str(expected)
    assert document_id(relative_name(path, root)) == printable(
        expected.with_suffix("").as_posix())
