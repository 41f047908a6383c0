"""Reading the YAML data files the package ships (lexicons, the knowledge base, tables).

`load_yaml` is `yaml.safe_load` through libyaml's C parser when PyYAML was built with it (the
wheels on PyPI are): the same data, about eight times faster. The pure-Python parser took about
half a second of every `communique extract` just to read the shipped files.
"""

from __future__ import annotations

from typing import Any

import yaml

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


def load_yaml(text: str) -> Any:
    """The data of a YAML document, as `yaml.safe_load` gives it (plain types only)."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506  (a safe loader, C or Python)
