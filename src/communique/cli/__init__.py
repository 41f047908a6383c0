"""The `communique` command line. Each topic module registers its commands on `app`."""

from communique.cli.app import app
from communique.cli import actors, attribution, core, doctor, events, lists, realnews, record, serve  # noqa: F401  (they register commands)
from communique.cli import watch  # noqa: F401  (registers `communique watch`)


def main() -> None:
    app()
