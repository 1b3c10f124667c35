"""Where a run's outputs go: checked before anything runs, and written atomically.

Two rules, for every file corpus-qa writes (results JSON, JUnit XML, the Markdown
summary, the HTML report, GX Data Docs, a baseline, an exported suite or schema):

* **checked first** — :func:`check_outputs` refuses, before any document is read, an
  output that is a directory, that cannot be created, that is a corpus file or lies
  inside a corpus path (except below a folder whose name starts with ``.``, which is
  never corpus content), that is an input of the run (the suite, the waivers), or that
  another output of the same run also writes — and so for the files an output writes
  beside it (the shards of a sharded results file). Each is a usage error (exit 2).
* **written atomically** — :func:`atomic_open` writes to a temporary file in the target's
  directory and renames it over the target only once it is complete, so an interrupted
  run (Ctrl-C, a full disk) never leaves a half-written file that looks complete.

This module imports nothing heavy: the command line checks outputs before GX loads.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

STDOUT = "-"
"""The output path that means standard output (``--json -``)."""
REPORT_MARKER = "<!-- written by corpus-qa: a report, not corpus content -->"
"""The last line of a Markdown summary: a corpus walk passes over a file that ends so."""


class OutputError(Exception):
    """An output that cannot or must not be written (a usage error: exit 2)."""


@dataclass(frozen=True)
class Output:
    """One output of a run: the option that asked for it and the path it names.

    A directory output (``--report DIR``) writes only ``writes`` inside its directory
    (``index.html``, ``data``), so another output may sit beside them.

    ``siblings`` matches the names of other files a file output may write next to it
    (the shards of a results file): a corpus file or another output of such a name in
    that folder is refused like the output itself.
    """

    option: str
    path: str
    writes: tuple[str, ...] = ()
    siblings: re.Pattern[str] | None = None

    @property
    def is_directory(self) -> bool:
        return bool(self.writes)

    def targets(self) -> list[str]:
        """The absolute paths this output writes (files, or folders it fills)."""
        base = _absolute(self.path)
        return [os.path.join(base, name) for name in self.writes] if self.writes else [base]


def check_outputs(outputs: Sequence[Output], *, corpus: Iterable[str | os.PathLike[str]],
                  inputs: Sequence[tuple[str, str]] = ()) -> None:
    """Raise :class:`OutputError` for the first output that must not be written.

    ``corpus`` are the corpus paths; ``inputs`` are (option, path) pairs the run reads
    (``--suite``, ``--waivers``, ``--baseline``): an output may replace ``--baseline``
    only when it is ``--write-baseline`` (updating a baseline in place).

    >>> try:
    ...     check_outputs([Output("--json", "r.json"), Output("--junit", "./r.json")], corpus=[])
    ... except OutputError as exc:
    ...     print(exc)
    --json and --junit both write r.json — give each output its own path
    """
    corpus_paths = [(str(p), _absolute(p)) for p in corpus]
    claimed: list[tuple[str, str, Output]] = []
    for output in outputs:
        if output.path == STDOUT:
            if output.option != "--json":
                raise OutputError(f"{output.option} -: only --json can write to standard "
                                  "output — give a file path")
            continue
        _check_writable(output)
        for target in output.targets():
            for given, path in corpus_paths:
                if _hidden_below(target, path):
                    continue  # a .folder inside the corpus is never read as corpus content
                if _within(target, path) or _within(path, target):
                    if target == path and not output.is_directory:
                        where = "is the corpus file"
                    elif _within(target, path) and target != path:
                        where = "is inside the corpus path"
                    else:
                        where = (f"would write {os.path.relpath(target)}, which holds the "
                                 "corpus path")
                    raise OutputError(
                        f"{output.option} {output.path} {where} {given} — write outputs "
                        "outside the corpus (corpus files would be overwritten, and the next "
                        "run would validate the report)")
            for option, path in inputs:
                same = path and _absolute(path) == target
                if same and not (option == "--baseline" and output.option == "--write-baseline"):
                    raise OutputError(f"{output.option} {output.path} would overwrite the "
                                      f"{option} file {path} — give the output another path")
            for other_target, other_option, other in claimed:
                if _within(target, other_target) or _within(other_target, target):
                    raise OutputError(f"{other_option} and {output.option} both write "
                                      f"{_shown(other_target, other, output)} — give each "
                                      "output its own path")
            claimed.append((target, output.option, output))
    for output in outputs:
        if output.siblings is not None and output.path != STDOUT:
            _check_siblings(output, corpus_paths, claimed, inputs)


def _check_siblings(output: Output, corpus_paths: list[tuple[str, str]],
                    claimed: list[tuple[str, str, Output]],
                    inputs: Sequence[tuple[str, str]]) -> None:
    """Refuse a corpus file or another output named like a file ``output`` writes beside it."""
    pattern = output.siblings
    assert pattern is not None
    folder = os.path.dirname(_absolute(output.path))

    def beside(path: str) -> bool:
        return os.path.dirname(path) == folder and bool(pattern.fullmatch(os.path.basename(path)))

    for given, path in corpus_paths:
        if beside(path):
            raise OutputError(f"{output.option} {output.path} writes its shards next to it, "
                              f"where the corpus file {given} is (a name they may take) — "
                              "write outputs outside the corpus")
    for target, option, other in claimed:
        if other is not output and beside(target):
            raise OutputError(f"{output.option} {output.path} writes its shards next to it, "
                              f"where {option} {other.path} would go (a name they may take) — "
                              "give each output its own path")
    for option, path in inputs:
        if path and beside(_absolute(path)):
            raise OutputError(f"{output.option} {output.path} writes its shards next to it, "
                              f"where the {option} file {path} is (a name they may take) — "
                              "give the output another path")


def _check_writable(output: Output) -> None:
    path = Path(output.path)
    if path.exists() and not output.is_directory and path.is_dir():
        raise OutputError(f"{output.option} {output.path} is a directory — give a file path")
    if path.exists() and output.is_directory and not path.is_dir():
        raise OutputError(f"{output.option} {output.path} is a file — give a directory")
    folder = path if output.is_directory else path.parent
    existing = Path(_absolute(folder))
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{output.option} {output.path}: {existing} is a file, not a "
                          "directory — give a path in a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{output.option} {output.path}: cannot write in {existing} "
                          "(permission denied) — give a writable path")


def _shown(target: str, first: Output, second: Output) -> str:
    for output in (first, second):
        if not output.is_directory:
            return output.path
    return os.path.relpath(target)


def _absolute(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.path.abspath(path))


def _hidden_below(path: str, folder: str) -> bool:
    if path == folder or not _within(path, folder):
        return False
    return any(part.startswith(".") for part in Path(os.path.relpath(path, folder)).parts)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


COMPLETED: list[str] = []
"""The outputs this process has put in place, in order (what an interrupted run reports
as written; the command clears it when it starts)."""


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """A file to write ``path`` through: it appears at ``path`` only once it is complete.

    The data goes to a hidden temporary file in the same directory (so the rename cannot
    cross file systems), which replaces ``path`` when the ``with`` block ends without an
    exception, and is removed otherwise. An :class:`OSError` becomes an
    :class:`OutputError` naming the path.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror}) — give a writable path") \
            from None
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; an output is like any file
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as out:
            yield out
        os.replace(tmp, target)
        COMPLETED.append(str(path))
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write ({exc.strerror}) — give a writable "
                              "path") from None
        raise


def write_atomically(path: str | os.PathLike[str], content: str | bytes) -> Path:
    """Write ``content`` to ``path`` through :func:`atomic_open`; return the path."""
    with atomic_open(path, "wb" if isinstance(content, bytes) else "w") as out:
        out.write(content)
    return Path(path)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
