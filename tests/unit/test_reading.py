"""Pass 1 on batches of files (``--engine spark``): how the walk is cut, and ids."""

from __future__ import annotations

from pathlib import Path

from corpus_qa.documents import Document
from corpus_qa.engine.passes import ChunkResult
from corpus_qa.engine.reading import file_batches, read_and_validate, take_batch
from corpus_qa.sources import DEFAULT_FIELDS, InputProblem, SkippedFile, SourceCounts
from corpus_qa.sources.corpus import FileToRead, UniqueIds, Walk, iter_corpus
from corpus_qa.sources.write import write_records


def _file(name: str, size: int = 10) -> FileToRead:
    return FileToRead(Path("/c") / name, Path("/c"), f"c/{name}", size)


def test_shards_go_alone_text_files_together_and_walk_items_stay_in_order() -> None:
    problem = InputProblem("c/fifo.txt", 1, "special_file", "not read")
    walked = [_file("a.txt"), _file("b.txt"), _file("c.txt"), _file("d.jsonl.gz"),
              _file("e.txt"), problem, _file("f.parquet"), SkippedFile("c/notes.pdf")]
    batches = list(file_batches(walked, DEFAULT_FIELDS, chunk_size=2))
    assert [[f.path.name for f in b.files] for b in batches] == [
        ["a.txt", "b.txt"], ["c.txt"], ["d.jsonl.gz"], ["e.txt"], ["f.parquet"], []]
    assert [b.before for b in batches] == [[], [], [], [], [problem],
                                           [SkippedFile("c/notes.pdf")]]
    assert [b.number for b in batches] == list(range(6))
    big = list(file_batches([_file("a.txt", 40 << 20), _file("b.txt", 40 << 20)],
                            DEFAULT_FIELDS, chunk_size=100))
    assert len(big) == 2  # over the bytes of one batch


def test_unique_ids_accept_only_new_ids() -> None:
    unique = UniqueIds()
    assert unique.accept([("a", "x.txt"), ("b", "y.txt")])
    assert not unique.accept([("c", "z.txt"), ("a", "w.txt")])  # a is used
    assert not unique.accept([("d", "z.txt"), ("d", "w.txt")])  # d twice
    assert {k: unique.seen.get(k) for k in "abcd"} == {
        "a": "x.txt", "b": "y.txt", "c": None, "d": None}


def _validate(job: tuple[int, list]) -> ChunkResult:
    number, documents = job
    return ChunkResult(counts={}, errors=[], findings=[],
                       records=[{"id": d.id, "chunk": number} for d in documents])


def test_a_batch_with_a_used_id_is_read_again_and_renamed_as_locally(tmp_path: Path) -> None:
    write_records(tmp_path / "a.jsonl", [{"id": "x", "text": "One."}, {"id": "y", "text": "Two."}])
    write_records(tmp_path / "b.jsonl", [{"id": "y", "text": "Three."}, {"text": "no id"}])
    local_ids = [d.id for d in iter_corpus([tmp_path]) if isinstance(d, Document)]
    counts, unique = SourceCounts(), UniqueIds()
    walked = Walk([tmp_path], DEFAULT_FIELDS, None, counts, False, read=False).items()
    taken: list = []
    read: list[int] = []
    ids = []

    def take(item: object) -> Document | None:
        taken.append(item)
        return item if isinstance(item, Document) else None

    for batch in file_batches(walked, DEFAULT_FIELDS, chunk_size=10):
        result = read_and_validate(batch, _validate)
        for part in take_batch(batch, result, unique, counts,
                               take, lambda n, skipped: read.append(n),
                               _validate):
            ids.extend(r["id"] for r in part.records)
    assert ids == local_ids and len(set(ids)) == 4  # the record without id is path#2
    assert read == [2]  # a.jsonl taken from its task; b.jsonl read again here
    assert any(isinstance(i, InputProblem) and i.reason == "duplicate_id" for i in taken)
    local_counts = SourceCounts()
    list(iter_corpus([tmp_path], counts=local_counts))
    assert counts.to_json() == local_counts.to_json()


def test_a_run_restricted_to_some_ids_validates_only_those_in_the_task(tmp_path: Path) -> None:
    """--changed-since on Spark: the task reads the whole file (for its ids) but validates
    only the selected documents; the others are counted as skipped."""
    write_records(tmp_path / "a.jsonl", [{"id": "x", "text": "One."}, {"id": "y", "text": "Two."},
                                         {"id": "z", "text": "Three."}])
    counts, unique = SourceCounts(), UniqueIds()
    walked = Walk([tmp_path], DEFAULT_FIELDS, None, counts, False, read=False).items()
    read: list[tuple[int, int]] = []
    ids = []
    for batch in file_batches(walked, DEFAULT_FIELDS, chunk_size=10, only=frozenset({"x", "z"})):
        result = read_and_validate(batch, _validate)
        assert [i for i, _ in result.placed] == ["x", "y", "z"]  # every id is known
        for part in take_batch(batch, result, unique, counts, lambda item: None,
                               lambda n, skipped: read.append((n, skipped)), _validate):
            ids.extend(r["id"] for r in part.records)
    assert ids == ["x", "z"]
    assert read == [(2, 1)]
