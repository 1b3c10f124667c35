"""JSON Schemas: suite files (generated from the registered expectations) and results.

The packaged suite schema (``corpus_qa/data/suite.schema.json``) is what editors and CI
use; a test keeps it equal to what :func:`suite_schema` generates. The results schema
(``corpus_qa/data/results.schema.json``, ``corpus-qa schema --results``) is written by
hand from the contract in ``docs/results.md``; tests validate real runs against it.
"""

from __future__ import annotations

import json
from typing import Any

from corpus_qa.data import DATA_DIR
from corpus_qa.sources.base import DEFAULT_MAX_DOCUMENT_BYTES
from corpus_qa.suite import DEFAULT_MAX_STORY_DOCUMENTS, SEVERITIES

SCHEMA_ID = "https://corpus-qa.invalid/suite.schema.json"


def _entry_schema(name: str, cls: Any) -> dict[str, Any]:
    model = cls.schema()
    properties: dict[str, Any] = {
        "type": {"const": name},
        "severity": {"enum": list(SEVERITIES), "default": cls.default_severity},
        "mostly": {"type": "number", "minimum": 0, "maximum": 1, "default": 1.0},
        "description": {"type": "string"},
    }
    for param in cls.parameters():
        prop = dict(model["properties"].get(param, {}))
        prop.pop("title", None)
        properties[param] = prop
    return {
        "type": "object",
        "description": cls.summary(),
        "properties": properties,
        "required": ["type"],
        "additionalProperties": False,
    }


def suite_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for a suite YAML file."""
    from corpus_qa.expectations import registered

    classes = registered()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "corpus-qa suite",
        "type": "object",
        "required": ["name", "expectations"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "corpus": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "paths": {"type": "array", "items": {"type": "string"}},
                    **{f"{key}_field": {
                        "type": "string", "minLength": 1, "default": key,
                        "description": f"record field holding the {key} (JSON Lines, "
                        "Parquet); dots reach nested fields"}
                       for key in ("text", "id", "metadata")},
                    "max_document_bytes": {
                        "type": "integer", "minimum": 1, "default": DEFAULT_MAX_DOCUMENT_BYTES,
                        "description": "a larger document (file, record, text; bytes of "
                        "UTF-8) is a document_too_large input finding, not validated"},
                },
            },
            "metadata": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"phrases": {"type": "string"}},
            },
            "versions": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string"},
                    "threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                    "max_story_documents": {
                        "type": "integer", "minimum": 2, "default": DEFAULT_MAX_STORY_DOCUMENTS,
                        "description": "a story of more documents is a story_too_large input "
                        "finding, its versions not compared with each other"},
                },
            },
            "expectations": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"enum": list(classes)}},
                    "allOf": [
                        {
                            "if": {"properties": {"type": {"const": name}}},
                            "then": _entry_schema(name, cls),
                        }
                        for name, cls in classes.items()
                    ],
                },
            },
        },
    }


def results_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the ``--json`` results file (``docs/results.md``)."""
    data: dict[str, Any] = json.loads(
        (DATA_DIR / "results.schema.json").read_text(encoding="utf-8"))
    return data
