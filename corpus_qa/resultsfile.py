"""A results file on disk: written inline or sharded, and read back lazily in either form.

Small runs write one ``results.json`` holding everything (``docs/results.md``). A run
of more than :data:`SHARD_ABOVE` documents plus findings (``--shard-results-above N``,
``shard_results_above`` in ``[tool.corpus_qa]``) writes its documents and findings as
JSON Lines shards next to it instead, :data:`SHARD_ITEMS` items per shard:

``results.json``
    every other key of the contract, and ``shards``: for ``documents`` and ``findings``
    the list of their shard files, each ``{"path", "items", "sha256"}`` (``path``
    relative to the folder of ``results.json``), in order.
``results.documents-00000-1a2b3c4d.jsonl``, ``results.findings-00000-5e6f7a8b.jsonl`` …
    one item per line (its JSON, keys sorted, UTF-8), the same items in the same order
    as the inline lists. The name ends with the first 8 hex digits of the shard's
    SHA-256.

Writing is atomic as a whole: each shard is written to a temporary file and renamed
once complete, under a name of its own content, so the shards of an earlier run that
its ``results.json`` names stay untouched; ``results.json`` is replaced last (temporary
file + rename); only then are the shards no results.json names any more (an earlier
run's, or the leftovers of an interrupted one) removed. A reader sees the old results
or the new ones, never a results.json naming a missing or half-written shard.

:class:`ResultsFile` reads either form: the summary keys at once, the documents and
findings one at a time (:meth:`ResultsFile.documents`, :meth:`ResultsFile.findings`),
each shard checked against its SHA-256 and item count. A missing, changed or invalid
file raises :class:`ResultsFileError` naming it (a usage error: exit 2).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

from corpus_qa.outputs import COMPLETED, OutputError, atomic_open
from corpus_qa.results import as_json_list, stream_json

SHARD_ABOVE = 100_000
"""Documents plus findings above which a results file is sharded (about 100 MB of
inline JSON: a file most JSON tools and editors still open whole)."""
SHARD_ITEMS = 50_000
"""Items (documents or findings) per shard file."""
SHARDED = ("documents", "findings")
"""The lists of the contract a sharded results file holds in shard files."""
_HASH_CHARS = 8


class ResultsFileError(Exception):
    """A results file that cannot be read (missing, not JSON, a shard missing or changed)."""


def shard_pattern(results_path: str | os.PathLike[str]) -> re.Pattern[str]:
    """The names of the shard files a results file at ``results_path`` may write.

    >>> bool(shard_pattern("out/results.json").fullmatch("results.findings-00003-0a1b2c3d.jsonl"))
    True
    >>> bool(shard_pattern("out/results.json").fullmatch("results.findings.jsonl"))
    False
    """
    stem = _stem(Path(results_path))
    return re.compile(re.escape(stem) + r"\.(?:documents|findings)-\d{5}-[0-9a-f]{"
                      + str(_HASH_CHARS) + r"}\.jsonl")


def shard_glob(results_path: str | os.PathLike[str]) -> str:
    """:func:`shard_pattern` as a glob, for messages (``results.*-NNNNN-*.jsonl``)."""
    return f"{_stem(Path(results_path))}.{{documents,findings}}-NNNNN-HASH.jsonl"


def _stem(path: Path) -> str:
    return path.name[:-len(".json")] if path.name.endswith(".json") else path.name


def item_line(item: Any) -> bytes:
    """One shard line: the item's JSON (keys sorted, UTF-8, no spaces) and a newline."""
    return (json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                       default=as_json_list) + "\n").encode("utf-8")


def write_results(data: Mapping[str, Any], path: str | os.PathLike[str], *,
                  shard_above: int = SHARD_ABOVE, shard_items: int = SHARD_ITEMS) -> list[Path]:
    """Write the results ``data`` (:meth:`RunResult.to_json`) to ``path``: inline, or
    sharded when its documents and findings together are more than ``shard_above``.

    Returns the files written (``path`` first, then its shards). Shards of an earlier
    results file at ``path`` that the new one does not name are removed.
    """
    target = Path(path)
    total = sum(len(data[key]) for key in SHARDED if key in data)
    if total <= shard_above:
        with atomic_open(target) as out:
            stream_json(data, out.write)
        _remove_stale(target, keep=set())
        return [target]
    written: list[Path] = []
    created: list[Path] = []
    try:
        shards: dict[str, list[dict[str, Any]]] = {}
        for key in SHARDED:
            shards[key] = []
            for entry, shard_path, new in _write_shards(target, key, data.get(key, ()),
                                                        shard_items):
                shards[key].append(entry)
                written.append(shard_path)
                if new:
                    created.append(shard_path)
        summary = {k: v for k, v in data.items() if k not in SHARDED}
        summary["shards"] = shards
        with atomic_open(target) as out:
            stream_json(summary, out.write)
    except BaseException:
        for shard_path in created:  # the earlier results (if any) stay as they were
            with suppress(OSError):
                shard_path.unlink()
        raise
    _remove_stale(target, keep={p.name for p in written})
    return [target, *written]


def _write_shards(target: Path, key: str, items: Any, per_shard: int
                  ) -> Iterator[tuple[dict[str, Any], Path, bool]]:
    """Write ``items`` as shard files next to ``target``; yield each one's entry, path
    and whether it is new (an identical shard of an earlier run is the same file)."""
    stem, folder = _stem(target), target.parent
    number, count, out, tmp, digest = 0, 0, None, "", hashlib.sha256()

    def open_shard() -> tuple[Any, str]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=folder, prefix=f".{stem}.{key}-", suffix=".tmp")
        except OSError as exc:
            raise OutputError(f"{target}: cannot write its shards in {folder} "
                              f"({exc.strerror}) — give a writable path") from None
        return os.fdopen(fd, "wb"), name

    def close_shard() -> tuple[dict[str, Any], Path, bool]:
        assert out is not None
        out.close()
        hexdigest = digest.hexdigest()
        name = f"{stem}.{key}-{number:05d}-{hexdigest[:_HASH_CHARS]}.jsonl"
        final = folder / name
        new = not final.exists()
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, final)
        COMPLETED.append(str(final))
        return {"path": name, "items": count, "sha256": hexdigest}, final, new

    try:
        for item in items:
            if out is None:
                out, tmp = open_shard()
            line = item_line(item)
            out.write(line)
            digest.update(line)
            count += 1
            if count == per_shard:
                yield close_shard()
                number, count, out, digest = number + 1, 0, None, hashlib.sha256()
        if out is not None:
            yield close_shard()
            out = None
    except OSError as exc:
        raise OutputError(f"{target}: cannot write its shards ({exc.strerror}) — give a "
                          "writable path") from None
    finally:
        if out is not None:  # interrupted or failed mid-shard
            out.close()
            with suppress(OSError):
                os.unlink(tmp)


def _remove_stale(target: Path, keep: set[str]) -> None:
    """Remove the shard files of ``target``'s name that ``keep`` does not hold."""
    pattern = shard_pattern(target)
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        if pattern.fullmatch(name) and name not in keep:
            with suppress(OSError):
                (target.parent / name).unlink()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- reading -----------------------------------------------------------------------------


class ResultsFile:
    """A results file (inline or sharded), its documents and findings read lazily.

    :attr:`summary` holds every key but ``documents`` and ``findings`` (and
    ``shards``); :meth:`documents` and :meth:`findings` read those one at a time, a
    fresh pass each call; :meth:`results` gives the whole contract as a dict whose
    ``documents`` and ``findings`` are such passes (what the report writers take).
    Opening a sharded file checks that every shard is there with its SHA-256.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        data = _load(self.path)
        self.shards: dict[str, list[dict[str, Any]]] | None = None
        self._inline: dict[str, list[Any]] = {}
        if "shards" in data:
            self.shards = self._checked_shards(data.pop("shards"))
        else:
            for key in SHARDED:
                value = data.pop(key, None)
                if not isinstance(value, list):
                    raise ResultsFileError(
                        f"{self.path}: not a corpus-qa results file (no '{key}' list, no "
                        "'shards') — give the file `corpus-qa validate --json` wrote")
                self._inline[key] = value
        self.summary: dict[str, Any] = data

    @property
    def sharded(self) -> bool:
        return self.shards is not None

    def count(self, key: str) -> int:
        """How many documents or findings (``key``) the results hold."""
        if self.shards is not None:
            return sum(entry["items"] for entry in self.shards[key])
        return len(self._inline[key])

    def documents(self) -> Iterator[dict[str, Any]]:
        return self._items("documents")

    def findings(self) -> Iterator[dict[str, Any]]:
        return self._items("findings")

    def results(self) -> dict[str, Any]:
        """The results as :meth:`RunResult.to_json` gives them, lists read lazily."""
        return {**self.summary, **{key: Items(self, key) for key in SHARDED}}

    def _items(self, key: str) -> Iterator[dict[str, Any]]:
        if self.shards is None:
            yield from self._inline[key]
            return
        for entry in self.shards[key]:
            yield from self._read_shard(entry)

    def _read_shard(self, entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
        path = self.path.parent / entry["path"]
        digest, count = hashlib.sha256(), 0
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise ResultsFileError(f"{path}: cannot read this shard of {self.path} "
                                   f"({exc.strerror}) — keep the shard files next to "
                                   "it") from None
        with handle:
            for number, line in enumerate(handle, start=1):
                digest.update(line)
                count += 1
                try:
                    item = json.loads(line)
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise ResultsFileError(f"{path}:{number}: not a JSON line ({exc}) — the "
                                           "shard is damaged; validate the corpus again"
                                           ) from None
                if not isinstance(item, dict):
                    raise ResultsFileError(f"{path}:{number}: not a JSON object — the shard "
                                           "is damaged; validate the corpus again")
                yield item
        if digest.hexdigest() != entry["sha256"] or count != entry["items"]:
            raise ResultsFileError(_changed(path, self.path))

    def _checked_shards(self, shards: Any) -> dict[str, list[dict[str, Any]]]:
        """The shard lists, each file there and as results.json says (SHA-256, items)."""
        if not isinstance(shards, dict) or not all(
                isinstance(shards.get(key), list) for key in SHARDED):
            raise ResultsFileError(f"{self.path}: 'shards' must name the documents and "
                                   "findings shard files — give the file `corpus-qa "
                                   "validate --json` wrote")
        pattern = shard_pattern(self.path)
        out: dict[str, list[dict[str, Any]]] = {}
        for key in SHARDED:
            out[key] = []
            for i, entry in enumerate(shards[key]):
                if not (isinstance(entry, dict) and isinstance(entry.get("path"), str)
                        and isinstance(entry.get("sha256"), str)
                        and isinstance(entry.get("items"), int)):
                    raise ResultsFileError(f"{self.path}: shards.{key}[{i}] needs path, items "
                                           "and sha256 — give the file `corpus-qa validate "
                                           "--json` wrote")
                name = entry["path"]
                if not pattern.fullmatch(name):  # never a path out of the folder
                    raise ResultsFileError(
                        f"{self.path}: shards.{key}[{i}] names {name!r}, not a shard of this "
                        f"file ({shard_glob(self.path)}) — was results.json renamed? Keep "
                        "the name it was written under")
                shard = self.path.parent / name
                digest, count = hashlib.sha256(), 0
                try:
                    with shard.open("rb") as handle:
                        for line in handle:
                            digest.update(line)
                            count += 1
                except OSError as exc:
                    raise ResultsFileError(
                        f"{shard}: cannot read this shard of {self.path} ({exc.strerror}) — "
                        "keep the shard files next to it, or validate the corpus again"
                    ) from None
                if digest.hexdigest() != entry["sha256"] or count != entry["items"]:
                    raise ResultsFileError(_changed(shard, self.path))
                out[key].append(entry)
        return out


class Items:
    """The documents or findings of a :class:`ResultsFile`: ``len`` and iteration (a
    fresh pass over the file each time), never all in memory."""

    def __init__(self, results: ResultsFile, key: str) -> None:
        self._results, self._key = results, key
        self._len = results.count(key)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._results._items(self._key)

    def __repr__(self) -> str:
        return f"Items({self._key!r}, {self._len} items of {self._results.path})"


def _changed(shard: Path, results: Path) -> str:
    return (f"{shard}: this shard of {results} has changed since it was written (its "
            "SHA-256 or item count differs from what results.json says) — validate the "
            "corpus again")


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise ResultsFileError(f"{path}: cannot read the results ({exc.strerror}) — give "
                               "the file `corpus-qa validate --json` wrote") from None
    except json.JSONDecodeError as exc:
        raise ResultsFileError(f"{path}:{exc.lineno}: not JSON ({exc.msg}) — give the file "
                               "`corpus-qa validate --json` wrote") from None
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:
        raise ResultsFileError(f"{path}: not a JSON results file ({type(exc).__name__}) — "
                               "give the file `corpus-qa validate --json` wrote") from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise ResultsFileError(f"{path}: not a corpus-qa results file (no schema_version) — "
                               "give the file `corpus-qa validate --json` wrote")
    return data
