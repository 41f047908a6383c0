"""Hostile and unlucky input through `communique ingest`: each item is analysed inside its own guard.

A text longer than spaCy's limit, a JSONL line holding a lone surrogate, a directory with a link back
to itself, an unreadable subdirectory and an article a stage fails on must each cost at most that one
item (a `rejected` row with a one-line reason), never the batch and never a traceback.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from communique.cli import app

runner = CliRunner()

GOOD_ONE = (
    "Chile and Peru agree to reopen border crossings\n\n"
    "Chilean Foreign Minister Alberto van Klaveren met his Peruvian counterpart in Lima on Monday, "
    "and both said the crossings would reopen within a month.\n\n"
    "\u201cWe have settled the main questions,\u201d van Klaveren told reporters after the meeting.\n"
)
GOOD_TWO = (
    "Norway pledges funds for Sahel water projects\n\n"
    "Norway will give 40 million dollars to water projects in Mali and Niger, the Norwegian foreign "
    "ministry said on Thursday.\n\n"
    "The money will pay for wells and pumps in villages hit by drought, officials in Oslo said.\n"
)

# Sentences for long articles, written for these tests; {n} keeps paragraphs apart.
_LONG_SENTENCES = (
    "Foreign Minister Dmytro Kuleba spoke with his Polish counterpart about grain exports on day {n} of the talks.",
    "\u201cThe corridor must stay open,\u201d Kuleba told reporters in Kyiv after call number {n}.",
    "Polish officials said {n} trucks had crossed the border overnight, according to the customs service.",
    "The two ministers agreed to meet again in Warsaw, and aides said a deal could follow.",
)


def long_text(chars: int) -> str:
    """Paragraphs of the sentences above until the text is about `chars` long."""
    paragraphs, size, n = ["Grain talks go on between Kyiv and Warsaw"], 0, 0
    while size < chars:
        para = " ".join(s.format(n=n * 4 + k) for k, s in enumerate(_LONG_SENTENCES))
        paragraphs.append(para)
        size += len(para) + 2
        n += 1
    return "\n\n".join(paragraphs) + "\n"


def ingest(*args: str):
    result = runner.invoke(app, ["ingest", *args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def open_store(db: str):
    from communique.store import Store

    return Store.open(db)


def stored_sources(db: str) -> list[str]:
    with open_store(db) as store:
        return sorted(Path(a["source"]).name for a in store.articles(limit=1000))


def rejected_rows(db: str) -> list[dict]:
    with open_store(db) as store:
        return store.rejections()


@pytest.fixture
def cli_nlp():
    """The spaCy pipeline the CLI will use: the one `load_nlp` holds now (another test may have
    emptied its cache since the session's `nlp` fixture was made)."""
    from communique.config import Settings
    from communique.nlp import load_nlp

    return load_nlp(Settings().spacy_model)


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "robust.db")


def write_good(directory: Path, names=("a_good.txt", "z_good.txt")) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in zip(names, (GOOD_ONE, GOOD_TWO)):
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


# ---------------------------------------------------------------- long articles


def test_pieces_cover_the_text_and_cut_at_paragraph_breaks():
    from communique.nlp import split_pieces

    text = long_text(5000)
    pieces = split_pieces(text, 1000)
    assert "".join(text[s:e] for s, e in pieces) == text
    assert all(e - s <= 1000 for s, e in pieces) and len(pieces) >= 5
    # every cut follows a paragraph break, so each piece after the first starts a paragraph
    assert all(text[s - 2 : s] == "\n\n" for s, _ in pieces[1:])
    # a text with no break at all is still cut within the limit
    blob = "x" * 2500
    assert [e - s for s, e in split_pieces(blob, 1000)] == [1000, 1000, 500]


def test_long_body_is_parsed_in_pieces_into_one_doc(nlp, monkeypatch):
    from communique.models import Article
    from communique.nlp import annotate

    text = long_text(6000)
    monkeypatch.setattr(nlp, "max_length", 1500)  # spaCy itself would refuse this text now
    with pytest.raises(ValueError):
        nlp(text)
    annotated = next(annotate([Article(text=text, source="long", body=text)], nlp))
    assert annotated.doc.text == text
    # sentences and entities after the first piece point at the right characters
    kuleba = [e for e in annotated.doc.ents if e.text == "Kuleba"]
    assert len(kuleba) > 5 and all(text[e.start_char : e.end_char] == "Kuleba" for e in kuleba)
    assert kuleba[-1].start_char > 4500
    assert all(s.text.strip() for s in annotated.doc.sents)


def test_text_over_the_nlp_limit_between_two_good_files_stores_all_three(tmp_path, db, cli_nlp, monkeypatch):
    corpus = tmp_path / "corpus"
    write_good(corpus, ("a_first.txt", "c_last.txt"))
    text = long_text(12_000)
    (corpus / "b_long.txt").write_text(text, encoding="utf-8")
    # the same failure as a 1.2 MB file against the real limit of 1,000,000 characters, in a second
    monkeypatch.setattr(cli_nlp, "max_length", 4000)
    with pytest.raises(ValueError):
        cli_nlp(text)
    result = ingest(str(corpus), "--db", db, "--published", "2024-03-04")
    assert result.exit_code == 0, result.output
    assert "3 added" in result.stderr and "0 rejected" in result.stderr
    assert stored_sources(db) == ["a_first.txt", "b_long.txt", "c_last.txt"]
    with open_store(db) as store:
        long_id = next(a["id"] for a in store.articles() if a["source"].endswith("b_long.txt"))
        shown = store.article(long_id)
    assert shown["article"]["text"] == text
    spans = [tuple(m) for a in shown["actors"] for m in a["mentions"]]
    assert spans and all(text[s:e] and text[s:e] == text[s:e].strip() for s, e in spans)
    kuleba = [a for a in shown["actors"] if a["name"].endswith("Kuleba")]
    assert kuleba and max(s for s, _ in kuleba[0]["mentions"]) > 8000  # found in later pieces too
    assert all(text[s:e] in ("Kuleba", "Dmytro Kuleba") for s, e in kuleba[0]["mentions"])
    for quote in shown["quotes"]:
        s, e = quote["content_span"]
        assert text[s:e] == quote["text"]


@pytest.mark.slow
def test_real_1_2_mb_text_between_two_good_files(tmp_path, db):
    corpus = tmp_path / "corpus"
    write_good(corpus, ("a_first.txt", "c_last.txt"))
    (corpus / "b_long.txt").write_text(long_text(1_200_000), encoding="utf-8")
    result = ingest(str(corpus), "--db", db, "--published", "2024-03-04")
    assert result.exit_code == 0, result.output
    assert stored_sources(db) == ["a_first.txt", "b_long.txt", "c_last.txt"]


# ---------------------------------------------------------------- text that cannot be encoded


def test_lone_surrogate_in_jsonl_is_repaired_and_noted(tmp_path, db):
    feed = tmp_path / "feed.jsonl"
    broken = GOOD_ONE.replace("Monday", "Monday \ud800")
    lines = [
        json.dumps({"id": "broken-1", "text": broken, "headline": "Border \udc00 talks"}),  # ASCII: "\ud800" escapes
        json.dumps({"id": "clean-2", "text": GOOD_TWO}),
    ]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ingest(str(feed), "--db", db, "--published", "2024-03-04")
    assert result.exit_code == 0, result.output
    assert "2 added" in result.stderr
    assert "feed.jsonl:1" in result.stderr and "U+FFFD" in result.stderr  # the repair is noted
    with open_store(db) as store:
        shown = store.article("broken-1")
        assert store.article("clean-2") is not None
    assert shown["article"]["text"] == broken.replace("\ud800", "\ufffd")
    assert shown["article"]["headline"] == "Border \ufffd talks"


def test_repair_keeps_offsets():
    from communique.models import Article
    from communique.readers import repair_article

    article = repair_article(Article(text="A\ud800B\x00C", source="s"))
    assert article.text == "A\ufffdB\ufffdC"
    assert article.notes and "2 characters" in article.notes[0]
    assert repair_article(Article(text="plain", source="s")).notes == []


# ---------------------------------------------------------------- links and unreadable directories


def make_looping_tree(root: Path) -> None:
    write_good(root)
    write_good(root / "sub", ("m_one.txt", "m_two.txt"))
    (root / "sub" / "m_two.txt").write_text(GOOD_TWO.replace("Norway", "Denmark").replace("Oslo", "Copenhagen"))
    (root / "sub" / "m_one.txt").write_text(GOOD_ONE.replace("Chile", "Bolivia").replace("Lima", "Sucre"))
    os.symlink("..", root / "sub" / "up")  # a loop: sub/up/sub/up/...
    os.symlink(".", root / "self")
    os.symlink("a_good.txt", root / "b_alias.txt")  # the same file again under another name


def test_directory_with_link_loops_reads_each_file_once(tmp_path, db):
    root = tmp_path / "tree"
    make_looping_tree(root)
    result = ingest(str(root), "--db", db, "--published", "2024-03-04")
    assert result.exit_code == 0, result.output
    assert "4 added" in result.stderr
    assert stored_sources(db) == ["a_good.txt", "m_one.txt", "m_two.txt", "z_good.txt"]
    reasons = {Path(r["source"]).name: r["reason"] for r in rejected_rows(db)}
    assert set(reasons) == {"b_alias.txt", "self", "up"}  # each skipped link is named, with why
    assert all("skipped" in reason for reason in reasons.values())
    assert "b_alias.txt" in result.stderr and "skipped" in result.stderr


def test_recursive_glob_through_link_loops_ends_and_reads_each_file_once(tmp_path, db):
    root = tmp_path / "tree"
    make_looping_tree(root)
    from communique.readers import expand_paths

    files = [p for p in expand_paths([str(root / "**" / "*.txt")]) if isinstance(p, str)]
    assert sorted(Path(p).name for p in files) == ["a_good.txt", "m_one.txt", "m_two.txt", "z_good.txt"]
    result = ingest(str(root / "**" / "*.txt"), "--db", db, "--published", "2024-03-04")
    assert result.exit_code == 0, result.output
    assert "4 added" in result.stderr
    assert stored_sources(db) == ["a_good.txt", "m_one.txt", "m_two.txt", "z_good.txt"]


def test_same_path_named_twice_is_read_once_without_a_rejection(tmp_path):
    from communique.readers import expand_paths

    paths = write_good(tmp_path / "d")
    got = list(expand_paths([str(tmp_path / "d"), str(paths[0]), str(tmp_path / "d" / "*.txt")]))
    assert got == [str(paths[0]), str(paths[1])]


def _deny(monkeypatch, denied: Path) -> None:
    """Make reading one directory fail as it does for a user without permission (tests run as root,
    who may read anything)."""
    from communique.readers import paths

    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.realpath(path) == os.path.realpath(denied):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(paths.os, "scandir", scandir)


def test_unreadable_subdirectory_is_a_rejected_row(tmp_path, db, monkeypatch):
    root = tmp_path / "tree"
    write_good(root)
    write_good(root / "locked", ("hidden_from_us.txt",))
    _deny(monkeypatch, root / "locked")
    result = ingest(str(root), "--db", db, "--published", "2024-03-04")
    assert result.exit_code == 0, result.output
    assert "2 added" in result.stderr and "1 rejected" in result.stderr
    assert stored_sources(db) == ["a_good.txt", "z_good.txt"]
    rows = rejected_rows(db)
    assert [Path(r["source"]).name for r in rows] == ["locked"]
    assert rows[0]["reason"] == "cannot read directory (permission denied)"
    assert "locked" in result.stderr and "permission denied" in result.stderr


@pytest.mark.parametrize("pattern", ["**/*.txt", "*/*.txt"])
def test_a_glob_reports_an_unreadable_subdirectory(tmp_path, db, monkeypatch, pattern):
    """A glob searches what it can read and says what it could not, as a plain walk does."""
    root = tmp_path / "tree"
    write_good(root / "open")
    write_good(root / "locked", ("hidden_from_us.txt",))
    _deny(monkeypatch, root / "locked")
    result = ingest(str(root / pattern), "--db", db, "--published", "2024-03-04")
    assert result.exit_code == 0, result.output
    assert stored_sources(db) == ["a_good.txt", "z_good.txt"]
    rows = rejected_rows(db)
    assert [Path(r["source"]).name for r in rows] == ["locked"]
    assert rows[0]["reason"] == "cannot read directory (permission denied)"


def test_unreadable_subdirectory_with_real_permissions(tmp_path, db):
    root = tmp_path / "tree"
    write_good(root)
    locked = root / "locked"
    write_good(locked, ("hidden_from_us.txt",))
    locked.chmod(0)
    try:
        try:
            os.listdir(locked)
        except PermissionError:
            pass
        else:
            pytest.skip("running as a user who can read a mode-000 directory (root): the monkeypatched test covers it")
        result = ingest(str(root), "--db", db, "--published", "2024-03-04")
        assert result.exit_code == 0, result.output
        assert [Path(r["source"]).name for r in rejected_rows(db)] == ["locked"]
    finally:
        locked.chmod(0o755)


# ---------------------------------------------------------------- a stage that fails on one article


def test_an_article_a_stage_fails_on_is_rejected_and_the_rest_stored(tmp_path, db, monkeypatch):
    import communique.pipeline as pipeline_module

    real = pipeline_module.extract_quotes

    def failing(annotated, actors):
        if "Peruvian" in annotated.article.text:
            raise RuntimeError("quote stage exploded\non two lines")
        return real(annotated, actors)

    monkeypatch.setattr(pipeline_module, "extract_quotes", failing)
    corpus = tmp_path / "corpus"
    write_good(corpus)
    (corpus / "m_middle.txt").write_text(GOOD_TWO.replace("Norway", "Finland").replace("Oslo", "Helsinki"))
    result = ingest(str(corpus), "--db", db, "--published", "2024-03-04")
    assert result.exit_code == 0, result.output
    assert "2 added" in result.stderr and "1 rejected" in result.stderr
    assert stored_sources(db) == ["m_middle.txt", "z_good.txt"]
    rows = rejected_rows(db)
    assert [Path(r["source"]).name for r in rows] == ["a_good.txt"]
    assert rows[0]["reason"] == "could not analyse (RuntimeError: quote stage exploded on two lines)"


def test_an_article_spacy_fails_on_costs_only_itself(tmp_path, db, cli_nlp, monkeypatch):
    real_tokenizer = cli_nlp.tokenizer

    def tokenizer(text):
        if "Peruvian" in text:
            raise ValueError("tokenizer refused this text")
        return real_tokenizer(text)

    monkeypatch.setattr(cli_nlp, "tokenizer", tokenizer)
    corpus = tmp_path / "corpus"
    write_good(corpus)  # both in one spaCy batch: the good one must survive its neighbour
    result = ingest(str(corpus), "--db", db, "--published", "2024-03-04")
    assert result.exit_code == 0, result.output
    assert stored_sources(db) == ["z_good.txt"]
    rows = rejected_rows(db)
    assert [(Path(r["source"]).name, r["reason"]) for r in rows] == [
        ("a_good.txt", "could not analyse (ValueError: tokenizer refused this text)")
    ]


# ---------------------------------------------------------------- random input


def _file_name(raw: bytes) -> bytes:
    """A name the filesystem allows: no slash, no NUL, not . or .., at most 200 bytes."""
    name = raw.replace(b"/", b"_").replace(b"\x00", b"_")[:200]
    return name if name not in (b"", b".", b"..") else b"x"


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
_jsonl_lines = st.one_of(
    st.binary(max_size=60),
    st.builds(json.dumps, _json_values),
    st.builds(
        lambda text, ident: json.dumps({"id": ident, "text": text}),
        st.text(max_size=200),
        st.one_of(st.none(), st.integers(), st.text(max_size=10)).filter(lambda i: i != "good-line"),
    ),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=3),
    contents=st.lists(st.binary(max_size=300), min_size=1, max_size=3),
    lines=st.lists(_jsonl_lines, max_size=6),
    where=st.integers(min_value=0, max_value=6),
)
def test_random_input_never_raises_and_never_loses_a_good_item(names, contents, lines, where):
    from communique.readers import load_articles

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        junk = corpus / "junk"
        junk.mkdir(parents=True)
        good = write_good(corpus)
        good_ids = [a.id for a in load_articles([str(p) for p in good])]
        for raw_name, content in zip(names, contents):
            (junk / os.fsdecode(_file_name(raw_name))).write_bytes(content)
        raw_lines = [line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass") for line in lines]
        good_line = json.dumps({"id": "good-line", "text": GOOD_TWO.replace("Norway", "Iceland")}).encode()
        raw_lines.insert(min(where, len(raw_lines)), good_line)
        (corpus / "feed.jsonl").write_bytes(b"\n".join(raw_lines) + b"\n")
        db = str(Path(tmp) / "random.db")

        result = ingest(str(corpus), "--db", db, "--published", "2024-03-04")

        assert result.exit_code == 0, result.output
        assert len(good_ids) == 2
        with open_store(db) as store:
            for ident in [*good_ids, "good-line"]:
                assert store.article(ident) is not None, ident
