"""Every example in the README, run against the demo record (issue 20, item 3).

The README's fenced code blocks are read from the file itself, in order. Each `communique ...`
command runs (in a folder of its own, with a HOME of its own, so that the default database is the
demo record that the Quickstart's `communique demo` makes there) and its answer is checked: the
exit status, that it is not empty, and that it is right (the filters hold on every item, the
numbers add up), reading the command's `--json` answer where it has one. The Python block runs
statement by statement and every value it shows must be non-empty. The JSON block of the `extract`
contract must name exactly the fields `extract --json` prints. `datasette` and `communique serve`
are started on a free port and asked a page.

What cannot run here is named in EXCUSED with the reason (installing packages and the test suite
itself, which CI runs as written in a fresh venv; a Ray cluster, which tests/test_ray.py stands in
for with `--ray local`). `duckdb`, not a dependency, runs when it is installed; otherwise the same
question is asked of the same data (SQLite for the view, pyarrow for the Parquet file). An example
the test does not know fails it: a new README example must be taught here.

The placeholders of the examples are given demo values: ARTICLE.txt and corpus/ are demo files, ID
and ARTICLE_ID demo records, archive.warc.gz and feed.jsonl small files written here (our own text).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from communique.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DEMO = ROOT / "src" / "communique" / "demo" / "articles"

# (start of a command) -> why it is not run here
EXCUSED = {
    "pip install": "installs packages: CI runs the Quickstart commands as written in a fresh venv (.ci/run)",
    "python -m pytest": "the test suite itself: CI runs the README's test command as written (.ci/run)",
    "communique ingest corpus/ --ray": "needs Ray workers or a cluster: tests/test_ray.py runs ingest --ray local and --out",
    "communique load shards/": "reads the shards of a Ray run: tests/test_ray.py and tests/test_shards.py load them",
    "communique watch": "follows outlets on the internet: tests/test_watch.py runs it against a news site on 127.0.0.1",
}

WARC_PAGE = (
    "<html><head><title>Envoys meet in Geneva</title></head><body><article><h1>Envoys meet in Geneva</h1>"
    "<p>Swiss Foreign Minister Ignazio Cassis met Norway's foreign minister in Geneva on Friday to "
    "discuss humanitarian aid, the Swiss foreign ministry said.</p></article></body></html>"
)
FEED_ITEM = {
    "id": "readme-feed-1", "publisher": "Readme Wire", "published": "2024-05-03",
    "headline": "Kenya and Ethiopia sign trade pact",
    "text": "Kenya and Ethiopia signed a trade agreement in Nairobi on Thursday, officials said.",
}  # fmt: skip


@dataclass
class Block:
    line: int
    language: str
    text: str


def code_blocks(text: str) -> list[Block]:
    out = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.M | re.S):
        out.append(Block(text.count("\n", 0, match.start()) + 1, match.group(1), match.group(2)))
    return out


def shell_commands(text: str) -> list[list[str]]:
    """The commands of a shell block: lines joined while a quote is open, comments dropped, `&&`
    chains split; each as an argv."""
    commands, pending = [], ""
    for line in text.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        try:
            argv = shlex.split(pending, comments=True)
        except ValueError:  # an open quote: the command goes on on the next line
            continue
        pending = ""
        while argv:
            if "&&" in argv:
                cut = argv.index("&&")
                commands.append(argv[:cut])
                argv = argv[cut + 1 :]
            else:
                commands.append(argv)
                argv = []
    assert not pending, f"unterminated command: {pending!r}"
    return commands


def excused(argv: list[str]) -> str | None:
    line = " ".join(argv)
    return next((why for start, why in EXCUSED.items() if line.startswith(start)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> str:
    """GET `url` until it answers 200 (bounded); the body."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args} exited {process.returncode}: {process.stderr.read()[-2000:]}")
        try:
            answer = httpx.get(url, timeout=5)
            if answer.status_code == 200:
                return answer.text
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


class Runner:
    """Runs the README's examples in order in one folder, with the demo record as the default db."""

    def __init__(self, folder: Path, monkeypatch):
        self.folder = folder
        self.home = folder / "home"
        self.home.mkdir()
        monkeypatch.chdir(folder)
        monkeypatch.setenv("HOME", str(self.home))
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
        monkeypatch.delenv("COMMUNIQUE_DB", raising=False)
        self.env = {**os.environ}
        self.cli = CliRunner()
        self.db = self.home / ".local" / "share" / "communique" / "communique.db"
        self.ran: list[str] = []
        self.equivalents: list[str] = []
        self.skipped: list[tuple[str, str]] = []
        self.placeholders = {
            "ARTICLE.txt": str(DEMO / "01_wang_kuleba_call_wire.txt"),
            "corpus/": str(DEMO),
            "archive.warc.gz": str(self._warc()),
            "feed.jsonl": str(self._feed()),
        }

    def _warc(self) -> Path:
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        path = self.folder / "archive.warc.gz"
        with open(path, "wb") as handle:
            writer = WARCWriter(handle, gzip=True)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            import io

            record = writer.create_warc_record(
                "https://example.org/geneva", "response", payload=io.BytesIO(WARC_PAGE.encode()), http_headers=headers
            )
            writer.write_record(record)
        return path

    def _feed(self) -> Path:
        path = self.folder / "feed.jsonl"
        path.write_text(json.dumps(FEED_ITEM) + "\n", encoding="utf-8")
        return path

    # ------------------------------------------------------------ the demo record

    def invoke(self, argv: list[str]):
        result = self.cli.invoke(app, argv)
        assert result.exit_code == 0, f"communique {' '.join(argv)} exited {result.exit_code}: {result.output[-3000:]}"
        return result

    def json_of(self, argv: list[str]):
        args = [a for a in argv if a != "--json"] + ["--json"]
        return json.loads(self.invoke(args).stdout)

    def demo_id(self, headline_part: str) -> str:
        articles = self.json_of(["articles", "--limit", "1000"])["items"]
        return next(a["id"] for a in articles if headline_part in (a["headline"] or ""))

    def call_event_id(self) -> str:
        (call,) = [e for e in self.json_of(["timeline", "CHN", "UKR", "--type", "CONSULT"])["items"] if e["date"] == "2022-04-04"]
        return call["id"]

    def substitute(self, argv: list[str]) -> list[str]:
        out = [self.placeholders.get(a, a) for a in argv]
        if argv[:2] == ["communique", "show"]:
            out = [self.demo_id("foreign ministers hold phone call") if a == "ID" else a for a in out]
        if argv[:2] == ["communique", "event"]:
            out = [self.call_event_id() if a == "ID" else a for a in out]
        if argv[:2] == ["communique", "check-claims"]:
            out = [self.demo_id("talk again") if a == "ARTICLE_ID" else a for a in out]
        return out

    # ------------------------------------------------------------ running one command

    def run(self, argv: list[str]) -> None:
        line = " ".join(argv)
        why = excused(argv)
        if why is not None:
            self.skipped.append((line, why))
            return
        if argv[0] == "communique":
            self.communique(self.substitute(argv))
        elif argv[0] == "datasette":
            self.datasette(argv)
        elif argv[0] == "duckdb":
            self.duckdb(argv)
        else:
            raise AssertionError(f"the README example {line!r} is not known to tests/test_readme.py")
        self.ran.append(line)

    def communique(self, argv: list[str]) -> None:
        argv = argv[1:]
        if argv[0] == "serve":
            return self.serve(argv)
        out = None
        if ">" in argv:
            cut = argv.index(">")
            argv, out = argv[:cut], argv[cut + 1]
        result = self.invoke(argv)
        if out:
            Path(out).write_text(result.stdout, encoding="utf-8")
        check = getattr(self, "check_" + argv[0].replace("-", "_"))
        check(argv, result)

    # ------------------------------------------------------------ what each answer must be

    def check_demo(self, argv, result):
        assert "demo corpus" in result.stderr and "0 rejected" in result.stderr
        assert "Kuleba" in result.stdout and self.db.exists()

    def check_extract(self, argv, result):
        if "--json" not in argv:
            return
        if Path(argv[1]).is_dir():
            lines = [json.loads(x) for x in Path("out.jsonl").read_text(encoding="utf-8").splitlines()]
            files = [p for p in Path(argv[1]).iterdir() if p.suffix in (".txt", ".html")]
            assert len(lines) >= len(files) and all(x["article"]["id"] for x in lines)
            return
        found = json.loads(result.stdout)
        assert found["events"] and found["quotes"] and found["actors"]
        assert found["article"]["published"] == "2022-04-05"
        assert any(e["type"] == "CONSULT" and e["date"] == "2022-04-04" for e in found["events"])
        assert all(e["date"] for e in found["events"])  # one date per event, as in the record

    def check_ingest(self, argv, result):
        counts = re.search(r"(\d+) added, (\d+) already stored[^,]*, (\d+) rejected, (\d+) not stored", result.stderr)
        assert counts, result.stderr
        added, stored, rejected, failed = map(int, counts.groups())
        assert rejected == failed == 0 and added + stored > 0
        if "archive.warc.gz" in " ".join(argv) or argv[-1].endswith("feed.jsonl"):
            assert added == 2  # the WARC page and the feed item; the demo files are stored already

    def check_articles(self, argv, result):
        items = self.json_of(argv)["items"]
        assert len(items) >= 9 and f"articles ({len(items)})" in result.stdout
        assert any("hold phone call" in (a["headline"] or "") for a in items)

    def check_show(self, argv, result):
        found = self.json_of(argv)
        assert found["article"]["id"] == argv[1] and found["events"] and found["quotes"]

    def check_actors(self, argv, result):
        items = self.json_of(argv)["items"]
        assert items and all(a["country"] == "CHN" for a in items)
        assert "Wang Yi" in {a["name"] for a in items}

    def check_quotes(self, argv, result):
        items = self.json_of(argv)["items"]
        assert items
        for q in items:
            assert "wang" in (q["speaker_name"] or "").lower() and any("xinhua" in v.lower() for v in q["via_names"])
        assert any("constructive role" in q["text"] for q in items)

    def check_events(self, argv, result):
        items = self.json_of(argv)["items"]
        assert items
        for e in items:
            countries = {p["country"] for p in e["participants"]}
            assert {"CHN", "UKR"} <= countries and e["type"] == "CONSULT" and e["date"] >= "2022-01-01"

    def check_timeline(self, argv, result):
        items = json.loads(result.stdout)["items"]
        assert items
        dated = [e["date"] for e in items if e["date"]]
        assert dated == sorted(dated)
        for e in items:
            assert {"CHN", "UKR"} <= {p["country"] for p in e["participants"]} and e["reports"]

    def check_last_contact(self, argv, result):
        found = self.json_of(argv)
        assert found["type"] == "CONSULT" and found["date"] == "2022-04-04" and found["date_precision"] == "day"
        assert len({r["article_id"] for r in found["reports"]}) == 3  # the demo's three reports of the call

    def check_event(self, argv, result):
        found = self.json_of(argv)
        assert found["id"] == argv[1] and found["report_count"] == 3
        assert all(r["merge_reason"] for r in found["reports"])

    def check_check_claims(self, argv, result):
        items = self.json_of(argv)["items"]
        assert items and all(c["article_id"] == argv[1] for c in items)
        # "their first contact in several weeks": the record holds no earlier contact to contradict it
        assert {c["verdict"] for c in items} <= {"agree", "no data"} and all(c["claim"] for c in items)

    def check_search(self, argv, result):
        items = self.json_of(argv)["items"]
        assert items and all("constructive" in h["text"].lower() for h in items)
        assert "Wang Yi" in result.stdout  # the speaker of the quote, in the table

    def check_export(self, argv, result):
        out = Path(argv[argv.index("--out") + 1])
        assert out.exists()
        if "plover" in argv:
            import jsonschema

            schema = json.loads((ROOT / "src/communique/data/export/plover-event.schema.json").read_text(encoding="utf-8"))
            rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
            assert rows
            for row in rows:
                jsonschema.validate(row, schema)
        else:
            import pyarrow.parquet as pq

            table = pq.read_table(out)
            assert table.num_rows > 0 and str(table.schema.field("date").type) == "date32[day]"
        written = int(re.search(r"(\d+) events written", result.stderr).group(1))
        assert written > 0

    # ------------------------------------------------------------ servers and other tools

    def serve(self, argv: list[str]) -> None:
        port = free_port()
        command = [sys.executable, "-c", "from communique.cli import main; main()", *argv, "--port", str(port)]
        process = subprocess.Popen(command, env=self.env, cwd=self.folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            page = wait_for(f"http://127.0.0.1:{port}/", process)
            assert "communique" in page.lower()
            timeline = json.loads(wait_for(f"http://127.0.0.1:{port}/api/timeline/CHN/UKR", process))
            assert timeline["items"]
        finally:
            process.terminate()
            process.wait(timeout=30)

    def datasette(self, argv: list[str]) -> None:
        path = Path(os.path.expanduser(argv[1].replace("~", str(self.home), 1)))
        assert path == self.db and path.exists(), f"{argv[1]} is not the default database"
        port = free_port()
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("datasette")), str(path), "-p", str(port)],
            env=self.env, cwd=self.folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            rows = json.loads(wait_for(f"http://127.0.0.1:{port}/communique/events_flat.json?_shape=array", process))
            assert rows and {"type", "date"} <= set(rows[0])
        finally:
            process.terminate()
            process.wait(timeout=30)

    def duckdb(self, argv: list[str]) -> None:
        sql = argv[argv.index("-c") + 1]
        if shutil.which("duckdb"):
            result = subprocess.run(["duckdb", "-c", sql], cwd=self.folder, capture_output=True, text=True, timeout=300, check=False)
            assert result.returncode == 0 and result.stdout.strip(), result.stderr
            return
        # the same question of the same data without duckdb (not a dependency)
        if "dyad_month" in sql:
            with sqlite3.connect(self.db) as conn:
                rows = conn.execute(
                    "SELECT month, events FROM dyad_month WHERE country_a = 'CHN' AND country_b = 'UKR' ORDER BY month"
                ).fetchall()
            assert rows and all(n > 0 for _, n in rows)
        else:
            import pyarrow.parquet as pq

            table = pq.read_table("events.parquet").to_pylist()
            chinese = [r for r in table if "CHN" in (r["actor_countries"] or [])]
            assert chinese and all(isinstance(r["date"], date) or r["date"] is None for r in chinese)
        self.equivalents.append(" ".join(argv))

    # ------------------------------------------------------------ the Python block and the contract

    def python(self, code: str) -> int:
        code = code.replace('"news.db"', repr(str(self.db)))
        tree = ast.parse(code)
        shown = _CheckValues().visit(tree)
        ast.fix_missing_locations(shown)
        checked: list = []

        def check(value, line):
            assert _non_empty(value), f"README Python example, line {line}: {value!r} is empty"
            checked.append(line)
            return value

        namespace = {"__name__": "readme", "_check": check,
                     "page_text_or_html": (DEMO / "01_wang_kuleba_call_wire.txt").read_text(encoding="utf-8")}  # fmt: skip
        exec(compile(shown, str(README), "exec"), namespace)  # noqa: S102  (the README's own example)
        return len(checked)

    def contract(self, text: str) -> None:
        found = json.loads(self.invoke(["extract", self.placeholders["ARTICLE.txt"], "--json"]).stdout)
        sections = dict(re.findall(r'"(\w+)":\s*\[?\{(.*?)\}\]?(?=,\s*\n|\}\s*$)', text, re.S))
        assert set(sections) == {"article", "actors", "quotes", "events"}
        for name, body in sections.items():
            named = set(re.findall(r'"(\w+)"', body))
            record = found[name] if name == "article" else found[name][0]
            assert named == set(record), f"the README's {name} contract: {sorted(named ^ set(record))} differ"


class _CheckValues(ast.NodeTransformer):
    """Wrap each expression statement, and each value assigned to a name, in `_check(...)`."""

    def visit_Expr(self, node):
        return ast.Expr(ast.Call(ast.Name("_check", ast.Load()), [node.value, ast.Constant(node.lineno)], []))

    def visit_Assign(self, node):
        node.value = ast.Call(ast.Name("_check", ast.Load()), [node.value, ast.Constant(node.lineno)], [])
        return node


def _non_empty(value) -> bool:
    if isinstance(value, tuple):
        return all(_non_empty(v) for v in value)
    if hasattr(value, "__len__"):
        return len(value) > 0
    return value is not None


def test_every_readme_example_answers_on_the_demo_record(tmp_path, monkeypatch):
    runner = Runner(tmp_path, monkeypatch)
    blocks = code_blocks(README.read_text(encoding="utf-8"))
    python_values = 0
    contract = 0
    for block in blocks:
        if block.language == "python":
            python_values += runner.python(block.text)
        elif block.text.lstrip().startswith('{"article"'):
            runner.contract(block.text)
            contract += 1
        else:
            for argv in shell_commands(block.text):
                runner.run(argv)
    ran = len(runner.ran)
    print(
        f"\nREADME examples: {ran} commands run ({len(runner.equivalents)} of them duckdb, asked of the same data "
        f"without duckdb), {python_values} values of the Python example checked, {contract} contract block checked; "
        f"{len(runner.skipped)} not run here: " + "; ".join(f"{line} ({why})" for line, why in runner.skipped)
    )
    assert ran >= 20 and python_values >= 7 and contract == 1
    # every excuse is used: an example that left the README takes its excuse with it
    assert {excused(shlex.split(line)) for line, _ in runner.skipped} == set(EXCUSED.values())
