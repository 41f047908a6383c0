"""communique: international news in, a sourced record of diplomacy and conflict out.

    import communique
    extraction = communique.extract(text_or_html, published="2022-04-05")
    with communique.open("news.db") as record:
        record.events(dyad=("CHN", "UKR")).to_dataframe()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _installed_version

try:
    # pyproject.toml holds the one version; the installed package's metadata carries it here
    __version__ = _installed_version("communique")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

if TYPE_CHECKING:
    from communique.api import NotAnalysed, extract, ingest, open  # noqa: F401
    from communique.query import Record  # noqa: F401

_LAZY = {"extract": "communique.api", "ingest": "communique.api", "open": "communique.api", "NotAnalysed": "communique.api",
         "Record": "communique.query"}


def __getattr__(name: str) -> Any:
    # imported on first use: `import communique` (and `communique --version`) stays instant
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'communique' has no attribute {name!r}")


__all__ = ["NotAnalysed", "Record", "__version__", "extract", "ingest", "open"]
