"""The runner on an in-memory source: one read, one resolution, one check run per row.

Documents come from a generator that counts what it yields and whose paths do not
exist, so a pass that went back to the corpus would fail. Metadata resolution, header
parsing and every check are counted by wrapping the functions the expectations call.
"""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import corpus_qa.checks.boilerplate as bp
import corpus_qa.checks.encoding as enc
import corpus_qa.checks.furniture as fu
import corpus_qa.checks.versions as vc
import corpus_qa.engine.passes as passes
import corpus_qa.expectations.boilerplate as eb
import corpus_qa.expectations.versions as ev
import corpus_qa.metadata as md
import corpus_qa.sources.text as loaders
from benchmarks.news_corpus import document as news_document
from corpus_qa.documents import Document
from corpus_qa.gate import gate
from corpus_qa.mutations import inject_control_character, inject_mojibake
from corpus_qa.results import stream_json
from corpus_qa.runner import Runner
from corpus_qa.suite import load_suite
from tests.conftest import NEWS, SEEDS

FOOTER = "Follow our newsroom on the Example Wire app for more stories like this one."


def _documents() -> list[Document]:
    """The seeds, a three-version story, mojibake, a control character, a shared footer."""
    rng = random.Random(3)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    story = ("date 2024-03-02\nThe council approved 12 new schools in Kraków on Monday, "
             "and officials said about 3,000 pupils would move in September.\n\n"
             "Work begins in May and costs 40 million zlotys.\n")
    texts["story-a"] = story
    texts["story-b"] = story.replace("12 new", "14 new")
    texts["story-c"] = story.replace("Monday", "Tuesday")
    for n, topic in enumerate(["water", "energy", "school", "road", "rail"]):
        body = news_document(random.Random(n), target_chars=600)
        texts[f"note-{topic}"] = f"date 2024-01-0{n + 1}\n{body}\n{FOOTER}\n"
    mojibake = inject_mojibake(texts["note-water"], rng)
    control = inject_control_character(texts["note-road"], rng)
    assert mojibake and control
    texts["note-water"], texts["note-road"] = mojibake[0], control[0]
    docs = []
    for doc_id, text in texts.items():
        doc = Document(id=doc_id, text=text, path=f"in-memory/{doc_id}.txt",
                       raw=text.encode("utf-8"))
        loaders.read_text_metadata(doc)
        docs.append(doc)
    return docs


class CountingSource:
    """An in-memory source that counts how often each document is read."""

    def __init__(self, docs: list[Document]) -> None:
        self.docs = docs
        self.reads: Counter[str] = Counter()

    def __iter__(self) -> Iterator[Document]:
        for doc in self.docs:
            self.reads[doc.id] += 1
            yield doc


def _count(monkeypatch: pytest.MonkeyPatch, calls: Counter[str], module: Any, name: str,
           label: str | None = None) -> None:
    original: Callable[..., Any] = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[label or name] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


@pytest.fixture(scope="module")
def suite() -> Any:
    return load_suite(NEWS)


def test_each_document_is_read_resolved_and_parsed_once(
        suite: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _documents()
    source = CountingSource(docs)
    calls: Counter[str] = Counter()
    _count(monkeypatch, calls, passes, "resolve")
    _count(monkeypatch, calls, loaders, "read_text_metadata", "header")
    _count(monkeypatch, calls, eb, "body_start_of", "header")
    _count(monkeypatch, calls, ev, "body_start_of", "header")
    runner = Runner(suite, workers=1, chunk_size=4)  # several chunks
    result = runner.run_items(source, ["in-memory"])

    assert set(source.reads.values()) == {1} and len(source.reads) == len(docs)
    assert calls["resolve"] == len(docs) == runner.stats["resolutions"]
    assert calls["header"] == 0  # parsed by the loader, never again
    assert len(result.documents) == len(docs)
    stories = {s["id"]: s["documents"] for s in result.stories}
    assert sorted(sorted(d) for d in stories.values()) == [
        sorted(["000_c3359af66ac874be", "001_a1d7f1edd2253686"]),
        ["story-a", "story-b", "story-c"]]
    # The later passes and the report read the stored rows, not the corpus.
    assert result.text_of is not None
    assert result.text_of("story-b") == next(d.text for d in docs if d.id == "story-b")


def test_each_check_runs_once_per_row(suite: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _documents()
    calls: Counter[str] = Counter()
    # Checks without a cheaper predicate: they run as GX's condition, once per row.
    for module, name in ((md, "check_has_metadata"), (md, "check_date_valid"),
                         (bp, "find_document_boilerplate"), (bp, "find_flattened_paragraphs"),
                         (ev, "compare_versions"), (vc, "check_preserved_diacritics"),
                         (vc, "check_consistent_metadata")):
        _count(monkeypatch, calls, module, name)
    # The furniture classifier: both furniture expectations read its verdicts, found once.
    _count(monkeypatch, calls, fu.CueSet, "find", "classify furniture")
    # Checks with a cheap predicate: their hits are found for the failing rows only.
    for name in ("find_invalid_utf8", "find_mojibake", "find_control_characters",
                 "find_unnormalized"):
        _count(monkeypatch, calls, enc, name)
    runner = Runner(suite, workers=1, chunk_size=5)
    result = runner.run_items(iter(docs), ["in-memory"])
    outcome = {o.type: o for o in result.outcomes}
    n_docs, n_stories = len(docs), len(result.stories)
    assert n_stories == 2

    assert calls["check_has_metadata"] == n_docs
    assert calls["check_date_valid"] == n_docs
    assert calls["find_document_boilerplate"] == n_docs
    assert calls["find_flattened_paragraphs"] == n_docs
    assert calls["classify furniture"] == n_docs
    assert calls["check_preserved_diacritics"] == n_stories
    assert calls["compare_versions"] == n_stories  # stories of at most 8 versions: one call
    # Consistent metadata and consistent credit lines: one call each per story.
    assert calls["check_consistent_metadata"] == 2 * n_stories
    for name, expectation in (
            ("find_invalid_utf8", "expect_document_to_be_valid_utf8"),
            ("find_mojibake", "expect_document_to_have_no_mojibake"),
            ("find_control_characters", "expect_document_to_have_no_control_characters"),
            ("find_unnormalized", "expect_document_to_be_unicode_normalized")):
        assert calls[name] == outcome[expectation].unexpected, name
    failing = {e: {f.document for f in result.findings if f.expectation == e}
               for e in outcome}
    assert failing["expect_document_to_have_no_mojibake"] == {"note-water"}
    assert "note-road" in failing["expect_document_to_have_no_control_characters"]
    assert outcome["expect_versions_to_have_consistent_figures"].unexpected == 1
    assert outcome["expect_corpus_to_have_no_repeated_lines"].unexpected == 5
    assert {f.reason for f in result.findings} >= {
        "mojibake", "control_character", "figure_changed", "repeated_line", "missing_field",
        "diacritics_stripped", "licence_notice"}


def test_the_story_view_shows_the_tables_the_figure_check_used(suite: Any) -> None:
    result = Runner(suite, workers=1).run_items(iter(_documents()), ["in-memory"])
    story = next(s for s in result.stories if "story-a" in s["documents"])
    first = story["documents"][0]
    assert "pairs" not in story  # on disk, read back by the report
    pairs = result.pairs_of(story["id"])
    assert [p["documents"][0] for p in pairs] == [first, first]
    changed = {f.span if f.document == first else f.related.span for f in result.findings
               if f.reason == "figure_changed"
               and (f.document == first or f.related and f.related.document == first)}
    shown = {tuple(row["a"]["span"]) for pair in pairs for row in pair["figures"]
             if row["status"] == "changed"}
    assert changed and changed <= shown


def test_a_duplicate_id_is_reported_and_both_documents_are_kept(suite: Any) -> None:
    docs = [Document(id="r1", text="Officials counted 12 boats on Monday.", path="a.jsonl",
                     line=1),
            Document(id="r1", text="A different story about 40 trains in Kraków.",
                     path="b.jsonl", line=7)]
    result = Runner(suite, workers=1).run_items(iter(docs), ["in-memory"])
    assert [d["id"] for d in result.documents] == ["r1", "b.jsonl#7"]
    (problem,) = [f for f in result.findings if f.expectation == "input"]
    assert (problem.reason, problem.path, problem.line) == ("duplicate_id", "b.jsonl", 7)
    assert "already used at a.jsonl:1" in problem.message
    assert result.outcomes[0].unexpected == 1  # the input pseudo-expectation fails


def test_a_record_that_did_not_load_counts_as_a_checked_input(suite: Any) -> None:
    from corpus_qa.sources import InputProblem

    items = [InputProblem("a.jsonl", 3, "missing_text", "record has no string 'text' field",
                          document="r3"),
             Document(id="r4", text="Officials counted 12 boats.", path="a.jsonl", line=4)]
    result = Runner(suite, workers=1).run_items(iter(items), ["in-memory"])
    assert (result.outcomes[0].checked, result.outcomes[0].unexpected) == (2, 1)


def test_every_mojibake_run_of_a_document_is_one_finding_with_many_spans(suite: Any) -> None:
    runs = ["cafÃ©", "Ã©tÃ©", "Ã¼ber", "naÃ¯ve"]
    text = "date 2024-03-02\n" + "".join(
        f"Line {n} of the report mentions the {word} in Lyon.\n" for n, word in enumerate(runs))
    docs = [Document(id="m1", text=text, path="m1.txt", raw=text.encode("utf-8"))]
    loaders.read_text_metadata(docs[0])
    result = Runner(suite, workers=1).run_items(iter(docs), ["in-memory"])
    (finding,) = [f for f in result.findings if f.reason == "mojibake"]
    assert finding.spans == len(runs) and [o.line for o in finding.occurrences()] == [2, 3, 4, 5]
    assert [text[s:e] for s, e in (o.span for o in finding.occurrences())] == runs
    item = finding.to_json()
    assert item["occurrences"] == len(runs) and len(item["spans"]) == len(runs)
    assert f"[mojibake ×{len(runs)}]" in finding.line_text()
    stats = result.to_json(gate(result))["statistics"]
    assert stats["occurrences"]["error"] - stats["findings"]["error"] == len(runs) - 1


def test_document_records_are_kept_on_disk_not_in_a_list(suite: Any) -> None:
    """The main process spools the records (memory flat in corpus size); len and
    iteration give them in corpus order, and the results stream them as a list would."""
    from corpus_qa.engine.rowstore import RecordSpool
    from corpus_qa.gate import gate
    from corpus_qa.results import dump_json, stream_json

    docs = _documents()
    result = Runner(suite, workers=1).run_items(iter(docs), ["in-memory"])
    assert isinstance(result.documents, RecordSpool)
    records = list(result.documents)
    assert [r["id"] for r in records] == [d.id for d in docs] == [
        r["id"] for r in result.documents]  # read again, same order
    assert all(r["story"] for r in records)  # stories assigned before spooling back
    data = result.to_json(gate(result))
    pieces: list[str] = []
    stream_json(data, pieces.append)
    assert "".join(pieces) == dump_json({**data, "documents": records})


def test_the_stages_after_the_pool_run_with_the_heap_out_of_the_collectors_reach(
        suite: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records, the corpus pass and the findings' sort allocate enough to trigger full
    collections: each would scan GX's whole heap again, so they run with it frozen (and
    it is unfrozen afterwards)."""
    import gc

    frozen: list[bool] = []
    plain = passes.corpus_pass

    def watched(*args: Any, **kwargs: Any) -> Iterator[Any]:
        frozen.append(gc.get_freeze_count() > 0)
        yield from plain(*args, **kwargs)

    monkeypatch.setattr("corpus_qa.runner.corpus_pass", watched)
    assert gc.get_freeze_count() == 0
    Runner(suite, workers=1).run_items(iter(_documents()), ["in-memory"])
    assert frozen == [True]
    assert gc.get_freeze_count() == 0


ENCODING_ONLY = """\
name: encoding
expectations:
  - type: expect_document_to_be_valid_utf8
  - type: expect_document_to_have_no_mojibake
  - type: expect_document_to_have_no_control_characters
  - type: expect_document_to_be_unicode_normalized
"""


def test_a_suite_that_reads_no_metadata_resolves_none(
        suite: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolution is pass 1's largest cost for text-only suites: they skip it, and find
    exactly what the same expectations find inside the default suite."""
    path = tmp_path / "encoding.yml"
    path.write_text(ENCODING_ONLY, encoding="utf-8")
    calls: Counter[str] = Counter()
    _count(monkeypatch, calls, passes, "resolve")
    encoding = Runner(load_suite(path), workers=1, chunk_size=5)
    alone = encoding.run_items(iter(_documents()), ["in-memory"])
    assert calls["resolve"] == 0 == encoding.stats["resolutions"]
    assert all(record["metadata"] == {} for record in alone.documents)

    full = Runner(suite, workers=1, chunk_size=5).run_items(iter(_documents()), ["in-memory"])
    assert calls["resolve"] == len(_documents())  # the default suite reads metadata
    types = {line.split("type: ")[1] for line in ENCODING_ONLY.splitlines() if "type: " in line}
    in_full = [(f.document, f.reason, f.span) for f in full.findings if f.expectation in types]
    assert sorted((f.document, f.reason, f.span) for f in alone.findings) == sorted(in_full)
    assert {f.reason for f in alone.findings} >= {"mojibake", "control_character"}


def test_gx_neither_fingerprints_nor_copies_a_chunk(
        suite: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """GX's per-batch work on a chunk: no fingerprint of the whole DataFrame (a hash or a
    pickle of every text, then an md5), and the text columns reach the metrics as the
    rows' own Python strings (no Arrow string column that each metric copies back)."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    calls: Counter[str] = Counter()
    _count(monkeypatch, calls, engine, "hash_pandas_dataframe", "fingerprint")
    dtypes: list[str] = []
    built = engine.PandasExecutionEngine.get_batch_data_and_markers

    def spied(self: Any, batch_spec: Any) -> Any:
        dtypes.extend(str(t) for t in batch_spec.batch_data.dtypes)
        return built(self, batch_spec)

    monkeypatch.setattr(engine.PandasExecutionEngine, "get_batch_data_and_markers", spied)
    threshold = engine.HASH_THRESHOLD
    runner = Runner(suite, workers=1, chunk_size=5)
    result = runner.run_items(iter(_documents()), ["in-memory"])
    assert {f.reason for f in result.findings} >= {"mojibake", "control_character"}
    assert dtypes and set(dtypes) == {"object"}
    assert calls["fingerprint"] == 0
    assert threshold == engine.HASH_THRESHOLD  # a user's own GX batches keep theirs


MANY_FIELDS = """\
name: fields
expectations:
  - type: expect_document_to_have_metadata
    fields: [date, source, attribution, licence, author, section, desk, region]
"""


def test_findings_are_spooled_to_disk_not_held_in_a_list(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory flat in the findings: the runner spools them (sorted on disk, 2,000 at a
    time here) and the gate and the JSON results read them back. Eight findings per
    document: four times the documents must not cost (nearly) four times the findings'
    memory in this process, which a list of findings would (about 1 KB a finding)."""
    import tracemalloc

    import corpus_qa.engine.rowstore as rowstore
    from corpus_qa.engine.rowstore import SortedSpool

    monkeypatch.setattr(rowstore, "RUN", 2_000)
    from corpus_qa.results import stream_json

    path = tmp_path / "fields.yml"
    path.write_text(MANY_FIELDS, encoding="utf-8")
    suite = load_suite(path)

    def peak(count: int) -> tuple[int, int]:
        docs = (Document(id=f"d{i:05d}", text=f"Plain words number {i}.\n",
                         path=f"in-memory/d{i:05d}.txt", raw=b"") for i in range(count))
        tracemalloc.start()
        try:
            result = Runner(suite, workers=1, chunk_size=150).run_items(docs, ["in-memory"])
            verdict = gate(result)
            written = [0]
            stream_json(result.to_json(verdict), lambda s: written.__setitem__(0, written[0] + 1))
            assert isinstance(result.findings, SortedSpool)
            found = len(result.findings)
            return found, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small_findings, small = peak(300)
    large_findings, large = peak(1_200)
    assert (small_findings, large_findings) == (2_400, 9_600)
    # a list would hold 7,200 more findings (about 6 MB); per document the run still
    # keeps a little (the stored row refs), far less
    assert large - small < 2 * 2**20, (small, large)


def test_per_document_state_is_not_held_in_memory(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory flat in the corpus: what the main process must look up per document (where
    its row is stored, the ids the walk has seen, its story, the distinct stories of the
    results) is kept on disk, not in dicts and sets of every id. Five times the documents
    must cost less than half of what those dicts alone would hold for the extra ones
    (measured here, in the same way)."""
    import tracemalloc

    import corpus_qa.diskmap as diskmap
    from corpus_qa.engine.passes import Stored
    from corpus_qa.results import stream_json

    monkeypatch.setattr(diskmap, "BUFFER", 200)
    path = tmp_path / "encoding.yml"
    path.write_text(ENCODING_ONLY, encoding="utf-8")
    suite = load_suite(path)

    def doc_id(i: int) -> str:
        return f"newsroom/2024/desk-{i % 7}/story-{i:06d}"

    def peak(count: int) -> int:
        docs = (Document(id=doc_id(i), text=f"Plain words number {i}.\n",
                         path="in-memory/all.jsonl", line=i + 1, record="line")
                for i in range(count))
        tracemalloc.start()
        try:
            result = Runner(suite, workers=1, chunk_size=250).run_items(docs, ["in-memory"])
            data = result.to_json(gate(result))
            assert data["statistics"]["documents"] == count == data["statistics"]["stories"]
            stream_json(data, lambda s: None)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def held_in_dicts(count: int) -> int:
        """What dicts by id of the row refs and of the locators would hold."""
        tracemalloc.start()
        try:
            stored = {doc_id(i): Stored((i // 250, 40 * i, 40)) for i in range(count)}
            seen = {doc_id(i): f"in-memory/all.jsonl:{i + 1}" for i in range(count)}
            held = tracemalloc.get_traced_memory()[0]
            del stored, seen
            return held
        finally:
            tracemalloc.stop()

    peak(300)  # everything imported and cached once
    small, large = peak(1_000), peak(5_000)
    dicts = held_in_dicts(4_000)
    assert dicts > 1_000_000  # the measure means something: ~300 B a document at least
    assert large - small < dicts / 2, (small, large, dicts)


def test_story_state_is_not_held_after_grouping(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory flat in the corpus, for a corpus of multi-version stories: once documents
    are grouped, the main process keeps neither the grouper (a signature per document),
    nor every story, nor the whole records or story jobs of every version (pass 2's jobs
    are made as the pool asks for them). What it holds when pass 3 starts must grow by
    less than the signatures alone would for the extra documents."""
    import tracemalloc

    import corpus_qa.diskmap as diskmap
    import corpus_qa.runner as runner

    monkeypatch.setattr(diskmap, "BUFFER", 200)
    monkeypatch.setattr(diskmap.SignatureFile, "IN_MEMORY", 100)  # in the file from then on
    path = tmp_path / "stories.yml"
    path.write_text(ENCODING_ONLY + "  - type: expect_versions_to_preserve_diacritics\n",
                    encoding="utf-8")
    suite = load_suite(path)
    held: list[int] = []

    def corpus_pass(*args: Any) -> Any:
        held.append(tracemalloc.get_traced_memory()[0])
        return passes.corpus_pass(*args)

    monkeypatch.setattr(runner, "corpus_pass", corpus_pass)

    def documents(count: int) -> Iterator[Document]:
        for i in range(count):
            story, version = divmod(i, 2)
            words = " ".join(f"w{story}x{k}" for k in range(16))
            yield Document(id=f"newsroom/2024/story-{story:06d}/v{version}",
                           text=f"{words}{' update' * version}.\n",
                           path="in-memory/all.jsonl", line=i + 1, record="line")

    def at_pass_3(count: int) -> int:
        tracemalloc.start()
        try:
            result = Runner(suite, workers=1, chunk_size=250).run_items(
                documents(count), ["in-memory"])
            assert len(result.documents) == count == 2 * len(result.stories)
            return held.pop()
        finally:
            tracemalloc.stop()

    at_pass_3(300)  # everything imported and cached once
    small, large = at_pass_3(1_000), at_pass_3(5_000)
    signatures = 4_000 * vc.DEFAULT_NUM_PERM * 4  # 4,000 more documents' signatures
    assert large - small < signatures, (small, large, signatures)


def test_grouping_holds_no_signature_matrix_or_story_per_document(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory flat in the corpus, for a corpus of distinct stories (the common case):
    the signatures (512 bytes a document) are in a file of the run's directory, not in
    the main process, and grouping neither copies the signature matrix (to find
    identical signatures) nor makes a story object per document (singletons are
    implicit). Both what is held when grouping starts and the peak within grouping must
    grow by less than half the signatures' bytes for the extra documents."""
    import tracemalloc

    import corpus_qa.diskmap as diskmap
    import corpus_qa.runner as runner

    monkeypatch.setattr(diskmap, "BUFFER", 200)
    monkeypatch.setattr(diskmap.SignatureFile, "IN_MEMORY", 100)  # in the file from then on
    path = tmp_path / "stories.yml"
    path.write_text(ENCODING_ONLY + "  - type: expect_versions_to_preserve_diacritics\n",
                    encoding="utf-8")
    suite = load_suite(path)
    measured: list[tuple[int, int]] = []
    grouping = runner.Runner._stories_of

    def stories_of(self: Any, grouper: Any, story_of: Any) -> Any:
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        several = grouping(self, grouper, story_of)
        measured.append((held, tracemalloc.get_traced_memory()[1] - held))
        return several

    monkeypatch.setattr(runner.Runner, "_stories_of", stories_of)

    def documents(count: int) -> Iterator[Document]:
        for i in range(count):  # words of their own: every document its own story
            words = " ".join(f"w{i}x{k}" for k in range(12))
            yield Document(id=f"newsroom/2024/story-{i:06d}", text=f"{words}.\n",
                           path="in-memory/all.jsonl", line=i + 1, record="line")

    def at_grouping(count: int) -> tuple[int, int]:
        tracemalloc.start()
        try:
            result = Runner(suite, workers=1, chunk_size=250).run_items(
                documents(count), ["in-memory"])
            assert len(result.documents) == count and len(result.stories) == 0
            assert len({r["story"] for r in result.documents}) == count
            return measured.pop()
        finally:
            tracemalloc.stop()

    at_grouping(300)  # everything imported and cached once
    (held_small, peak_small), (held_large, peak_large) = at_grouping(1_000), at_grouping(5_000)
    half = 4_000 * vc.DEFAULT_NUM_PERM * 4 // 2  # half of 4,000 more documents' signatures
    assert held_large - held_small < half, (held_small, held_large, half)
    assert peak_large - peak_small < half, (peak_small, peak_large, half)


def test_a_text_only_suite_stores_the_rows_of_documents_with_findings_only(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No later pass reads the rows of a suite of per-document checks: only the documents
    with findings are kept (the report and the fixer show those); any other document's
    text is read again from its file, as it was validated."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    clean, broken = "A clean sentence.\n", "The café au lait, dÃ©jÃ  vu.\n"
    (corpus / "clean.txt").write_text(clean, encoding="utf-8")
    (corpus / "broken.txt").write_text(broken, encoding="utf-8")
    path = tmp_path / "encoding.yml"
    path.write_text(ENCODING_ONLY, encoding="utf-8")
    calls: Counter[str] = Counter()
    _count(monkeypatch, calls, passes, "stored_row")
    result = Runner(load_suite(path), workers=1).run([str(corpus)])
    assert {f.document for f in result.findings} == {"broken"}
    assert calls["stored_row"] == 1  # the clean document's row is not stored
    assert result.text_of is not None
    assert result.text_of("broken") == broken and result.text_of("clean") == clean
    with pytest.raises(LookupError):
        result.text_of("no-such-document")


def test_chunks_waiting_for_a_worker_are_held_packed_not_as_documents(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Pass 1 reads chunks faster than the workers check them, so several wait at once
    (and each stays alive until its result returns): the main process must hold them as
    compressed bytes, not as documents with their text twice (the decoded str and the
    file's bytes). Every chunk is made to wait here; what they hold in the main process
    must stay under 1.5 times the documents' bytes (as documents: about three times, the
    text being two bytes a character once it has a curly quote; packed, the generator's
    made-up words compress little, real text about three times)."""
    import tracemalloc

    import corpus_qa.runner as runner
    from corpus_qa.engine.pool import WorkerPool

    held: list[int] = []

    class EveryChunkWaits(WorkerPool):
        def map(self, batches: Any, local: Any, remote: Any) -> Any:
            if remote is not runner._documents_in_worker:
                return map(local, batches)  # the other passes: here, as usual
            start = tracemalloc.get_traced_memory()[0]
            waiting = list(batches)
            held.append(tracemalloc.get_traced_memory()[0] - start)
            return map(local, waiting)

    monkeypatch.setattr(runner, "WorkerPool", EveryChunkWaits)
    sizes: list[int] = []

    def documents() -> Iterator[Document]:  # made as read, as a source makes them
        rng = random.Random(3)
        for i in range(1_200):
            text = news_document(rng)
            raw = text.encode("utf-8")
            sizes.append(len(raw))
            yield Document(id=f"doc{i:05d}", text=text, raw=raw, path=f"c/doc{i:05d}.txt")

    suite = load_suite(NEWS)
    tracemalloc.start()
    try:
        result = Runner(suite, workers=2, chunk_size=100).run_items(documents(), ["c"])
    finally:
        tracemalloc.stop()
    assert len(result.documents) == 1_200
    (waiting,), size = held, sum(sizes)
    assert waiting < 1.5 * size, (waiting, size)


def test_suggestions_for_missing_fields_are_not_held_per_document(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """What pass 2 suggests for missing fields (on versioned stories without a byline,
    nearly every version gets a value) is kept on disk by document: 5,000 suggestions
    cost the main process less than 30 bytes each (a dict of them: about 500), and read
    back as given."""
    import pickle
    import tracemalloc

    import corpus_qa.diskmap as diskmap
    from corpus_qa.findings import Related
    from corpus_qa.runner import _Suggestions

    monkeypatch.setattr(diskmap, "BUFFER", 100)
    suggestions = _Suggestions(tmp_path / "suggestions.db")
    found = {(f"newsroom/2024/story-{i:06d}-v1", "source"):
             (f"Agency {i}", Related(f"newsroom/2024/story-{i:06d}-v0", (0, i)))
             for i in range(5_000)}
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for i in range(0, 5_000, 250):  # as story jobs return them (unpickled), 250 at a time
            suggestions.update(pickle.loads(pickle.dumps(dict(list(found.items())[i:i + 250]))))
        held = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert held / 5_000 < 30, held
    assert suggestions.get(("newsroom/2024/story-000042-v1", "source")) == found[
        ("newsroom/2024/story-000042-v1", "source")]
    assert suggestions.get(("newsroom/2024/story-000042-v1", "author")) is None
    assert len(suggestions) == 5_000


@pytest.mark.parametrize("footer", [True, False], ids=["a line repeated", "none repeated"])
def test_the_corpus_pass_reads_stored_line_hashes_back_only_when_a_line_is_repeated(
        suite: Any, monkeypatch: pytest.MonkeyPatch, footer: bool) -> None:
    """With no line in enough stories every ``repeated_lines`` cell is empty: given so
    without reading each document's stored line hashes a second time, the same results."""
    docs = [d for d in _documents() if footer or not d.id.startswith("note-")]

    def results(fast: bool) -> tuple[Any, int]:
        if not fast:
            monkeypatch.setattr(eb.RepeatedLinesPass, "cells_empty", lambda self: False)
        cells: Counter[str] = Counter()
        _count(monkeypatch, cells, eb.RepeatedLinesPass, "cell")
        result = Runner(suite, workers=1, chunk_size=5).run_items(iter(docs), ["in-memory"])
        written = io.StringIO()
        stream_json(result.to_json(gate(result)), written.write)
        monkeypatch.undo()
        data = json.loads(written.getvalue())
        del data["run"]  # its start and duration
        return data, cells["cell"]

    fast, read_fast = results(True)
    slow, read_slow = results(False)
    assert fast == slow
    assert read_slow == len(docs)
    assert read_fast == (len(docs) if footer else 0)
    repeated = [f for f in fast["findings"] if f["reason"] == "repeated_line"]
    assert bool(repeated) == footer
