"""Story signatures cached by content, so ``--changed-since`` signs only what changed.

``--changed-since`` must place every document into its story before it can pick the
other versions of a changed document, which takes a signature of every document. The
signatures of the previous run are kept in one file per corpus and signature setting:

    $CORPUS_QA_CACHE_DIR or $XDG_CACHE_HOME/corpus-qa or ~/.cache/corpus-qa
        signatures/<corpus>-<settings>.npy

``<corpus>`` is a digest of the absolute corpus paths, ``<settings>`` of the signature
algorithm's version and the grouper's settings. Each entry is keyed by a 128-bit BLAKE2b
digest of the text the signature is computed on, so an edited document misses the cache
and is signed again, and a renamed or moved one hits it. The file holds the entries of
the last run only (documents that left the corpus drop out), is written atomically, and
is never inside the corpus. A cache that cannot be read is ignored (and rewritten): it
only ever saves time.

Beside it, :class:`FileStamps` (``<corpus>-<settings>.files.json.zst``) remembers each
file's stamp — size, modification and change times, inode — and the documents read from
it (id, line, content digest, story key), so a file whose stamp has not changed is not
read again at all: its documents' signatures come from the cache by their digests. As
git does, a file modified less than :data:`RACY_S` seconds before the run that reads it
started is not stamped (it could change again within the clock's resolution).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from corpus_qa.checks.versions import SIGNATURE_VERSION, StoryGrouper
from corpus_qa.vetcache import default_cache_dir

Digest = tuple[int, int]


def digest(text: str) -> Digest:
    """128-bit content digest of a text, as two 64-bit integers."""
    raw = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    return int.from_bytes(raw[:8], "little"), int.from_bytes(raw[8:], "little")


class SignatureCache:
    """Signatures by content digest, read from and written to one ``.npy`` file."""

    def __init__(self, path: Path, grouper: StoryGrouper) -> None:
        self.path = path
        self.dtype = np.dtype([("key", "<u8", (2,)), ("signed", "?"),
                               ("signature", "<u4", (grouper.num_perm,))])
        self._entries = self._read()

    @classmethod
    def for_corpus(cls, paths: Sequence[str], grouper: StoryGrouper,
                   cache_dir: Path | None = None) -> SignatureCache:
        """The cache of this corpus (its absolute paths) and these signature settings."""
        corpus = hashlib.sha1("\0".join(sorted(os.path.abspath(p) for p in paths)).encode())
        settings = hashlib.sha1(
            f"{SIGNATURE_VERSION}:{grouper.num_perm}:{grouper.shingle_words}:{grouper.seed}".encode()
        )
        name = f"{corpus.hexdigest()[:16]}-{settings.hexdigest()[:8]}.npy"
        return cls((cache_dir or default_cache_dir()) / "signatures" / name, grouper)

    def _read(self) -> npt.NDArray[np.void]:
        try:
            entries = np.load(self.path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError):
            return np.empty(0, dtype=self.dtype)
        if entries.dtype != self.dtype or entries.ndim != 1:
            return np.empty(0, dtype=self.dtype)
        return entries

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, digests: Sequence[Digest]) -> list[tuple[bool, npt.NDArray[np.uint32] | None]]:
        """For each digest: (found, signature or ``None`` for a text without words)."""
        if not len(self._entries) or not digests:
            return [(False, None)] * len(digests)
        keys = self._entries["key"]
        wanted = np.array(digests, dtype=np.uint64).reshape(-1, 2)
        at = np.minimum(np.searchsorted(keys[:, 0], wanted[:, 0]), len(keys) - 1)
        found = (keys[at, 0] == wanted[:, 0]) & (keys[at, 1] == wanted[:, 1])
        out: list[tuple[bool, npt.NDArray[np.uint32] | None]] = []
        for hit, index in zip(found.tolist(), at.tolist(), strict=True):
            if not hit:
                out.append((False, None))
            else:
                entry = self._entries[index]
                out.append((True, np.array(entry["signature"]) if entry["signed"] else None))
        return out

    def write(self, digests: Sequence[Digest],
              signatures: Sequence[npt.NDArray[np.uint32] | None]) -> None:
        """Replace the cache with these entries (atomically: a temporary file, then rename)."""
        entries = np.zeros(len(digests), dtype=self.dtype)
        if len(digests):
            entries["key"] = np.array(digests, dtype=np.uint64).reshape(-1, 2)
        for i, signature in enumerate(signatures):
            if signature is not None:
                entries[i]["signed"] = True
                entries[i]["signature"] = signature
        entries = entries[np.argsort(entries["key"][:, 0], kind="stable")]
        _replace(self.path, lambda out: np.save(out, entries, allow_pickle=False))


RACY_S = 2.0
"""A file modified (or its inode changed) this close to, or after, the start of the run
that reads it is not stamped, so the next run reads it again: it may change again
within the file system's time resolution without its stamp changing."""

Stamp = tuple[int, int, int, int, int]
Entry = tuple[str, int, "str | None", bool, int, int, "str | None"]
"""A document as the stamps file keeps it: (id as read, line, record kind, whether it
came with raw bytes, digest high, digest low, story key)."""


def stamp(st: os.stat_result) -> Stamp:
    """What says a file has not changed: size, mtime and ctime (ns), inode, device."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


class FileStamps:
    """The documents of each file by the file's stamp (see the module's docstring)."""

    def __init__(self, path: Path, started_ns: int, *, trusted: bool = True) -> None:
        self.path = path
        self.started_ns = started_ns
        """When this run started: files modified after it minus :data:`RACY_S` are not
        stamped."""
        self._previous = self._read() if trusted else {}
        self._stamps: dict[str, Stamp] = {}
        self.reused = 0
        """Files whose documents were taken from the previous run's stamps."""

    @classmethod
    def beside(cls, cache: SignatureCache, settings: str, started_ns: int, *,
               trusted: bool = True) -> FileStamps:
        """The stamps kept next to ``cache``; ``settings`` names what reading depends on
        (fields, story key, phrase list), so other settings use another file. Not
        ``trusted``: the previous stamps are ignored (every file is read)."""
        digest_of = hashlib.sha1(settings.encode()).hexdigest()[:8]
        return cls(cache.path.with_name(f"{cache.path.stem}-{digest_of}.files.json.zst"),
                   started_ns, trusted=trusted)

    def _read(self) -> dict[str, Any]:
        import zstandard

        try:
            data = json.loads(zstandard.ZstdDecompressor().decompress(self.path.read_bytes()))
            return dict(data["files"])
        except (OSError, ValueError, KeyError, TypeError, zstandard.ZstdError):
            return {}

    def unchanged(self, shown: str, st: os.stat_result) -> bool:
        """Whether ``shown`` has the stamp it had (and was trusted) in the previous run;
        the stamp is noted for this run's file either way."""
        now = stamp(st)
        self._stamps[shown] = now
        known = self._previous.get(shown)
        hit = known is not None and tuple(known["stamp"]) == now
        self.reused += hit
        return hit

    def documents(self, shown: str) -> list[Entry]:
        """The documents of an unchanged file, as the previous run read them."""
        return [tuple(entry) for entry in self._previous[shown]["documents"]]  # type: ignore[misc]

    def write(self, documents: dict[str, list[Entry]]) -> None:
        """Keep this run's files (each file's documents, in order) for the next run; a
        file modified too close to this run's start is left out (read again next time)."""
        import zstandard

        limit = self.started_ns - int(RACY_S * 1e9)
        files = {shown: {"stamp": self._stamps[shown], "documents": entries}
                 for shown, entries in documents.items()
                 if shown in self._stamps and max(self._stamps[shown][1:3]) < limit}
        data = json.dumps({"started_ns": self.started_ns, "files": files},
                          separators=(",", ":")).encode()
        packed = zstandard.ZstdCompressor(level=3).compress(data)
        _replace(self.path, lambda out: out.write(packed))


def _replace(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` atomically: a temporary file beside it, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
