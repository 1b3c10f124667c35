"""A GX user validates their own Spark DataFrame with corpus-qa's expectations.

Every expectation registers a Spark metric provider (a pandas UDF calling the same
check) with its pandas one: on the same rows, GX's Spark data source gives the same
unexpected and missing counts as its pandas data source — nulls, struct columns and
arrays of structs included.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from benchmarks.planted_corpus import write
from corpus_qa.frames import gx_dataframe
from corpus_qa.suite import load_suite

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "expectations" / "news.yml"


def _counts(batch: Any, expectations: list[Any]) -> dict[str, tuple[int, int, int]]:
    """type -> (element, unexpected, missing) counts of each expectation on ``batch``."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name="corpus-qa", expectations=[e.copy() for e in expectations])
    counts = {}
    for result in batch.validate(suite).results:
        assert not result.exception_info.get("raised_exception"), result.exception_info
        stats = result.result
        counts[result.expectation_config.type] = (
            stats["element_count"], stats["unexpected_count"], stats["missing_count"])
    return counts


_EVIDENCE = ("struct<field:string, values:array<string>, raw:string, origin:string, "
             "span:array<bigint>, value_span:array<bigint>, signal:string, "
             "value_spans:array<array<bigint>>>")
_METADATA = (f"map<string, struct<values:array<string>, raw:string, origin:string, "
             f"span:array<bigint>, value_span:array<bigint>, signal:string, "
             f"evidence:array<{_EVIDENCE}>, conflicts:array<{_EVIDENCE}>>>")
SCHEMAS = {
    "documents": (f"id string, text string, raw binary, "
                  f"body struct<text:string, body_start:bigint>, metadata {_METADATA}"),
    "stories": (f"id string, versions array<struct<id:string, text:string, "
                f"body_start:bigint, metadata:{_METADATA}, credits:array<string>>>"),
}
"""How a Spark user stores corpus-qa's rows: structs, a map, an array of structs."""


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a row whose every checked cell is null (GX counts it as missing),
    and ``raw`` as bytes (a JSON string's text, UTF-8 encoded: Spark's binary column)."""
    null = {column: None for column in frame.columns}
    null["id"] = "null-row"
    frame = pd.concat([frame, pd.DataFrame([null])], ignore_index=True)
    if "raw" in frame:
        frame["raw"] = [v.encode("utf-8") if isinstance(v, str) else v for v in frame["raw"]]
    return frame


@pytest.mark.xdist_group("spark")
def test_a_gx_spark_source_gives_the_pandas_counts(spark: Any, tmp_path: Path) -> None:
    import great_expectations as gx

    import corpus_qa  # noqa: F401  (registers the expectations and their providers)

    corpus = tmp_path / "planted"
    write(corpus, documents=45)
    with pytest.warns(UserWarning):  # the planted corpus has unreadable input too
        frames = {rows: _rows(gx_dataframe(corpus, rows=rows))
                  for rows in ("documents", "stories")}
    instances = [e for e in load_suite(str(SUITE)).instances() if e.scope != "corpus"]
    context = gx.get_context(mode="ephemeral")
    # persist=False: GX's Spark source would otherwise cache every DataFrame it validates.
    spark_source = context.data_sources.add_spark("spark", persist=False)
    pandas_source = context.data_sources.add_pandas("pandas")
    for rows, frame in frames.items():
        expectations = [e for e in instances if e.column in frame.columns]
        assert len(expectations) >= (5 if rows == "documents" else 3), rows
        on_pandas = _counts(pandas_source.add_dataframe_asset(rows)
                            .add_batch_definition_whole_dataframe("all")
                            .get_batch(batch_parameters={"dataframe": frame}), expectations)
        records = [{k: (None if v is None or v != v else v) for k, v in row.items()}
                   for row in frame.to_dict("records")]  # pandas' NaN: a Spark null
        spark_frame = spark.createDataFrame(records, SCHEMAS[rows])
        on_spark = _counts(spark_source.add_dataframe_asset(rows)
                           .add_batch_definition_whole_dataframe("all")
                           .get_batch(batch_parameters={"dataframe": spark_frame}),
                           expectations)
        assert on_spark == on_pandas, rows
        assert any(unexpected for _, unexpected, _ in on_pandas.values()), \
            f"the planted {rows} have defects"
        assert all(missing >= 1 for _, _, missing in on_pandas.values()), "the null row"


def test_the_pandas_path_does_not_load_the_spark_provider() -> None:
    """Registering the Spark providers imports nothing of Spark's; without pyspark the
    expectations register and validate pandas frames as before."""
    code = (
        "import sys\n"
        "class _NoSpark:\n"
        "    def find_spec(self, name, *args):\n"
        "        if name.split('.')[0] == 'pyspark': raise ImportError(name)\n"
        "sys.meta_path.insert(0, _NoSpark())\n"
        "import pandas as pd, corpus_qa, great_expectations as gx\n"
        "context = gx.get_context(mode='ephemeral')\n"
        "batch = (context.data_sources.add_pandas('p').add_dataframe_asset('a')\n"
        "         .add_batch_definition_whole_dataframe('b').get_batch(batch_parameters={\n"
        "             'dataframe': pd.DataFrame({'text': ['fine', 'CafÃ© broken', None]})}))\n"
        "result = batch.validate(corpus_qa.ExpectDocumentToHaveNoMojibake())\n"
        "print(result.result['unexpected_count'], result.result['missing_count'])\n"
        "assert 'corpus_qa.engine.spark' not in sys.modules\n"
        "assert not any(m.split('.')[0] == 'pyspark' for m in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "1"]
