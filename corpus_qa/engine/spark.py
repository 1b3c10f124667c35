"""The Spark engine: the same chunk work as the process pool, run in Spark tasks.

Every pyspark import of corpus-qa is in this module. :class:`SparkPool` has the
interface of :class:`corpus_qa.engine.pool.WorkerPool`, so the runner's passes do not
know which engine runs them: each batch (a chunk of documents for pass 1, a chunk of
stories for pass 2) is pickled into one row of a Spark DataFrame, and a ``mapInPandas``
task unpickles it and runs the very function a pool worker runs (GX on pandas, the same
pure checks). Results come back to the driver in batch order, a bounded window of
batches per Spark job, and are summed there exactly as the local engine sums them —
which is why both engines give the same findings byte for byte.

The pitfalls handled here: ``PYSPARK_PYTHON`` is set to the running interpreter (a
task must import the same corpus-qa and GX as the driver); a Python worker process is
initialised once per run (Spark reuses worker processes between tasks and runs); a
missing pyspark or Java, or a master that cannot be reached, is a :class:`SparkError`
saying what to do, not a traceback.

:func:`condition_column` is the other use of Spark: the Spark metric provider of every
corpus-qa expectation (registered with the pandas one, in
``corpus_qa/expectations/base.py``), for GX users who validate their own Spark
DataFrames.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import shutil
import socket
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlparse

from corpus_qa.engine.pool import spread

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_MASTER = "local[*]"
INSTALL_HINT = ("install the Spark extra: pip install 'corpus-qa[spark]' (pyspark 4.1) and "
                "Java 17 (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)")
CONNECT_TIMEOUT_S = 5.0
"""How long the driver waits for a standalone master's port before giving up."""


class SparkError(Exception):
    """The Spark engine cannot start: the message says why and what to do."""


def parse_conf(pairs: Sequence[str]) -> dict[str, str]:
    """``k=v`` strings (``--spark-conf``) as a dict; a malformed one is a SparkError.

    >>> parse_conf(["spark.executor.memory=4g", "spark.sql.shuffle.partitions=8"])
    {'spark.executor.memory': '4g', 'spark.sql.shuffle.partitions': '8'}
    """
    conf: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SparkError(f"--spark-conf {pair!r}: expected KEY=VALUE, e.g. "
                             "spark.executor.memory=4g")
        conf[key.strip()] = value.strip()
    return conf


def _check_master(master: str) -> None:
    """A standalone master (spark://host:port, several hosts allowed) must answer on its
    port; Spark itself would retry for a minute and then print a Java stack trace."""
    if not master.startswith("spark://"):
        return
    hosts = master[len("spark://"):].split(",")
    problems = []
    for hostport in hosts:
        parsed = urlparse(f"spark://{hostport}")
        host, port = parsed.hostname, parsed.port or 7077
        if not host:
            raise SparkError(f"--spark-master {master!r}: expected spark://HOST:PORT")
        try:
            with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
                return
        except OSError as exc:
            problems.append(f"{host}:{port} ({exc.strerror or exc})")
    raise SparkError(f"cannot reach the Spark master {master}: {', '.join(problems)} — check "
                     "--spark-master (is the master running, and is its port open from here?)")


def start_session(master: str = DEFAULT_MASTER, conf: dict[str, str] | None = None) -> Any:
    """A SparkSession for a run (or the active one, when the caller already made one)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkError(f"--engine spark needs pyspark, which is not installed: "
                         f"{INSTALL_HINT}") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise SparkError(f"--engine spark needs Java, and there is no java on PATH and no "
                         f"JAVA_HOME: {INSTALL_HINT}")
    _check_master(master)
    # Tasks must run the interpreter (and so the corpus-qa, GX and pandas) of the driver.
    # (An explicit PYSPARK_PYTHON is kept: on a cluster it may name a shipped environment.)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName("corpus-qa")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 (py4j/pyspark raise many kinds; all mean "no Spark")
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SparkError(f"Spark did not start with master {master!r}: {first} — "
                         f"check --spark-master and --spark-conf; {INSTALL_HINT}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


# --- in a Spark task --------------------------------------------------------------------

_STARTED: set[str] = set()
"""Runs whose initializer this Python worker process has called."""


def _run_batches(run: str, initializer: Callable[..., None], initargs: tuple[Any, ...],
                 remote: Callable[[Any], Any], frames: Iterator[Any]) -> Iterator[Any]:
    """The ``mapInPandas`` function: each row's pickled batch through ``remote``.

    A module-level function (bound with :func:`functools.partial`), so a task pickles
    it by reference and ``_STARTED`` is this worker process's own: a closure would be
    pickled by value with a fresh copy of it, and every task would initialise again.
    """
    import pandas as pd

    if run not in _STARTED:
        initializer(*initargs)
        _STARTED.add(run)
    for frame in frames:
        numbers, results = [], []
        for number, payload in zip(frame["n"], frame["batch"], strict=True):
            batch = pickle.loads(payload)  # noqa: S301 (pickled by this run's driver)
            numbers.append(int(number))
            results.append(pickle.dumps(remote(batch), protocol=5))
        yield pd.DataFrame({"n": pd.Series(numbers, dtype="int64"),
                            "result": pd.Series(results, dtype=object)})


# --- on the driver ----------------------------------------------------------------------


class SparkPool:
    """:class:`~corpus_qa.engine.pool.WorkerPool`'s interface, on a SparkSession.

    Batches go to Spark a window at a time (``window`` batches per Spark job, one
    partition each), so the driver holds a bounded number of batches and results. A
    single batch runs on the driver, as on the local engine: starting tasks for it
    costs more than it saves.
    """

    def __init__(self, session: Any, initializer: Callable[..., None],
                 initargs: tuple[Any, ...], *, window: int | None = None) -> None:
        self.session = session
        self.initializer, self.initargs = initializer, initargs
        self.run = uuid.uuid4().hex
        parallelism = max(1, int(session.sparkContext.defaultParallelism))
        self.window = window or 2 * parallelism
        self.jobs = 0
        """Spark jobs started by this pool (one per window)."""

    def map(self, batches: Iterable[T], local: Callable[[T], R],
            remote: Callable[[T], R]) -> Iterator[R]:
        """Each batch through ``remote`` in a Spark task (or ``local`` if it is alone)."""
        return spread(batches, local, partial(self._in_windows, remote))

    def _in_windows(self, remote: Callable[[T], R], batches: Iterator[T]) -> Iterator[R]:
        window: list[T] = []
        for batch in batches:
            if len(window) >= self.window:
                yield from self._run_window(window, remote)
                window = []
            window.append(batch)
        if window:
            yield from self._run_window(window, remote)

    def _run_window(self, window: list[Any], remote: Callable[[Any], R]) -> Iterator[R]:
        from pyspark.sql.types import BinaryType, LongType, StructField, StructType

        schema = StructType([StructField("n", LongType(), False),
                             StructField("batch", BinaryType(), False)])
        rows = [(n, pickle.dumps(batch, protocol=5)) for n, batch in enumerate(window)]
        frame = self.session.createDataFrame(rows, schema).repartition(len(rows), "n")
        task = partial(_run_batches, self.run, self.initializer, self.initargs, remote)
        out = frame.mapInPandas(task, schema="n long, result binary")
        self.jobs += 1
        results = {int(r["n"]): bytes(r["result"]) for r in out.collect()}
        for n in range(len(window)):
            yield pickle.loads(results.pop(n))  # noqa: S301 (pickled by our own task)

    def close(self, *, failed: bool = False) -> None:
        """Nothing to stop: the session outlives the pool (the caller owns it)."""

    def __enter__(self) -> SparkPool:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(failed=kind is not None)


# --- GX users' Spark DataFrames: the Spark metric provider of each expectation ----------


def condition_column(table: Any, name: str, column: Any, passes: Callable[[Any], bool]) -> Any:
    """The Spark column (a pandas UDF) that is true for the rows of ``column`` that pass.

    ``table`` is the DataFrame GX validates and ``name`` the column's name in it. Values
    reach the check as the pandas engine gives them: a null is ``None`` (pandas 3 gives a
    UDF NaN for a Spark null; the row passes here and GX counts it as missing), binary is
    ``bytes``, and a struct, map or array column — which would arrive as a DataFrame, a
    list of pairs or a numpy array, none of which a check reads — is sent as JSON and
    read back as dicts and lists (``ignoreNullFields`` off, so a null field is ``None``
    as in pandas, not absent).
    """
    import pandas as pd
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, BooleanType, MapType, StructType

    nested = isinstance(table.schema[name].dataType, ArrayType | MapType | StructType)
    argument = F.to_json(column, {"ignoreNullFields": "false"}) if nested else column

    def rows_pass(values: pd.Series) -> pd.Series:
        return _rows_pass(passes, nested, values)

    rows_pass.__annotations__ = {"values": pd.Series, "return": pd.Series}
    return F.pandas_udf(rows_pass, BooleanType())(argument)


def _rows_pass(passes: Callable[[Any], bool], nested: bool, values: Any) -> Any:
    """In a Spark task: whether each value passes (a missing one does)."""
    import pandas as pd

    out = [True if _missing(value) else passes(json.loads(value) if nested else value)
           for value in values]
    return pd.Series(out, index=values.index, dtype=bool)


def _missing(value: Any) -> bool:
    """None, pandas' NA, or the NaN a Spark null becomes in a pandas UDF."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ == "NAType"
