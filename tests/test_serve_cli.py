"""`communique serve`: binds to 127.0.0.1 unless told otherwise, never creates a database, and says in
one line what to do when there is no record to serve."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.store import Store
from fusion_fixtures import call_reports


@pytest.fixture
def ran(monkeypatch):
    """The listening socket and uvicorn's server replaced: the app, host and port the command would
    serve (no port is taken)."""
    import uvicorn

    from communique.cli import serve as serve_command

    calls: list[dict] = []
    bound: list[tuple[str, int]] = []

    class FakeSocket:
        def close(self):
            pass

    monkeypatch.setattr(serve_command, "listening_socket", lambda host, port: bound.append((host, port)) or FakeSocket())
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: calls.append(
        {"app": self.config.app, "host": bound[-1][0], "port": bound[-1][1]}))
    monkeypatch.delenv("COMMUNIQUE_API_TOKEN", raising=False)
    return calls


@pytest.fixture
def db(tmp_path) -> str:
    path = tmp_path / "record.db"
    with Store(f"sqlite:///{path}") as store:
        store.migrate()
        store.ingest(call_reports())
    return str(path)


def test_serves_on_localhost_by_default_and_read_only(ran, db):
    result = CliRunner().invoke(app, ["serve", "--db", db])
    assert result.exit_code == 0, result.output
    [call] = ran
    assert (call["host"], call["port"]) == ("127.0.0.1", 8000)
    assert call["app"].state.token is None
    assert "http://127.0.0.1:8000/" in result.output and "read-only" in result.output


def test_host_port_and_token_are_taken_from_the_options_and_environment(ran, db, monkeypatch):
    monkeypatch.setenv("COMMUNIQUE_API_TOKEN", "abc")
    result = CliRunner().invoke(app, ["serve", "--db", db, "--host", "0.0.0.0", "--port", "9001"])
    assert result.exit_code == 0, result.output
    [call] = ran
    assert (call["host"], call["port"]) == ("0.0.0.0", 9001)
    assert call["app"].state.token == "abc"
    assert "other machines can read this record" in result.output


def test_a_missing_database_is_not_created(ran, tmp_path):
    missing = tmp_path / "nothing.db"
    result = CliRunner().invoke(app, ["serve", "--db", str(missing)])
    assert result.exit_code == 1 and not ran
    assert "communique demo" in result.output and len(result.output.strip().splitlines()) == 1
    assert not missing.exists()


def test_a_database_without_a_record_is_refused(ran, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    result = CliRunner().invoke(app, ["serve", "--db", str(empty)])
    assert result.exit_code == 1 and not ran
    assert "holds no communique record" in result.output


def test_a_bad_port_is_a_usage_error(ran, db):
    result = CliRunner().invoke(app, ["serve", "--db", db, "--port", "70000"])
    assert result.exit_code == 2 and not ran


def test_a_busy_port_is_said_before_serving(db, monkeypatch):
    import socket

    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: pytest.fail("served on a busy port"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--db", db, "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is busy" in result.output and "serving" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_socket_is_bound_before_serving_and_handed_to_the_server(db, monkeypatch):
    import socket

    import uvicorn

    with socket.socket() as probe:  # a port free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: served.append(sockets[0].getsockname()))
    result = CliRunner().invoke(app, ["serve", "--db", db, "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert served == [("127.0.0.1", port)] and f"http://127.0.0.1:{port}/" in result.output
