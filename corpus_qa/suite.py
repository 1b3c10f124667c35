"""Suites: a YAML file of expectations -> validated config -> GX ``ExpectationSuite``.

A suite is checked completely before any document is read; every error names the
file, the line and the key (``expectations/news.yml:14: … unknown parameter 'feilds';
did you mean 'fields'?``). A suite is a file path or a packaged suite
(``builtin:news.yml``); lists it names are resolved by
:func:`corpus_qa.data.resolve_data_path`. The format is described in ``docs/suites.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from corpus_qa.data import DataRefError, is_builtin, resolve_data_path, shown_data_path
from corpus_qa.sources.base import DEFAULT_FIELDS, FieldMap
from corpus_qa.vetcache import save as save_proven
from corpus_qa.yamlfile import Located, YamlError, did_you_mean, load_located

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite

    from corpus_qa.expectations.base import CorpusExpectation

SEVERITIES = ("error", "warning", "info")
GX_SEVERITY = {"error": "critical", "warning": "warning", "info": "info"}
FROM_GX_SEVERITY = {v: k for k, v in GX_SEVERITY.items()}

TOP_LEVEL_KEYS = ("name", "description", "corpus", "versions", "metadata", "expectations")
METADATA_KEYS = ("phrases",)
ENTRY_KEYS = ("type", "severity", "mostly", "description")
CORPUS_KEYS = ("paths", "text_field", "id_field", "metadata_field", "max_document_bytes")
VERSIONS_KEYS = ("key", "threshold", "max_story_documents")


class SuiteError(YamlError):
    """The suite file is wrong; the message names file, line and key (exit code 2)."""


T = TypeVar("T")


__all__ = ["SuiteError", "did_you_mean", "load_suite", "Suite", "ExpectationSpec"]


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation of a suite, as declared."""

    type: str
    kwargs: dict[str, Any]
    severity: str = "error"
    mostly: float = 1.0
    line: int = 1
    description: str | None = None


DEFAULT_MAX_STORY_DOCUMENTS = 1000
"""A story of more documents is not validated by the story pass: an ``input`` finding
(``story_too_large``) names it instead (``versions.max_story_documents`` in the suite,
``--max-story-documents``). See docs/versions.md, "Oversized stories"."""


@dataclass(frozen=True)
class VersionsConfig:
    """How documents are grouped into stories: a metadata key and/or a similarity threshold."""

    key: str | None = None
    threshold: float | None = None  # None: corpus_qa.checks.versions.DEFAULT_THRESHOLD
    max_story_documents: int = 0  # 0: DEFAULT_MAX_STORY_DOCUMENTS
    """A larger story is not compared across versions but reported (``story_too_large``)."""

    @property
    def story_limit(self) -> int:
        """The most documents a story the story pass validates may have."""
        return self.max_story_documents or DEFAULT_MAX_STORY_DOCUMENTS


@dataclass(frozen=True)
class Suite:
    """A validated suite."""

    name: str
    path: str
    expectations: tuple[ExpectationSpec, ...]
    description: str = ""
    paths: tuple[str, ...] = ()
    versions: VersionsConfig = field(default_factory=VersionsConfig)
    fields: FieldMap = DEFAULT_FIELDS
    """Record fields holding text, id and metadata (``corpus: text_field`` …; CLI flags)."""
    phrases: str | None = None
    """The metadata phrase list: a path resolved against the suite's folder, a
    ``builtin:`` reference, or None for the packaged default."""

    def load_phrases(self) -> Any:
        """The metadata phrase list this suite uses (cached per path)."""
        from corpus_qa.metadata import load_phrases

        return load_phrases(self.phrases)

    def instances(self, *, portable: bool = False) -> list[CorpusExpectation]:
        """The suite's expectations as GX expectation objects (imports GX).

        ``portable``: with the parameters an exported suite carries (a user's list files
        embedded, so the objects work from any folder); reading them may raise OSError.
        """
        from corpus_qa.expectations import registered

        classes = registered()
        folder = Path(self.path).parent
        return [
            classes[spec.type](**_gx_kwargs(spec), **(
                classes[spec.type].portable_kwargs(spec.kwargs, folder) if portable
                else spec.kwargs))
            for spec in self.expectations
        ]

    def to_gx(self, *, portable: bool = False) -> ExpectationSuite:
        """A GX ``ExpectationSuite`` holding the same expectations."""
        import great_expectations as gx

        from corpus_qa.gxcontext import context

        context()
        suite = gx.ExpectationSuite(name=self.name)
        for expectation in self.instances(portable=portable):
            suite.add_expectation(expectation)
        return suite

    def to_gx_json(self) -> str:
        """The GX suite JSON (what ``corpus-qa export-gx`` writes): self-contained, so it
        loads from any folder — a user's pattern and cue lists are embedded as
        ``{"file", "text"}`` (``builtin:`` names stay as written)."""
        data = self.to_gx(portable=True).to_json_dict()
        for expectation in data.get("expectations", []):
            expectation.pop("id", None)  # GX assigns fresh ids when a suite is added to a context
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _gx_kwargs(spec: ExpectationSpec) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "severity": GX_SEVERITY[spec.severity],
        "meta": {"corpus_qa": {"severity": spec.severity, "line": spec.line}},
    }
    if spec.mostly != 1.0:
        kwargs["mostly"] = spec.mostly
    if spec.description:
        kwargs["description"] = spec.description
    return kwargs


def load_suite(path: str | Path) -> Suite:
    """Read and fully validate a suite file or a packaged suite (``builtin:news.yml``).

    Raises :class:`SuiteError` naming every problem found (one ``file:line:`` line each),
    also for a pattern or phrase list the suite names (its line then points into that
    list).
    """
    if is_builtin(path):
        try:
            source = resolve_data_path(path)
        except DataRefError as exc:
            raise SuiteError(str(path), 1, None, exc.problem,
                             "pass a suite file or a packaged suite") from None
        located = load_located(source, shown=str(path), kind=SuiteError)
    else:
        located = load_located(path, shown=shown_data_path(path), kind=SuiteError)
    data = located.data
    if not isinstance(data, dict):
        raise _error(located, "a suite is a mapping with 'name' and 'expectations'")
    errors: list[SuiteError] = []

    def checked(read: Callable[[], T]) -> T | None:
        try:
            return read()
        except SuiteError as exc:
            errors.append(exc)
            return None

    def check_name() -> str:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _error(located, "'name' must be a non-empty string", "name")
        return name

    def check_entries() -> list[Any]:
        entries = data.get("expectations")
        if not isinstance(entries, list) or not entries:
            raise _error(located, "'expectations' must be a non-empty list", "expectations")
        return entries

    checked(lambda: _check_keys(located, data, TOP_LEVEL_KEYS, ()))
    name = checked(check_name)
    entries = checked(check_entries) or []
    specs = tuple(checked(lambda e=entry, i=i: _read_entry(located, e, i))  # type: ignore[misc]
                  for i, entry in enumerate(entries))
    paths = checked(lambda: _read_corpus(located, data.get("corpus")))
    fields = checked(lambda: _read_corpus_fields(located, data.get("corpus")))
    versions = checked(lambda: _read_versions(located, data.get("versions")))
    phrases = checked(lambda: _read_metadata(located, data.get("metadata")))
    if errors:
        raise all_errors(errors)
    _check_corpus_scope(located, specs)  # type: ignore[arg-type]
    save_proven()  # what checking the regexes proved, for the next run
    return Suite(
        name=name,  # type: ignore[arg-type]
        path=located.path,
        expectations=specs,  # type: ignore[arg-type]
        description=str(data.get("description") or ""),
        paths=paths,  # type: ignore[arg-type]
        fields=fields,  # type: ignore[arg-type]
        versions=versions,  # type: ignore[arg-type]
        phrases=phrases,  # type: ignore[arg-type]
    )


def all_errors(errors: list[SuiteError]) -> SuiteError:
    """Every problem of a suite in one error: the first one's place, one line per problem.

    A suite with three mistakes is fixed in one round, not three.
    """
    first = errors[0]
    if len(errors) == 1:
        return first
    combined = SuiteError(first.path, first.line, first.key, first.problem, first.remedy)
    combined.errors = tuple(errors)  # type: ignore[attr-defined]
    combined.args = ("\n".join(str(e) for e in errors)
                     + f"\n({len(errors)} problems in the suite; fix them all)",)
    return combined


def _error(located: Located, message: str, *where: Any, remedy: str | None = None) -> SuiteError:
    return SuiteError(located.path, located.line(*where), None, message, remedy)


def _check_keys(located: Located, data: dict[str, Any], allowed: tuple[str, ...],
                where: tuple[Any, ...], what: str = "key") -> None:
    for key in data:
        if key not in allowed:
            raise _error(located, f"unknown {what} '{key}'{did_you_mean(str(key), allowed)}",
                         *where, key)


def _read_corpus(located: Located, corpus: Any) -> tuple[str, ...]:
    if corpus is None:
        return ()
    if not isinstance(corpus, dict):
        raise _error(located, "'corpus' must be a mapping (paths: [...])", "corpus")
    _check_keys(located, corpus, CORPUS_KEYS, ("corpus",))
    paths = corpus.get("paths", [])
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise _error(located, "'corpus.paths' must be a list of paths", "corpus", "paths")
    return tuple(paths)


def _read_corpus_fields(located: Located, corpus: Any) -> FieldMap:
    """``corpus: {text_field, id_field, metadata_field}`` (checked by :func:`_read_corpus`)."""
    if not isinstance(corpus, dict):
        return DEFAULT_FIELDS
    names = {}
    for key in ("text_field", "id_field", "metadata_field"):
        value = corpus.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise _error(located, f"'corpus.{key}' must be a field name (dots for nested "
                         "fields)", "corpus", key)
        names[key.removesuffix("_field")] = value.strip()
    limit = corpus.get("max_document_bytes")
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise _error(located, "'corpus.max_document_bytes' must be a positive number of "
                         f"bytes, e.g. 50000000 (got {limit!r})", "corpus", "max_document_bytes")
        return FieldMap(**names, max_document_bytes=limit)
    return FieldMap(**names)


def _read_metadata(located: Located, section: Any) -> str | None:
    """The phrase list named by ``metadata: {phrases: FILE}``, loaded once to validate it."""
    from corpus_qa.metadata import load_phrases

    phrases = None
    if section is not None:
        if not isinstance(section, dict):
            raise _error(located, "'metadata' must be a mapping (phrases: FILE)", "metadata")
        _check_keys(located, section, METADATA_KEYS, ("metadata",))
        value = section.get("phrases")
        if value is not None and not isinstance(value, str):
            raise _error(located, "'metadata.phrases' must be a path to a phrase list YAML",
                         "metadata", "phrases")
        if value is not None:
            try:
                path = resolve_data_path(value, located.folder)
            except DataRefError as exc:
                raise _error(located, f"'metadata.phrases': {exc.problem}",
                             "metadata", "phrases") from None
            phrases = value if is_builtin(value) else str(path)
            if not path.is_file():
                raise _error(located, f"'metadata.phrases': {phrases}: file not found",
                             "metadata", "phrases",
                             remedy="give a path relative to the suite file, or "
                             "builtin:metadata.yml") from None
    try:
        load_phrases(phrases)
    except YamlError as exc:
        raise exc.retyped(SuiteError, context=f"phrase list of {located.path}") from None
    return phrases


def _read_versions(located: Located, versions: Any) -> VersionsConfig:
    if versions is None:
        return VersionsConfig()
    if not isinstance(versions, dict):
        raise _error(located, "'versions' must be a mapping (key, threshold, "
                     "max_story_documents)", "versions")
    _check_keys(located, versions, VERSIONS_KEYS, ("versions",))
    key = versions.get("key")
    if key is not None and not isinstance(key, str):
        raise _error(located, "'versions.key' must be a metadata field name", "versions", "key")
    limit = versions.get("max_story_documents")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 2):
        raise _error(located, "'versions.max_story_documents' must be a whole number of documents, "
                     f"2 or more, e.g. 1000 (got {limit!r})", "versions", "max_story_documents")
    threshold = versions.get("threshold")
    if threshold is None:
        return VersionsConfig(key=key, max_story_documents=limit or 0)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not (
        0 < threshold <= 1
    ):
        raise _error(located, f"'versions.threshold' must be a number in (0, 1], got {threshold!r}",
                     "versions", "threshold")
    return VersionsConfig(key=key, threshold=float(threshold), max_story_documents=limit or 0)


def _check_corpus_scope(located: Located, specs: tuple[ExpectationSpec, ...]) -> None:
    """Corpus-wide expectations fill one shared column: at most one of each type."""
    from corpus_qa.expectations import registered

    classes = registered()
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if classes[spec.type].scope == "corpus":
            if spec.type in seen:
                raise _error(located, f"{spec.type} may appear only once in a suite",
                             "expectations", index, "type")
            seen.add(spec.type)


def _read_entry(located: Located, entry: Any, index: int) -> ExpectationSpec:
    from corpus_qa.expectations import registered

    where = ("expectations", index)
    if not isinstance(entry, dict) or "type" not in entry:
        raise _error(located, "each expectation is a mapping with a 'type'", *where)
    classes = registered()
    type_ = entry["type"]
    if type_ not in classes:
        hint = did_you_mean(str(type_), list(classes))
        raise _error(located, f"unknown expectation '{type_}'{hint}", *where, "type")
    cls = classes[type_]
    params = cls.parameters()
    kwargs = {k: v for k, v in entry.items() if k not in ENTRY_KEYS}
    for key in kwargs:
        if key not in params:
            known = list(params) or ["(this expectation takes no parameters)"]
            raise _error(located, f"{type_}: unknown parameter '{key}'{did_you_mean(key, known)}",
                         *where, key)
    severity = entry.get("severity", cls.default_severity)
    if severity not in SEVERITIES:
        raise _error(located, f"{type_}: severity '{severity}' is not allowed"
                     f"{did_you_mean(str(severity), SEVERITIES)}", *where, "severity")
    mostly = entry.get("mostly", 1.0)
    if isinstance(mostly, bool) or not isinstance(mostly, int | float) or not 0 <= mostly <= 1:
        raise _error(located, f"{type_}: 'mostly' must be a number between 0 and 1, got {mostly!r}",
                     *where, "mostly")
    description = entry.get("description")
    if description is not None and not isinstance(description, str):
        raise _error(located, f"{type_}: 'description' must be a string", *where, "description")
    try:
        kwargs = cls.resolve_paths(kwargs, located.folder)
    except DataRefError as exc:
        raise _error(located, f"{type_}: {exc.problem}", *where,
                     *_where_value(entry, exc.ref)) from None
    spec = ExpectationSpec(type_, kwargs, severity, float(mostly), located.line(*where),
                           description)
    _instantiate(located, cls, spec, where)
    return spec


def _instantiate(located: Located, cls: type, spec: ExpectationSpec,
                 where: tuple[Any, ...]) -> None:
    """Build the GX object once so GX/pydantic validate every parameter's type and value."""
    from great_expectations.compatibility import pydantic

    try:
        cls(**_gx_kwargs(spec), **spec.kwargs)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first.get("loc") else "__root__"
        if key == "__root__":
            raise _error(located, f"{spec.type}: {first['msg']}", *where) from None
        value = spec.kwargs.get(key)
        raise _error(located, f"{spec.type}: parameter '{key}' = {value!r}: {first['msg']}",
                     *where, key) from None
    except YamlError as exc:  # a pattern list named by the suite is itself wrong
        context = f"pattern list of {located.path}:{located.line(*where)}"
        raise exc.retyped(SuiteError, context=context) from None
    except (ValueError, TypeError) as exc:
        raise _error(located, f"{spec.type}: {exc}", *where) from None


def _where_value(node: Any, value: str) -> tuple[Any, ...]:
    """The key/index path of the first string ``value`` inside ``node`` (for its line)."""

    def find(item: Any) -> tuple[Any, ...] | None:
        if item == value:
            return ()
        children = item.items() if isinstance(item, dict) else (
            enumerate(item) if isinstance(item, list) else ())
        for key, child in children:
            below = find(child)
            if below is not None:
                return (key, *below)
        return None

    return find(node) or ()
