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
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpus_qa.checks.versions import SIGNATURE_VERSION, StoryGrouper

Digest = tuple[int, int]


def default_cache_dir() -> Path:
    """Where caches go: ``$CORPUS_QA_CACHE_DIR``, else the user cache directory."""
    explicit = os.environ.get("CORPUS_QA_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "corpus-qa"


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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                np.save(out, entries, allow_pickle=False)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
