"""What loading a list proves about its regexes is remembered across runs (corpus_qa.vetcache):
the same lists and the same errors with a warm cache, a changed list checked again, and a
cache that cannot be read or written is harmless."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from corpus_qa import metadata as md
from corpus_qa import vetcache
from corpus_qa.checks import boilerplate as bp
from corpus_qa.data import resolve_data_path
from corpus_qa.suite import SuiteError, load_suite


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory of this test's own, as a fresh process sees it."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("CORPUS_QA_CACHE_DIR", str(directory))
    new_run()
    return directory


def new_run() -> None:
    """What a new process knows: only the cache file (nothing proven in memory)."""
    vetcache._known = None
    vetcache._new.clear()


@pytest.fixture
def vetted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The regexes the backtracking vetting actually ran on."""
    seen: list[str] = []
    real = vetcache._vet_regex

    def counting(source: str) -> str | None:
        seen.append(source)
        return real(source)

    monkeypatch.setattr(vetcache, "_vet_regex", counting)
    return seen


def _default_lists() -> tuple[bp.PatternSet, md.Phrases]:
    text = resolve_data_path(md.DEFAULT_PHRASES).read_text(encoding="utf-8")
    return bp.load_patterns(bp.default_pattern_paths()), md.parse_phrases(text, md.DEFAULT_PHRASES)


def test_a_warm_cache_gives_the_same_lists_without_vetting_again(
    cache: Path, vetted: list[str]
) -> None:
    cold_patterns, cold_phrases = _default_lists()
    assert len(vetted) > 50  # every regex of the packaged lists was vetted
    assert list((cache / "vetted").glob("*.bin"))
    new_run()
    vetted.clear()
    warm_patterns, warm_phrases = _default_lists()
    assert vetted == []
    assert warm_patterns.patterns == cold_patterns.patterns
    # Compiled patterns compare by their source, flags and compiled code.
    assert warm_phrases == cold_phrases


def test_the_warm_lists_find_the_same_boilerplate(cache: Path) -> None:
    text = ("PARIS (Reuters) - The talks began.\n\nAll rights reserved.\n"
            "Subscribe to our newsletter\n\nRead more\n")
    cold, _ = _default_lists()
    new_run()
    warm, _ = _default_lists()
    assert bp.find_boilerplate(text, warm) == bp.find_boilerplate(text, cold) != []


def _list(tmp_path: Path, regex: str, example: str) -> Path:
    path = tmp_path / "ours.yml"
    path.write_text(
        "patterns:\n"
        "  - id: footer\n"
        "    phrase: The Daily Planet\n"
        "    reason: page_furniture\n"
        "    where: anywhere\n"
        "    example: The Daily Planet\n"
        "  - id: promo\n"
        f"    regex: '{regex}'\n"
        "    reason: call_to_action\n"
        "    where: trailing\n"
        f"    example: {example}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("regex", "example", "error"),
    [
        pytest.param("(?:Buy (?:\\w+)+)+ now", "Buy it now", ":8: regex: '(?:Buy (?:\\w+)+)+ now'"
                     ": nested repeats can backtrack catastrophically", id="catastrophic"),
        pytest.param("Buy it (now", "Buy it now", ":8: regex: invalid regular expression",
                     id="invalid"),
        pytest.param("(?:Buy it now)?", "Buy it now", ":8: regex: matches the empty string",
                     id="empty"),
        pytest.param("Buy it now", "Buy it later",
                     ":11: example: the pattern does not match its own example 'Buy it later'",
                     id="example"),
    ],
)
def test_a_list_edited_into_a_mistake_fails_as_with_no_cache(
    tmp_path: Path, cache: Path, regex: str, example: str, error: str
) -> None:
    path = _list(tmp_path, "Buy it now", "Buy it now")
    bp.load_patterns([path])  # the good version, proven and remembered
    new_run()
    _list(tmp_path, regex, example)
    with pytest.raises(bp.PatternError) as warm:
        bp.load_patterns([path])
    assert str(warm.value).startswith(f"{path}:")
    assert error in str(warm.value)
    # A mistake is never remembered: with the cache gone, the same message.
    new_run()
    for item in (cache / "vetted").glob("*.bin"):
        item.unlink()
    with pytest.raises(bp.PatternError) as cold:
        bp.load_patterns([path])
    assert str(cold.value) == str(warm.value)
    new_run()
    with pytest.raises(bp.PatternError) as again:
        bp.load_patterns([path])
    assert str(again.value) == str(warm.value)


def test_a_suite_naming_a_bad_list_fails_the_same_warm(tmp_path: Path, cache: Path) -> None:
    _list(tmp_path, "(?:Buy (?:\\w+)+)+ now", "Buy it now")
    suite = tmp_path / "suite.yml"
    suite.write_text("name: ours\nexpectations:\n"
                     "  - type: expect_document_to_have_no_boilerplate\n"
                     "    patterns: [ours.yml]\n", encoding="utf-8")
    messages = []
    for _ in range(2):
        new_run()
        with pytest.raises(SuiteError) as info:
            load_suite(suite)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "ours.yml:8: regex:" in messages[0]
    assert "nested repeats" in messages[0]


def test_a_phrase_list_edited_into_an_unsafe_regex_fails_warm(tmp_path: Path, cache: Path) -> None:
    text = resolve_data_path(md.DEFAULT_PHRASES).read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1)
                if row.startswith("list_separator:"))
    md.parse_phrases(text, "phrases.yml")
    new_run()
    edited = text.replace(r"""'\s*;\s*|""", r"""'(?:\s+)+;\s*|""", 1)
    with pytest.raises(md.PhraseListError) as warm:
        md.parse_phrases(edited, "phrases.yml")
    assert str(warm.value).startswith(f"phrases.yml:{line}: list_separator: '(?:\\s+)+;")
    assert "nested repeats" in str(warm.value)
    new_run()
    assert md.parse_phrases(text, "phrases.yml").list_separator.pattern.startswith(r"\s*;")


@pytest.mark.parametrize("kind", ["a file", "garbage"])
def test_a_cache_that_cannot_be_written_or_read_is_harmless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vetted: list[str], kind: str
) -> None:
    directory = tmp_path / "cache"
    if kind == "a file":  # the cache directory cannot be made
        directory.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("CORPUS_QA_CACHE_DIR", str(directory))
    new_run()
    if kind == "garbage":
        key = vetcache._code_key()
        (directory / "vetted").mkdir(parents=True)
        (directory / "vetted" / f"{key}.bin").write_bytes(b"\x00not a cache file")
    cold, _ = _default_lists()
    assert vetted  # checked as with no cache
    new_run()
    vetted.clear()
    again, _ = _default_lists()
    assert again.patterns == cold.patterns
    if kind == "a file":
        assert vetted  # nothing could be remembered: checked again, no error
        assert directory.read_text(encoding="utf-8") == "not a directory"
    else:
        assert vetted == []  # rewritten whole


def test_another_python_or_edited_checks_start_a_new_file(
    cache: Path, monkeypatch: pytest.MonkeyPatch, vetted: list[str]
) -> None:
    _default_lists()
    new_run()
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    vetted.clear()
    _default_lists()
    assert vetted  # not what the other Python proved
    assert len(list((cache / "vetted").glob("*.bin"))) == 2
    monkeypatch.setattr(vetcache, "_DECIDING", ("no_such_module.py",))
    new_run()
    vetted.clear()
    _default_lists()
    assert vetted  # a deciding module that cannot be read: nothing is remembered
    assert len(list((cache / "vetted").glob("*.bin"))) == 2


def test_a_screens_verdict_is_remembered_safe_or_not(cache: Path, vetted: list[str]) -> None:
    # An unsafe relaxed pattern is no mistake (its line goes without a screen): its
    # verdict is kept like a pass, so a warm cache vets neither again.
    unsafe, safe = "(?:a+)+b", "(?:ab)+c"
    assert vetcache.safe_screen(unsafe) is False
    assert vetcache.safe_screen(safe) is True
    assert vetted == [unsafe, safe]
    vetcache.save()
    new_run()
    vetted.clear()
    assert (vetcache.safe_screen(unsafe), vetcache.safe_screen(safe)) == (False, True)
    assert vetted == []
    assert vetcache.vet_regex(unsafe) is not None  # a list's regex: still an error
