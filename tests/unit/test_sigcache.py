"""The signature cache of --changed-since: unchanged texts are not signed again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from corpus_qa.checks import versions
from corpus_qa.engine.sigcache import SignatureCache, default_cache_dir, digest
from corpus_qa.runner import story_map
from corpus_qa.suite import load_suite

ROOT = Path(__file__).resolve().parents[2]
SUITE = load_suite(ROOT / "expectations" / "news.yml")


@pytest.fixture
def signed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many texts StoryGrouper.signatures was asked to sign (in-process runs)."""
    counts: list[int] = []
    real = versions.StoryGrouper.signatures

    def counting(self: versions.StoryGrouper, texts: list[str]) -> list:
        counts.append(len(texts))
        return real(self, texts)

    monkeypatch.setattr(versions.StoryGrouper, "signatures", counting)
    return counts


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "seeds", corpus)
    (corpus / "weather.txt").write_text("Rain is expected in Oslo this weekend, with wind.\n")
    return corpus


def _map(corpus: Path, cache: Path) -> dict[str, str]:
    return story_map(SUITE, [str(corpus)], workers=1, cache_dir=cache)[1]


def test_a_second_run_signs_nothing_and_finds_the_same_stories(tmp_path: Path,
                                                              signed: list[int]) -> None:
    corpus, cache = _corpus(tmp_path), tmp_path / "cache"
    first = _map(corpus, cache)
    assert sum(signed) == 3
    signed.clear()
    assert _map(corpus, cache) == first
    assert sum(signed) == 0
    assert len({first["000_c3359af66ac874be"], first["001_a1d7f1edd2253686"]}) == 1


def test_an_edited_document_is_signed_again_and_removed_ones_drop_out(
    tmp_path: Path, signed: list[int]
) -> None:
    corpus, cache = _corpus(tmp_path), tmp_path / "cache"
    _map(corpus, cache)
    signed.clear()
    (corpus / "weather.txt").write_text("Snow is expected in Bergen this weekend.\n")
    (corpus / "001_a1d7f1edd2253686.txt").unlink()
    stories = _map(corpus, cache)
    assert sum(signed) == 1 and set(stories) == {"000_c3359af66ac874be", "weather"}
    (path,) = (cache / "signatures").glob("*.npy")
    assert len(np.load(path)) == 2


def test_a_corrupt_cache_is_ignored_and_rewritten(tmp_path: Path, signed: list[int]) -> None:
    corpus, cache = _corpus(tmp_path), tmp_path / "cache"
    first = _map(corpus, cache)
    (path,) = (cache / "signatures").glob("*.npy")
    path.write_bytes(b"not a numpy file")
    signed.clear()
    assert _map(corpus, cache) == first
    assert sum(signed) == 3
    assert len(np.load(path)) == 3


def test_an_unwritable_cache_is_reported_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory would go")
    stories = _map(corpus, blocker)
    assert len(stories) == 3
    assert "signature cache not written" in capsys.readouterr().err


def test_the_cache_lives_outside_the_corpus(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CORPUS_QA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "corpus-qa"
    cache = SignatureCache.for_corpus([str(tmp_path / "corpus")], versions.StoryGrouper())
    assert cache.path.parent == tmp_path / "xdg" / "corpus-qa" / "signatures"


def test_lookup_tells_a_text_without_words_from_a_missing_one(tmp_path: Path) -> None:
    grouper = versions.StoryGrouper()
    cache = SignatureCache(tmp_path / "c.npy", grouper)
    texts = ["Officials met in Mexico City on Wednesday.", "…", "An unseen text."]
    cache.write([digest(t) for t in texts[:2]], grouper.signatures(texts[:2]))
    found = SignatureCache(tmp_path / "c.npy", grouper).lookup([digest(t) for t in texts])
    assert [hit for hit, _ in found] == [True, True, False]
    assert np.array_equal(found[0][1], grouper.signature(texts[0])) and found[1][1] is None


# --- file stamps: an unchanged file is not read at all -------------------------------------


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the corpus walk read (in-process runs); stamps trusted at once."""
    from corpus_qa.engine import sigcache
    from corpus_qa.sources import corpus as walk

    monkeypatch.setattr(sigcache, "RACY_S", 0.0)
    opened: list[str] = []
    real = walk.read_file

    def counting(file: Path, *args: object, **kwargs: object):  # noqa: ANN202
        opened.append(Path(file).name)
        return real(file, *args, **kwargs)

    monkeypatch.setattr(walk, "read_file", counting)
    return opened


def _full(corpus: Path, cache: Path, **kwargs: object) -> tuple[list, dict, dict]:
    stats: dict[str, int] = {}
    records, stories = story_map(SUITE, [str(corpus)], workers=1, cache_dir=cache,
                                 stats=stats, **kwargs)
    return records, stories, stats


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, reads: list[str],
                                             signed: list[int]) -> None:
    corpus, cache = _corpus(tmp_path), tmp_path / "cache"
    (corpus / "wire.jsonl").write_text(
        '{"id": "w1", "text": "Rain is expected in Oslo this weekend, with strong wind."}\n'
        '{"id": "w2", "text": "Markets rose in Tokyo on Monday after the data."}\n'
        '{"id": "w1", "text": "A second record with the first one\'s id."}\n')
    first = _full(corpus, cache)
    assert sorted(reads) == sorted(p.name for p in corpus.iterdir())
    reads.clear()
    signed.clear()
    again = _full(corpus, cache)
    assert reads == [] and sum(signed) == 0  # nothing opened, nothing signed
    assert again[:2] == first[:2]  # the same ids (the duplicate renamed alike), same stories
    assert again[2] == {"files_reused": 4, "documents": 6}
    ids = sorted(r["id"] for r in again[0] if r["path"].endswith("wire.jsonl"))
    assert ids[1:] == ["w1", "w2"] and ids[0].endswith("wire.jsonl#3")

    weather = corpus / "weather.txt"
    weather.write_text("Markets rose in Tokyo on Monday after the data was out.\n")
    edited = _full(corpus, cache)
    assert reads == ["weather.txt"] and edited[2]["files_reused"] == 3
    assert edited[1]["weather"] != first[1]["weather"]
    assert edited[:2] == _full(corpus, tmp_path / "fresh")[:2]  # as if nothing were cached


def test_a_file_changed_in_place_with_its_old_times_is_read_again(
        tmp_path: Path, reads: list[str]) -> None:
    corpus, cache = _corpus(tmp_path), tmp_path / "cache"
    weather = corpus / "weather.txt"
    _full(corpus, cache)
    before = weather.stat()
    weather.write_text("Snow is expected in Oslo this weekend, with wind.\n")  # same size
    os.utime(weather, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime put back
    reads.clear()
    _full(corpus, cache)
    assert reads == ["weather.txt"]  # its ctime (and inode change time) moved


def test_files_modified_just_before_the_run_are_not_stamped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str]) -> None:
    from corpus_qa.engine import sigcache

    monkeypatch.setattr(sigcache, "RACY_S", 3600.0)  # every file is "just modified"
    corpus, cache = _corpus(tmp_path), tmp_path / "cache"
    _full(corpus, cache)
    reads.clear()
    assert _full(corpus, cache)[2]["files_reused"] == 0
    assert len(reads) == 3


def test_stamps_are_not_used_without_the_signatures(tmp_path: Path, reads: list[str]) -> None:
    corpus, cache = _corpus(tmp_path), tmp_path / "cache"
    first = _full(corpus, cache)
    (path,) = (cache / "signatures").glob("*.npy")
    path.unlink()
    reads.clear()
    again = _full(corpus, cache)
    assert len(reads) == 3 and again[2]["files_reused"] == 0 and again[:2] == first[:2]
    grouper = versions.StoryGrouper()
    unrelated = "A text no document has."
    SignatureCache(path, grouper).write([digest(unrelated)], grouper.signatures([unrelated]))
    reads.clear()
    lost = _full(corpus, cache)
    assert lost[:2] == first[:2] and len(reads) == 3  # read and signed again, not guessed
    assert lost[2]["files_reused"] == 0


def test_story_map_groups_with_the_heap_out_of_the_collectors_reach(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The main process's heap (GX, the suite) is frozen while every document is placed,
    so the full collections that placing 10,000 documents triggers do not scan it again
    and again; it is unfrozen afterwards."""
    import gc

    frozen: list[int] = []
    real = versions.StoryGrouper.groups

    def noting(self: versions.StoryGrouper) -> list:
        frozen.append(gc.get_freeze_count())
        return real(self)

    monkeypatch.setattr(versions.StoryGrouper, "groups", noting)
    assert gc.get_freeze_count() == 0
    _map(_corpus(tmp_path), tmp_path / "cache")
    assert frozen and frozen[0] > 0
    assert gc.get_freeze_count() == 0
