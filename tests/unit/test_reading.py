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
    return FileToRead(Path("/c") / name, Path("/c"), f"c/{name}", size,
                      shard=not name.endswith(".txt"))


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


class _RecordingPool:
    """A pool that runs every job through ``remote`` here and records what it was sent."""

    def __init__(self) -> None:
        self.sent: list[object] = []

    def map(self, batches, local, remote):  # noqa: ANN001, ANN201
        for batch in batches:
            self.sent.append(batch)
            yield remote(batch)


def test_the_local_engine_sends_text_files_unread_and_reads_shards_here(tmp_path: Path) -> None:
    """Local worker pool: text files go to the workers as paths (read there), a shard is
    read here and its documents sent; ids, problems, skipped files and per-file counts
    come out as one reading of the corpus in walk order gives them."""
    from corpus_qa.engine.reading import FileBatch, WalkedFiles
    from corpus_qa.outputs import REPORT_MARKER

    (tmp_path / "01.txt").write_bytes(b"One.\n")
    (tmp_path / "02.txt").write_bytes(b"Two \x80 bad.\n")
    (tmp_path / "03.md").write_text(f"# A report\n{REPORT_MARKER}\n", encoding="utf-8")
    (tmp_path / "04.pdf").write_bytes(b"%PDF")
    # 01 is used before the shard (renamed here), 06 after it (its batch read again).
    write_records(tmp_path / "05.jsonl", [{"id": "01", "text": "Dup."}, {"id": "06", "text": "x"},
                                          {"text": "no id"}, {"id": "n", "text": "Nine."}])
    (tmp_path / "06.txt").write_bytes(b"Six.\n")
    (tmp_path / "07.txt").write_bytes(b"Seven.\n")
    (tmp_path / "08.txt").write_bytes(b"Eight.\n")
    expected_counts = SourceCounts()
    expected = list(iter_corpus([tmp_path], counts=expected_counts))

    counts = SourceCounts()
    walked = WalkedFiles([tmp_path], DEFAULT_FIELDS, None, counts, (), False, chunk_size=2)
    taken: list = []
    read: list[int] = []

    def take(item: object) -> Document | None:
        taken.append(item)
        return item if isinstance(item, Document) else None

    pool = _RecordingPool()
    parts = list(walked.validated_in_runs(
        pool, _validate, lambda batch: read_and_validate(batch, _validate), _validate, take,
        lambda n, skipped: read.append(n)))
    ids = [r["id"].removeprefix(f"{tmp_path}/") for part in parts for r in part.records]
    assert ids == [d.id.removeprefix(f"{tmp_path}/") for d in expected if isinstance(d, Document)]
    assert "05.jsonl#1" in ids and "06.txt#1" in ids  # both sides of a shared id renamed
    problems = [i for i in expected if not isinstance(i, Document)]
    assert [i for i in taken if not isinstance(i, Document)] == problems
    assert counts.to_json() == expected_counts.to_json()
    # What crossed to the workers: text files as paths, the shard's documents as read.
    shapes = [[Path(f.path).name for f in job.files] if isinstance(job, FileBatch)
              else [d.id.removeprefix(f"{tmp_path}/") for d in job[1]] for job in pool.sent]
    assert shapes == [["01.txt", "02.txt"], ["03.md", "04.pdf"], ["05.jsonl#1", "06"],
                      ["05.jsonl#3", "n"], ["06.txt", "07.txt"], ["08.txt"]]
    assert read == [2, 0, 1]  # 06.txt's batch was read again here


def test_a_batch_of_files_crosses_a_pipe_as_strings_and_reads_the_same(tmp_path: Path) -> None:
    """A pickled batch (what a worker gets) holds each text file's path as a string, a
    shard's as a Path, and reads exactly what the walk's own batch reads."""
    import pickle

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("date 2024-01-02 One story.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"bad \xff byte")
    write_records(tmp_path / "c.jsonl", [{"id": "x", "text": "One."}])
    walked = Walk([tmp_path], DEFAULT_FIELDS, None, SourceCounts(), False, read=False).items()
    for batch in file_batches(walked, DEFAULT_FIELDS, chunk_size=10):
        copy = pickle.loads(pickle.dumps(batch))
        assert [(str(f.path), str(f.root), f.shown, f.size, f.shard) for f in copy.files] == [
            (str(f.path), str(f.root), f.shown, f.size, f.shard) for f in batch.files]
        assert all(isinstance(f.path, Path) == f.shard for f in copy.files)
        assert (copy.number, copy.before, copy.fields, copy.chunk_size, copy.only) == (
            batch.number, batch.before, batch.fields, batch.chunk_size, batch.only)
        mine, theirs = read_and_validate(batch, _validate), read_and_validate(copy, _validate)
        assert (theirs.files, theirs.placed) == (mine.files, mine.placed)
        assert [c.records for c in theirs.chunks] == [c.records for c in mine.chunks]


def test_a_batch_of_text_files_is_validated_in_chunks_bounded_by_characters(
        tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A worker validates a batch of text files as a shard's documents are cut: at most
    ``chunk_size`` documents and CHUNK_CHARACTERS characters a chunk (what validating a
    chunk holds at once grows with its text)."""
    import corpus_qa.engine.pool as pool

    for name in "abcde":
        (tmp_path / f"{name}.txt").write_text(name * 10, encoding="utf-8")
    monkeypatch.setattr(pool, "CHUNK_CHARACTERS", 25)
    walked = Walk([tmp_path], DEFAULT_FIELDS, None, SourceCounts(), False, read=False).items()
    sizes: list[int] = []

    def validate(job: tuple[int, list]) -> ChunkResult:
        sizes.append(len(job[1]))
        return _validate(job)

    (batch,) = file_batches(walked, DEFAULT_FIELDS, chunk_size=100)
    result = read_and_validate(batch, validate)
    assert sizes == [2, 2, 1]  # 20 characters a chunk: a third file would make 30
    assert [r["id"] for part in result.chunks for r in part.records] == list("abcde")
    assert [part.records[0]["chunk"] for part in result.chunks] == [0, 1, 2]
