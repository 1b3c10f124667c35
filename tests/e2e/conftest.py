"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Any:
    """One ``local[1]`` SparkSession for the whole test session (tests marked
    ``xdist_group("spark")``): skipped, with the reason, without pyspark or Java."""
    pyspark = pytest.importorskip("pyspark", reason="pyspark missing: pip install "
                                  "'corpus-qa[spark]' (CI installs it)")
    del pyspark
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        pytest.skip("Java missing: apt-get install openjdk-17-jre-headless (CI installs it)")
    from corpus_qa.engine.spark import start_session

    session = start_session("local[1]", {"spark.sql.shuffle.partitions": "2"})
    yield session
    session.stop()
