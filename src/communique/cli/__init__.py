"""The `communique` command line. Each topic module registers its commands on `app`."""

from communique.cli.app import app
from communique.cli import core, lists, actors, attribution, events, record, realnews  # noqa: F401,E402  (they register commands)


def main() -> None:
    app()
