"""The `communique` command line. Each topic module registers its commands on `app`.

The modules are imported on first use of `communique.cli.app` (or by `main`), so `communique
--version` answers before typer, rich or anything of the pipeline is imported; the commands import
what they need when they run, so `communique --help` stays quick too (bench/startup_bench.py)."""

from __future__ import annotations

import sys
import types


def _application():
    from communique.cli import actors, attribution, core, demo, doctor, events, learned, lists, realnews, record, serve  # noqa: F401  (they register commands)
    from communique.cli import watch  # noqa: F401  (registers `communique watch`)
    from communique.cli.app import app

    return app


class _Package(types.ModuleType):
    """This package, whose `app` attribute is the Typer application (loaded on first use).

    Importing the submodule `communique.cli.app` makes Python bind the package's `app` to that
    module; the setter keeps the application there, as `from communique.cli import app` expects."""

    @property
    def app(self):
        return _application()

    @app.setter
    def app(self, value) -> None:
        pass


sys.modules[__name__].__class__ = _Package


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from communique import __version__

        sys.stdout.write(f"communique {__version__}\n")
        return
    _application()()
