"""`communique.datafile.load_yaml` (libyaml's C parser) gives every shipped YAML file exactly the data
that `yaml.safe_load` (the pure-Python parser) gives: the switch made start-up faster, nothing else."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from communique.datafile import load_yaml

DATA = Path(str(resources.files("communique") / "data"))
FILES = sorted(DATA.rglob("*.yaml")) + sorted(DATA.rglob("*.yml"))


def test_there_are_data_files():
    assert len(FILES) >= 15


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_same_data_as_the_python_parser(path):
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


def test_unsafe_tags_are_refused_as_by_safe_load():
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']")
