"""The `communique` command line. Each topic module registers its commands on `app`."""

from communique.cli.app import app
from communique.cli import actors, attribution, core, doctor, events, lists, realnews, record, serve  # noqa: F401  (they register commands)


def main() -> None:
    app()
