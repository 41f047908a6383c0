"""Parquet input: one article per row with the columns of a JSONL line; bad rows and bad files are
Rejections, and the other rows go on."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from communique.config import Settings
from communique.models import Article, Rejection
from communique.readers import detect_format, load_articles, read_stdin

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ENGLISH = (
    "Ministers from Ghana and Togo met in Lomé on Wednesday and agreed to reopen a border crossing "
    "that had been closed for two years, the Ghanaian foreign ministry said."
)
HTML = (
    "<html><head><title>Kenya offers police for Haiti mission</title></head><body><article>"
    "<h1>Kenya offers police for Haiti mission</h1><p>Kenya's cabinet approved on Monday a plan to send a "
    "thousand police officers to Haiti, the interior ministry said in a statement.</p></article></body></html>"
)


def load(path, published=None, **settings) -> list[Article | Rejection]:
    return list(load_articles([str(path)], Settings(**settings), published))


def test_rows_are_articles_and_bad_rows_are_rejections(tmp_path):
    path = tmp_path / "feed.parquet"
    table = pa.table({
        "id": ["w-1", "w-2", "w-3", "w-4", None],
        "text": [ENGLISH, "  \n", None, None, "Ghana and Togo " + ENGLISH],
        "html": [None, None, None, HTML, None],
        "published": [date(2023, 11, 2), None, None, None, date(2023, 11, 5)],
        "url": ["https://example.org/w-1", None, None, None, None],
        "publisher": ["Coastline Wire", None, None, None, None],
        "score": [0.5, 0.1, 0.2, 0.3, 0.4],  # a column the reader has no use for
    })
    pq.write_table(table, path, row_group_size=2)
    items = load(path, published=date(2023, 12, 31))
    by_source = {i.source: i for i in items}
    first = by_source[f"{path}:1"]
    assert isinstance(first, Article) and first.text == ENGLISH
    assert (first.external_id, first.url, first.publisher) == ("w-1", "https://example.org/w-1", "Coastline Wire")
    assert first.published == date(2023, 11, 2)
    assert by_source[f"{path}:2"].reason == "empty text"
    assert by_source[f"{path}:3"].reason == "neither 'text' nor 'html'"
    from_html = by_source[f"{path}:4"]
    assert "Kenya's cabinet approved on Monday" in from_html.body and from_html.external_id == "w-4"
    fifth = by_source[f"{path}:5"]
    assert fifth.external_id is None and fifth.published == date(2023, 11, 5)
    assert len(items) == 5


def test_timestamps_and_integer_ids(tmp_path):
    path = tmp_path / "stamps.parquet"
    pq.write_table(pa.table({"id": [7], "text": [ENGLISH], "published": [datetime(2024, 2, 3, 14, 5)]}), path)
    [article] = load(path)
    assert article.external_id == "7" and article.published == date(2024, 2, 3)


def test_an_oversize_row_is_rejected_alone(tmp_path):
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"text": [ENGLISH * 20, ENGLISH]}), path)
    items = load(path, max_bytes=len(ENGLISH.encode()) * 2)
    assert isinstance(items[0], Rejection) and items[0].reason.startswith("row too large")
    assert isinstance(items[1], Article)


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"PAR1 this is not parquet at all", "not a readable Parquet file"),
        (None, "a Parquet file of articles needs a 'text' or an 'html' column"),
    ],
)
def test_bad_files_are_one_rejection(tmp_path, content, reason):
    path = tmp_path / "bad.parquet"
    if content is None:
        pq.write_table(pa.table({"body": ["no text column here"]}), path)
    else:
        path.write_bytes(content)
    [item] = load(path)
    assert isinstance(item, Rejection) and item.reason.startswith(reason) and item.source == str(path)


def test_parquet_is_told_by_extension_and_by_its_magic(tmp_path):
    assert detect_format("feed.parquet", b"") == "parquet"
    assert detect_format("feed", b"PAR1\x15\x04") == "parquet"
    assert detect_format("notes.txt", b"PAR1 is a word here") == "text"
    [item] = read_stdin(Settings(), io.BytesIO(b"PAR1\x15\x04\x00"))
    assert isinstance(item, Rejection) and "standard input" in item.reason
