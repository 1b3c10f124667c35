"""Parquet files: one record per row, read in batches (never the whole file).

Rows are numbered from 1 across the row groups of the file: ``part-0.parquet`` row 12
is the locator ``part-0.parquet:12`` in findings (the ``line`` of a Parquet document is
its row), and a row without an id gets the id ``part-0.parquet#row12``.

The file is checked before any row is read: a corrupt footer, a missing text column or
a text column that does not hold strings is one ``input`` problem for the file (naming
the columns it has). A read error after that ends the file at the row reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corpus_qa.documents import Document
from corpus_qa.sources.base import FieldMap, InputProblem, SourceCount
from corpus_qa.sources.records import make_document

BATCH_ROWS = 1024
"""Rows converted to Python at a time (pyarrow reads one row group's pages as needed)."""


def _pyarrow() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - a declared dependency
        raise ImportError("reading .parquet needs pyarrow: pip install pyarrow") from None
    return pq


class ParquetSource:
    """Reads one Parquet file."""

    format = "parquet"

    def read(self, file: Path, shown: str, root: Path, fields: FieldMap,
             count: SourceCount) -> Iterator[Document | InputProblem]:
        for item in load_parquet(file, shown, fields, count):
            if isinstance(item, Document):
                count.documents += 1
            else:
                count.problems += 1
            yield item


def source(compression: str | None = None) -> ParquetSource:
    """The Parquet source (Parquet compresses its own pages: ``compression`` is ``None``)."""
    return ParquetSource()


def row_id(shown: str, row: int) -> str:
    """The id of a row without an id field: ``path#rowN`` (N from 1)."""
    return f"{shown}#row{row}"


def load_parquet(file: Path, shown: str, fields: FieldMap | None = None,
                 count: SourceCount | None = None) -> Iterator[Document | InputProblem]:
    """One document per row; problems name the row (or row 1 for the whole file)."""
    import pyarrow as pa

    pq = _pyarrow()
    fields = fields or FieldMap()
    try:
        parquet = pq.ParquetFile(file)
        schema = parquet.schema_arrow
    except (OSError, pa.ArrowException) as exc:
        yield InputProblem(shown, 1, "invalid_parquet",
                           f"not a readable Parquet file ({_first_line(exc)}) — re-create or "
                           "re-download it")
        return
    problem = text_column_problem(schema, fields, shown)
    if problem is not None:
        yield problem
        return
    row = 0
    try:
        for batch in row_batches(parquet):
            for record in batch.to_pylist():
                row += 1
                if count is not None:
                    count.records += 1
                try:
                    yield make_document(record, shown, row, row_id(shown, row), fields,
                                        kind="row")
                except RecursionError:
                    yield InputProblem(shown, row, "invalid_record",
                                       "a metadata value is nested too deeply to read — "
                                       "flatten it")
    except (OSError, pa.ArrowException) as exc:
        yield InputProblem(shown, row + 1, "invalid_parquet",
                           f"the file cannot be read past row {row} ({_first_line(exc)}); the "
                           "rows before it were read — re-create or re-download it")
    finally:
        parquet.close()


def row_batches(parquet: Any) -> Iterator[Any]:
    """Record batches one row group at a time: pyarrow reads ahead within a call, so a
    damaged row group must not cost the rows of the groups before it."""
    for group in range(parquet.num_row_groups):
        yield from parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=[group])


def text_column_problem(schema: Any, fields: FieldMap, shown: str) -> InputProblem | None:
    names = list(schema.names)
    listed = ", ".join(names) or "none"
    top = fields.text if fields.text in names else fields.text.split(".")[0]
    if top not in names:
        strings = [n for n in names if _is_string(schema.field(n).type) and n != fields.id]
        hint = (f"pass --text-field {strings[0]}" if strings
                else "pass --text-field NAME of a string column")
        return InputProblem(shown, 1, "missing_text",
                            f"no '{fields.text}' column (columns: {listed}) — {hint}")
    kind = schema.field(top).type
    if top == fields.text and not _is_string(kind):
        strings = [n for n in names if _is_string(schema.field(n).type) and n != fields.id]
        hint = (f"pass --text-field {strings[0]}" if strings
                else "pass --text-field NAME of a string column")
        return InputProblem(shown, 1, "missing_text",
                            f"column '{fields.text}' holds {kind}, not strings "
                            f"(columns: {listed}) — {hint}")
    return None


def _is_string(kind: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_string_view(kind)
                or (pa.types.is_dictionary(kind) and _is_string(kind.value_type)))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
