"""Global options (--version, -v / -q), choices, `train --out`, and settings from the environment."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import communique
from communique import __version__
from communique.cli import app
from communique.config import ConfigError, Settings, db_value, default_db_path


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"communique {__version__}"


def test_verbosity_sets_the_log_level_through_rich(tmp_path):
    from rich.logging import RichHandler

    db = str(tmp_path / "v.db")
    communique.open(db, create=True).close()
    root = logging.getLogger("communique")
    for flags, level in (([], logging.WARNING), (["-v"], logging.INFO), (["-vv"], logging.DEBUG), (["-q"], logging.ERROR)):
        assert invoke(*flags, "articles", "--db", db).exit_code == 0
        assert root.level == level, flags
        assert [type(h) for h in root.handlers if isinstance(h, RichHandler)] == [RichHandler]


def test_train_commands_need_out(tmp_path):
    data = tmp_path / "plv.csv"
    data.write_text("text,label\nA met B.,CONSULT\n", encoding="utf-8")
    for command in (["train", "events", str(data)], ["train", "attribution", str(tmp_path)]):
        result = invoke(*command)
        assert result.exit_code == 2 and "Missing option '--out'" in result.stderr, command


def test_choices_are_checked_before_anything_runs(tmp_path):
    db = str(tmp_path / "c.db")
    communique.open(db, create=True).close()
    bad = invoke("export", "--format", "xlsx", "--db", db)
    assert bad.exit_code == 2 and "'xlsx' is not one of" in bad.stderr
    assert invoke("export", "--format", "JSONL", "--db", db).exit_code == 0
    bad = invoke("export", "--kind", "articles", "--db", db)
    assert bad.exit_code == 2
    assert invoke("last-contact", "A", "B", "--level", "king", "--db", db).exit_code == 2
    for command in ("events", "export"):
        assert invoke(command, "--type", "gossip", "--db", db).exit_code == 2, command
        assert invoke(command, "--type", "consult", "--db", db).exit_code == 0, command
    assert invoke("timeline", "NOR", "--type", "gossip", "--db", db).exit_code == 2


def test_settings_come_from_the_same_environment_names(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMUNIQUE_MAX_BYTES", "20MB")
    monkeypatch.setenv("COMMUNIQUE_KB", f"{tmp_path / 'a'}{__import__('os').pathsep}{tmp_path / 'b'}")
    monkeypatch.setenv("COMMUNIQUE_SPACY_MODEL", "some_model")
    monkeypatch.setenv("COMMUNIQUE_DB", str(tmp_path / "env.db"))
    settings = Settings()
    assert settings.max_bytes == 20_000_000  # a human size, decimal MB
    assert settings.kb_paths == [tmp_path / "a", tmp_path / "b"]
    assert settings.spacy_model == "some_model"
    assert Settings(max_bytes="1KiB").max_bytes == 1024
    assert db_value() == str(tmp_path / "env.db") and db_value("other.db") == "other.db"
    monkeypatch.setenv("COMMUNIQUE_MAX_BYTES", "")
    assert Settings().max_bytes == 20 * 1024 * 1024  # empty means unset


def test_a_bad_setting_is_one_clear_line(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMUNIQUE_MAX_BYTES", "twenty megabytes")
    with pytest.raises(ConfigError, match=r"^COMMUNIQUE_MAX_BYTES='twenty megabytes' is not a size"):
        Settings()
    page = tmp_path / "a.txt"
    page.write_text("Ministers met on Monday.", encoding="utf-8")
    result = invoke("extract", str(page), env={"COMMUNIQUE_MAX_BYTES": "-5"})
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["error: COMMUNIQUE_MAX_BYTES='-5' is not a size: write bytes or e.g. 20MiB, 20MB, 1.5G"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_DATA_HOME is the Linux convention")
def test_the_default_database_is_in_the_platform_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("COMMUNIQUE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == Path(tmp_path / "data" / "communique" / "communique.db")
    assert db_value() == str(default_db_path())


def _help_pages() -> dict[str, str]:
    """`--help` of the group and of every command and sub-command, as a user sees them."""
    from typer.main import get_command

    root = get_command(app)
    pages = {"communique": invoke("--help").stdout}

    def walk(group, path):
        for name, command in getattr(group, "commands", {}).items():
            words = [*path, name]
            pages[" ".join(words)] = invoke(*words, "--help").stdout
            walk(command, words)

    walk(root, [])
    return pages


def test_help_shows_no_type_placeholders_beside_flags_or_values():
    """`<bool>` beside --debug invited `--debug true`, `<int>` beside -v invited `-v 2` (issue 20)."""
    pages = _help_pages()
    assert len(pages) > 20
    for name, text in pages.items():
        assert "Usage:" in text, name
        for placeholder in ("<bool>", "<int>", "<str>", "<list[", "<int range>"):
            assert placeholder not in text, f"{name} --help shows {placeholder}"
    assert "DATE" in pages["events"] and "URL|PATH" in pages["events"]
    assert "--db" in pages["timeline"] and "DATE|ID" in pages["timeline"]


@pytest.mark.parametrize(
    "argv, said",
    [
        (["-v", "2", "articles"], "-v takes no value"),
        (["--verbose", "1", "articles"], "--verbose takes no value"),
        (["--debug", "true", "articles"], "--debug takes no value"),
        (["--debug", "--no-such-option"], "No such option"),
    ],
)
def test_flags_given_a_value_are_one_usage_line(argv, said):
    result = invoke(*argv)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and said in lines[0], result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "argv",
    [["articles", "--limit", str(2**63)], ["articles", "--offset", "99999999999999999999999"],
     ["timeline", "CHN", "UKR", "--offset", str(2**63)], ["quotes", "--limit", str(2**64)],
     ["events", "--offset", str(2**63)], ["articles", "--offset", "-1"]],
    ids=["articles-limit", "articles-offset", "timeline-offset", "quotes-limit", "events-offset", "negative"],
)
def test_an_integer_out_of_range_is_one_usage_line(tmp_path, argv):
    db = str(tmp_path / "r.db")
    communique.open(db, create=True).close()
    result = invoke(*argv, "--db", db)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Invalid value for" in lines[0] and "Overflow" not in result.output
    assert invoke("articles", "--offset", str(2**63 - 1), "--db", db).exit_code == 0  # the bound itself is a number


def test_an_optional_integer_is_bounded_too(tmp_path):
    db = str(tmp_path / "r.db")
    communique.open(db, create=True).close()
    result = invoke("events", "--limit", str(2**63), "--db", db)
    assert result.exit_code == 2 and "Invalid value for '--limit'" in result.output
