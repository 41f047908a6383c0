"""The lock files and the build configuration a newcomer installs from (issue 20).

CI runs both Quickstart commands in fresh venvs with their own pip (`.ci/run`); these checks say
sooner, and in words, what would make them fail: a lock that names a folder of the machine it was
made on, an extra a locked package asks for that the lock does not name (pip < 23.3 then refuses
the whole lock in hash mode), a build backend without bounds or a licence in the deprecated form."""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCKS = [ROOT / "requirements.lock", ROOT / "requirements-test.lock"]


def _name_extras():
    spec = importlib.util.spec_from_file_location("name_extras", ROOT / "requirements" / "name_extras.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["name_extras"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.name)
def test_lock_names_no_machine_path_and_pins_every_line(lock):
    text = lock.read_text(encoding="utf-8")
    options = [line for line in text.splitlines() if line.startswith("-")]
    assert options == [], f"{lock.name} carries pip options (a machine's folders or indexes): {options}"
    assert "/opt/" not in text and "file://" not in text
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")):
            assert re.match(r"^[A-Za-z0-9._-]+(\[[A-Za-z0-9_,.-]+\])?==\S+ \\$", line), line


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.name)
def test_lock_names_every_extra_a_locked_package_asks_for(lock):
    """What pip 23.2 checks: every `dep[extra]` that a locked package requires is itself pinned."""
    tool = _name_extras()
    text = lock.read_text(encoding="utf-8")
    plain = tool.locked(text)
    wanted = tool.requested_extras(set(plain))
    if not any(name in plain for name in ("justext", "weasel")):
        pytest.skip("the lock's packages are not installed here")
    assert "lxml" in wanted, "justext's lxml[html_clean] was not found: is the lock installed?"
    for dep, extras in wanted.items():
        name, version, _ = plain[dep]
        for extra in extras:
            assert f"{name}[{extra}]=={version} \\\n" in text, (
                f"{lock.name} lacks {name}[{extra}]=={version}: run python requirements/name_extras.py"
            )


def test_build_backend_is_bounded_and_licence_is_spdx():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (backend,) = [r for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    assert "<" in backend and ">=" in backend, backend
    assert project["project"]["license"] == "Apache-2.0"  # an SPDX expression, not a table
    classifiers = project["project"].get("classifiers", [])
    assert not [c for c in classifiers if c.startswith("License ::")]  # setuptools refuses both


def test_readme_quickstart_commands_are_marked_for_ci():
    """CI reads both commands from between these markers and runs them as written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for marker in ("demo-command", "test-command"):
        block = re.search(rf"<!-- {marker} -->\n```\n(.+?)\n```\n<!-- /{marker} -->", readme, re.S)
        assert block is not None and "\n" not in block.group(1), f"README: the {marker} block is one line"
        assert f"readme_command {marker}" in ci
    assert "communique demo" in re.search(r"<!-- demo-command -->\n```\n(.+?)\n```", readme, re.S).group(1)
    assert "--upgrade pip" not in ci.split("readme_command()")[1].split("ruff")[0]


def test_tests_write_into_a_home_of_their_own(tmp_path):
    """tests/conftest.py points HOME (and the XDG folders) into the run's temporary folder: the
    default database a command makes lands there, never in the user's home."""
    import os
    import tempfile

    from typer.testing import CliRunner

    from communique.cli import app
    from communique.config import default_db_path
    from conftest import run_home

    home = run_home()
    assert Path(os.environ["HOME"]) == home and str(home).startswith(tempfile.gettempdir())
    assert default_db_path().is_relative_to(home)
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "h1", "text": "Kenya and Ethiopia signed a trade agreement in Nairobi on Monday."}\n', encoding="utf-8")
    assert CliRunner().invoke(app, ["ingest", str(feed), "--workers", "1"]).exit_code == 0
    assert default_db_path().exists()
