"""The one-call Python API: `communique.extract` reads, cleans and checks the language exactly as
`communique extract` does, and `communique.open` gives a Record."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

import communique
from communique import api
from communique.models import Article, Extraction

# A scraped page dump, written for this test: interface lines and a masthead around the article.
PAGE = (
    "Skip to main content\n"
    "The Washington Post\n"
    "Advertisement\n\n"
    "Kenyan Foreign Minister Daniel Otieno spoke by phone with his Norwegian counterpart on Monday.\n\n"
    "\u201cWe agreed to keep talking about fishing rights,\u201d Otieno said in Nairobi.\n"
)
HTML = (
    "<html><head><title>Ministers talk fishing</title></head><body><article>"
    "<p>Kenyan Foreign Minister Daniel Otieno spoke by phone with his Norwegian counterpart on Monday "
    "about fishing rights and the coming season on the lake.</p>"
    "<p>\u201cWe agreed to keep talking,\u201d Otieno told reporters in Nairobi after the call ended.</p>"
    "</article></body></html>"
)


@pytest.fixture(autouse=True)
def shared_pipeline(pipeline):
    """The session's pipeline serves communique.extract too (loading spaCy twice costs seconds)."""
    from communique.config import Settings

    settings = Settings()
    api._pipelines[(settings.spacy_model, tuple(settings.kb_paths))] = pipeline


def _without_source(doc: dict) -> dict:
    doc = json.loads(json.dumps(doc))
    doc["article"].pop("source", None)
    return doc


def test_extract_gives_what_the_command_line_gives(tmp_path):
    from communique.cli import app

    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(path), "--published", "2024-05-06", "--json"])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.stdout)

    found = communique.extract(PAGE, published="2024-05-06")
    assert isinstance(found, Extraction)
    assert _without_source(found.to_json_dict()) == _without_source(from_cli)
    # cleaning ran: the page furniture is not in the body, and the masthead names the outlet
    assert "Advertisement" not in found.article.body and found.article.publisher == "The Washington Post"
    assert found.article.published == "2024-05-06" and found.article.language == "en"
    assert any(e.type == "CONSULT" for e in found.events)


def test_extract_reads_html_and_keeps_the_url():
    found = communique.extract(HTML, published=date(2024, 5, 6), url="https://example.org/news/1")
    assert found.article.headline == "Ministers talk fishing"
    assert found.article.url == "https://example.org/news/1"
    assert "<p>" not in found.article.text and "Otieno" in found.article.body


def test_extract_refuses_what_the_readers_refuse_with_the_reason():
    with pytest.raises(communique.NotAnalysed, match="not English"):
        communique.extract(
            "Der Außenminister sprach am Montag mit seinem Amtskollegen über die Fischereirechte und "
            "die kommende Saison. Beide Seiten wollen die Gespräche im nächsten Monat fortsetzen."
        )
    with pytest.raises(communique.NotAnalysed, match="empty"):
        communique.extract("   \n")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        communique.extract(PAGE, published="last Monday")


def test_pipeline_extract_cleans_and_checks_the_language_too(pipeline):
    from communique.pipeline import NotAnalysed

    [found] = list(pipeline.extract([Article(text=PAGE, source="<page>")], published=date(2024, 5, 6)))
    assert "Skip to main content" not in found.article.body
    with pytest.raises(NotAnalysed, match="not English"):
        next(pipeline.extract([Article(text="Le ministre a parlé avec son homologue lundi matin à Paris, "
                                            "et les deux pays veulent poursuivre les discussions.", source="<fr>")]))


def test_open_refuses_to_create_a_database_unless_asked(tmp_path):
    """`communique.open("news.db")` on a name that holds nothing is an error, and nothing is made
    (it used to create an empty database silently, so a typo answered "no events")."""
    from communique.store import StoreOpenError

    missing = tmp_path / "no" / "such" / "news.db"
    with pytest.raises(StoreOpenError, match="does not exist"):
        communique.open(str(missing))
    assert not (tmp_path / "no").exists()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")  # a file, but no record in it
    with pytest.raises(StoreOpenError, match="holds no communique record"):
        communique.open(str(empty))
    with communique.open(str(missing), create=True) as record:
        assert record.events() == []
    assert missing.exists()


def test_open_gives_a_record(tmp_path):
    with communique.open(str(tmp_path / "api.db"), create=True) as record:
        assert isinstance(record, communique.Record)
        assert record.events() == [] and record.actors().to_dicts() == []


@pytest.mark.parametrize("value", [12345, None, 1.5, ["text"], {"text": "x"}])
def test_extract_names_a_value_that_is_not_text(value):
    with pytest.raises(TypeError, match=f"str or bytes, not {type(value).__name__}"):
        communique.extract(value)


def test_extract_refuses_a_lone_surrogate_with_a_clear_reason():
    with pytest.raises(api.NotAnalysed) as caught:
        communique.extract("Minister Otieno spoke \ud800 by phone on Monday.")
    assert "lone surrogate (U+D800 at character 22)" in caught.value.reason


@pytest.mark.parametrize("value", ["Otieno spoke by phone. " * 10, ("Otieno spoke by phone. " * 10).encode()])
def test_extract_refuses_a_text_over_the_size_limit_before_reading_it(value):
    from communique.config import Settings

    with pytest.raises(api.NotAnalysed, match="text too large .* > limit 100"):
        communique.extract(value, settings=Settings(max_bytes=100))


@pytest.mark.parametrize("value", [123, 4.5, b"news.db"])
def test_open_names_a_value_that_is_not_a_path(value):
    with pytest.raises(TypeError, match="path or a postgresql:// URL as str"):
        communique.open(value)


def test_open_takes_a_path_object_and_creates_nothing(tmp_path):
    from communique.store import StoreOpenError

    with pytest.raises(StoreOpenError):
        communique.open(tmp_path / "missing" / "news.db")
    assert list(tmp_path.iterdir()) == []


def test_ingest_stores_paths_and_article_dicts_and_reports_each_item(tmp_path):
    """`communique.ingest` takes files and article objects alike; a bad item is one line, the rest
    is stored, and a second ingest of the same input stores nothing new."""
    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    db = str(tmp_path / "news.db")
    inputs = [str(page), {"html": HTML, "published": "2022-04-05", "url": "https://example.org/fish"},
              {"text": ""}, 42]

    summary = communique.ingest(inputs, db=db, published="2022-04-04")

    assert summary.stored == 2 and summary.errors == []
    assert summary.skipped == 2  # the empty article and the int
    assert len(summary.lines) == 4
    assert summary.lines[0] == f"added {page}"
    assert summary.lines[1] == "added python:1"
    assert summary.lines[2].startswith("rejected python:2: ")
    assert summary.lines[3].startswith("rejected python:3: ") and "int" in summary.lines[3]
    from communique.store import Store

    store = Store.open(db)
    try:
        sources = sorted(a["source"] for a in store.articles())
    finally:
        store.close()
    assert sources == sorted([str(page), "python:1"])

    again = communique.ingest(inputs[:2], db=db)
    assert (again.stored, again.skipped) == (0, 2)
    assert [line.split()[0] for line in again.lines] == ["unchanged", "unchanged"]
