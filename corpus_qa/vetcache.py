"""What loading a pattern or phrase list proves about its regexes, remembered across runs.

Every regex of a list file is checked when the file is loaded: it must compile, match no
empty line, not backtrack catastrophically (:func:`corpus_qa.backtracking.vet_regex`),
and match its own ``example``. On the packaged lists that is about a tenth of a second,
spent again by every run, for answers that depend on nothing but the regex's text (and
the example's), the code that checks it and the Python that compiles it. So each check
that *passed* is remembered:

    $CORPUS_QA_CACHE_DIR or $XDG_CACHE_HOME/corpus-qa or ~/.cache/corpus-qa
        vetted/<code>.bin

``<code>`` is a digest of the Python version and of the source of the modules that
decide the checks (``backtracking.py``, ``checks/boilerplate.py``, ``metadata.py``):
another Python or an edited check starts a new file. The file holds 16-byte BLAKE2b
digests of what was proven (a kind, the regex, the example), so an edited regex or
example is simply not found and is checked again, with the same error, file and line if
it is wrong. Only passes are kept: a check that fails is made again every time (but a
line screen's relaxed pattern found unsafe, which is no mistake: :func:`safe_screen`). A
cache that cannot be read is ignored, one that cannot be written is left alone: it only
ever saves time. It is never inside the corpus, and the user's lists are never written.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

from corpus_qa.backtracking import vet_regex as _vet_regex

__all__ = ["default_cache_dir", "proven", "prove", "safe_screen", "save", "vet_regex"]

_DECIDING = ("backtracking.py", "checks/boilerplate.py", "metadata.py")
"""The package's modules whose code decides what is proven (relative to the package)."""

_DIGEST = 16
_MAX_ENTRIES = 200_000
"""A file with more entries than this (3.2 MB) starts again from what this run proved."""
_STALE_S = 30 * 24 * 3600
"""Files of other code versions untouched this long are removed when a new one is written."""

_known: set[bytes] | None = None
_new: set[bytes] = set()
_path: Path | None = None


def default_cache_dir() -> Path:
    """Where caches go: ``$CORPUS_QA_CACHE_DIR``, else the user cache directory."""
    explicit = os.environ.get("CORPUS_QA_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "corpus-qa"


def _code_key() -> str | None:
    """A digest of the Python version and of the deciding modules' source (None when a
    module's source cannot be read: then nothing is remembered)."""
    package = Path(__file__).resolve().parent
    key = hashlib.blake2b(f"{sys.version}\0{sys.implementation.cache_tag}".encode(),
                          digest_size=12)
    try:
        for name in _DECIDING:
            key.update((package / name).read_bytes())
    except OSError:
        return None
    return key.hexdigest()


def _entries() -> set[bytes]:
    """What earlier runs proved (read once per process and cache directory)."""
    global _known, _path
    directory = default_cache_dir() / "vetted"
    if _known is not None and _path is not None and _path.parent == directory:
        return _known
    _new.clear()
    code = _code_key()
    _path = directory / f"{code}.bin" if code else None
    _known = set()
    if _path is not None:
        try:
            raw = _path.read_bytes()
        except OSError:
            raw = b""
        if len(raw) % _DIGEST == 0:  # anything else is not a file this module wrote
            _known = {raw[i:i + _DIGEST] for i in range(0, len(raw), _DIGEST)}
    return _known


def _key(kind: str, parts: tuple[str, ...]) -> bytes:
    text = "\0".join((kind, *parts)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=_DIGEST).digest()


def proven(kind: str, *parts: str) -> bool:
    """True when a check of this ``kind`` passed on exactly these texts before."""
    key = _key(kind, parts)
    return key in _entries() or key in _new


def prove(kind: str, *parts: str) -> None:
    """Remember that a check of this ``kind`` passed on these texts (kept by :func:`save`)."""
    key = _key(kind, parts)
    if key not in _entries():
        _new.add(key)


def vet_regex(source: str) -> str | None:
    """:func:`corpus_qa.backtracking.vet_regex`, remembered when the regex is safe."""
    if proven("vet_regex", source):
        return None
    unsafe = _vet_regex(source)
    if unsafe is None:
        prove("vet_regex", source)
    return unsafe


def safe_screen(source: str) -> bool:
    """Whether a relaxed pattern (a line screen's part, :func:`corpus_qa.checks.prefilter.relaxed`)
    is safe to run: :func:`vet_regex` finds nothing. Remembered either way: an unsafe one
    is no mistake to report (the line goes without a screen), so its verdict is as
    fixed a fact as a pass, and a warm cache spares both."""
    if proven("vet_regex", source):
        return True
    if proven("unsafe_screen", source):
        return False
    safe = _vet_regex(source) is None
    prove("vet_regex" if safe else "unsafe_screen", source)
    return safe


def save() -> None:
    """Write what this process proved since it last saved, if anything; a loader calls it
    once it has read a whole list. Written whole and atomically (a concurrent run's
    entries written meanwhile may be lost, which only costs a check); errors ignored."""
    global _known
    known = _entries()
    if not _new or _path is None:
        return
    merged = known | _new
    if len(merged) > _MAX_ENTRIES:
        merged = set(_new)
    try:
        _path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=_path.parent, prefix=".vetted-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(b"".join(sorted(merged)))
            os.replace(temporary, _path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return  # unwritable: the checks are made again next time
    _known = merged
    _new.clear()
    _prune(_path)


def _prune(current: Path) -> None:
    """Remove the files of other code versions nobody has written to for a month."""
    cutoff = time.time() - _STALE_S
    try:
        for other in current.parent.glob("*.bin"):
            if other != current and other.stat().st_mtime < cutoff:
                other.unlink(missing_ok=True)
    except OSError:
        pass
