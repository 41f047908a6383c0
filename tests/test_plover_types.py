"""The one table of PLOVER types (data/events/plover_types.json) and what must agree with it."""

import json
import re
from importlib import resources

from communique.events.lexicon import load_lexicon
from communique.serve import labels
from communique.vocabulary import PLOVER_TYPES, QUAD_CLASSES, QUAD_CODES


def _data(*parts: str):
    return resources.files("communique").joinpath("data", *parts)


def test_the_table_is_whole():
    codes = [t.code for t in PLOVER_TYPES]
    assert len(codes) == len(set(codes)) == 16
    assert all(t.label and t.quad in QUAD_CLASSES for t in PLOVER_TYPES)
    assert set(QUAD_CLASSES) == {1, 2, 3, 4}


def test_the_export_schema_lists_the_tables_types_and_quads():
    schema = json.loads(_data("export", "plover-event.schema.json").read_text(encoding="utf-8"))
    found = {}

    def walk(node, key=None):
        if isinstance(node, dict):
            if "enum" in node and key:
                found[key] = node["enum"]
            for k, v in node.items():
                walk(v, k if k not in ("items", "properties") else key)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk(schema)
    type_enums = [v for v in found.values() if "ASSAULT" in v]
    assert type_enums and all(v == [t.code for t in PLOVER_TYPES] for v in type_enums)
    assert sorted(q for q in found["quad_code"] if q is not None) == sorted(QUAD_CLASSES)


def test_the_frozen_migration_codes_quads_as_the_table_does():
    text = (resources.files("communique") / "store" / "migrations" / "versions" / "0004_flat_views.py").read_text(encoding="utf-8")
    in_sql = {code: int(quad) for code, quad in re.findall(r"WHEN '([A-Z]+)' THEN (\d)", text)}
    assert in_sql == QUAD_CODES


def test_the_lexicon_and_the_pages_read_the_table():
    assert load_lexicon().types == {t.code: list(t.modes) for t in PLOVER_TYPES}
    assert list(labels.EVENT_TYPES) == [t.code for t in PLOVER_TYPES]
    assert labels.event_type("assault") == next(t.label for t in PLOVER_TYPES if t.code == "ASSAULT")
