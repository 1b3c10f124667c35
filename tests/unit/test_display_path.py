"""display_path names a file as pathlib would, relative to the working directory when it
lies below it (the string version exists because it runs once per corpus file)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_qa.paths import display_child, display_path, printable


def _pathlib(path: str) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        shown = absolute.relative_to(os.path.abspath(os.getcwd())).as_posix()
    except ValueError:
        shown = absolute.as_posix()
    return printable(shown)


PARTS = st.sampled_from(["a", "b", "..", ".", "", "corpus", "x y", "é", "\udcff", "\n", "/"])


@pytest.mark.parametrize("cwd", ["/", "tmp", "tmp/corpus"])
@settings(max_examples=300, deadline=None)
@given(parts=st.lists(PARTS, max_size=6), leading=st.sampled_from(["", "/", "//", "///"]),
       under=st.booleans())
def test_display_path_names_a_file_as_pathlib_does(
        cwd: str, parts: list[str], leading: str, under: bool,
        tmp_path_factory: pytest.TempPathFactory,
        ) -> None:
    base = tmp_path_factory.getbasetemp()
    folder = base / cwd if cwd != "/" else Path("/")
    folder.mkdir(parents=True, exist_ok=True)
    path = leading + "/".join(parts)
    if under and not leading:
        path = os.path.join(str(folder), path)
    old = os.getcwd()
    os.chdir(folder)
    try:
        assert display_path(path or ".") == _pathlib(path or ".")
        assert display_path(str(folder)) == "."
    finally:
        os.chdir(old)


_NAMES = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",))
                 | st.sampled_from(["\udcff", "\n", "\x7f"]), min_size=1, max_size=12).filter(
    lambda n: n not in (".", ".."))


@given(name=_NAMES, where=st.sampled_from(["cwd", "below", "above", "outside", "root"]))
def test_a_listed_file_is_shown_as_display_path_shows_it(name: str, where: str) -> None:
    """The walk joins a directory's display path and each name (``display_child``)."""
    cwd = os.getcwd()
    directory = {"cwd": cwd, "below": os.path.join(cwd, "corpus", "2024"),
                 "above": os.path.dirname(cwd), "outside": "/no/such/dir", "root": "/"}[where]
    assert display_child(display_path(directory), name) == display_path(
        os.path.join(directory, name))
