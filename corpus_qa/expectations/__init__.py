"""corpus-qa's GX expectations. Importing this package registers them with GX."""

from corpus_qa import expectations_import

# When these imports are what imports GX, GX's import set-up lasts until they are done.
with expectations_import():
    from corpus_qa.expectations.base import CorpusExpectation
    from corpus_qa.expectations.boilerplate import (
        ExpectCorpusToHaveNoRepeatedLines,
        ExpectDocumentToHaveNoBoilerplate,
        ExpectDocumentToHaveNoPossibleFurniture,
        ExpectDocumentToHaveParagraphs,
    )
    from corpus_qa.expectations.encoding import (
        ExpectDocumentToBeUnicodeNormalized,
        ExpectDocumentToBeValidUtf8,
        ExpectDocumentToHaveNoControlCharacters,
        ExpectDocumentToHaveNoMojibake,
    )
    from corpus_qa.expectations.metadata import (
        ExpectDocumentDateToBeValid,
        ExpectDocumentMetadataToMatch,
        ExpectDocumentToHaveMetadata,
    )
    from corpus_qa.expectations.versions import (
        ExpectVersionsToHaveConsistentCreditLines,
        ExpectVersionsToHaveConsistentFigures,
        ExpectVersionsToHaveConsistentMetadata,
        ExpectVersionsToPreserveDiacritics,
    )


__all__ = [
    "CorpusExpectation",
    "ExpectCorpusToHaveNoRepeatedLines",
    "ExpectDocumentToHaveNoBoilerplate",
    "ExpectDocumentToHaveNoPossibleFurniture",
    "ExpectDocumentToHaveParagraphs",
    "ExpectDocumentDateToBeValid",
    "ExpectDocumentMetadataToMatch",
    "ExpectDocumentToHaveMetadata",
    "ExpectVersionsToHaveConsistentCreditLines",
    "ExpectVersionsToHaveConsistentFigures",
    "ExpectVersionsToHaveConsistentMetadata",
    "ExpectVersionsToPreserveDiacritics",
    "ExpectDocumentToBeUnicodeNormalized",
    "ExpectDocumentToBeValidUtf8",
    "ExpectDocumentToHaveNoControlCharacters",
    "ExpectDocumentToHaveNoMojibake",
]


def registered() -> dict[str, type[CorpusExpectation]]:
    """Every concrete corpus-qa expectation, by GX expectation type (snake_case)."""
    found: dict[str, type[CorpusExpectation]] = {}
    stack = list(CorpusExpectation.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.is_abstract():
            found[cls.expectation_type] = cls
    return dict(sorted(found.items()))
