"""corpus-qa: test-driven quality assurance for text corpora.

Importing ``corpus_qa`` makes its expectations available to Great Expectations
without paying GX's import cost up front: if GX is already imported they are
registered now, otherwise right after GX's own import finishes. So
``import corpus_qa`` before loading a saved GX suite is all a GX user needs
(``import corpus_qa.expectations`` registers them at once). Right before GX's import
runs, the libraries GX imports only for features corpus-qa does not use are made to load
on first use (:func:`corpus_qa.gxcontext.defer_unused_imports`).

Every expectation class is also an attribute of the package
(``corpus_qa.ExpectDocumentToHaveNoMojibake``), and ``corpus_qa.gx_dataframe(paths)``
builds the DataFrame they validate; both are imported on first use, so
``import corpus_qa`` stays cheap.
"""

from __future__ import annotations

import gc
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType

__version__ = "0.1.0"

_GX = "great_expectations"

EXPECTATIONS = (
    "ExpectCorpusToHaveNoRepeatedLines", "ExpectDocumentDateToBeValid",
    "ExpectDocumentMetadataToMatch", "ExpectDocumentToBeUnicodeNormalized",
    "ExpectDocumentToBeValidUtf8", "ExpectDocumentToHaveMetadata",
    "ExpectDocumentToHaveNoBoilerplate", "ExpectDocumentToHaveNoControlCharacters",
    "ExpectDocumentToHaveNoMojibake", "ExpectDocumentToHaveNoPossibleFurniture",
    "ExpectDocumentToHaveParagraphs", "ExpectVersionsToHaveConsistentCreditLines",
    "ExpectVersionsToHaveConsistentFigures", "ExpectVersionsToHaveConsistentMetadata",
    "ExpectVersionsToPreserveDiacritics",
)
"""The expectation classes ``corpus_qa`` exports (lazily: they import GX)."""

__all__ = ["__version__", "gx_dataframe", *EXPECTATIONS]


def __getattr__(name: str) -> object:
    """The expectation classes and :func:`corpus_qa.frames.gx_dataframe`, on first use."""
    if name in EXPECTATIONS:
        import corpus_qa.expectations as expectations

        return getattr(expectations, name)
    if name == "gx_dataframe":
        from corpus_qa.frames import gx_dataframe

        return gx_dataframe
    raise AttributeError(f"module 'corpus_qa' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _register_expectations() -> None:
    import corpus_qa.expectations  # noqa: F401  (registers with GX on import)


_importing_expectations = 0
_closing: list[Callable[[], None]] = []


@contextmanager
def expectations_import() -> Iterator[None]:
    """Around the imports of ``corpus_qa.expectations``: when they are what imports GX,
    the set-up of GX's import (:func:`corpus_qa.gxcontext.before_gx_import`, the cyclic
    collector off) lasts until they are done, so corpus-qa's own expectation classes are
    built as GX's are, and what they leave is frozen with GX's objects in the command."""
    global _importing_expectations
    _importing_expectations += 1
    try:
        yield
    finally:
        _importing_expectations -= 1
        if not _importing_expectations:
            while _closing:
                _closing.pop()()


class _AfterGXImport(importlib.abc.MetaPathFinder):
    """Registers corpus-qa's expectations once ``great_expectations`` has been imported."""

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name != _GX:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_then_register(module: ModuleType) -> None:
            from corpus_qa.gxcontext import before_gx_import

            after = before_gx_import()  # GX's unused heavy imports load on first use
            collecting = gc.isenabled()
            # The import leaves ~300,000 long-lived objects and little garbage: the cyclic
            # collector, run again and again over the growing heap meanwhile, cost a fifth
            # of the import's CPU. It runs as usual afterwards.
            gc.disable()

            def close() -> None:
                after()
                if collecting:
                    gc.enable()

            try:
                exec_module(module)
                _register_expectations()
            except BaseException:
                close()
                raise
            if _importing_expectations:  # corpus_qa.expectations imported GX: once it is done
                _closing.append(close)
            else:
                close()

        loader.exec_module = exec_then_register  # type: ignore[method-assign]
        return spec


if _GX in sys.modules:
    _register_expectations()
elif not any(isinstance(f, _AfterGXImport) for f in sys.meta_path):
    sys.meta_path.insert(0, _AfterGXImport())
