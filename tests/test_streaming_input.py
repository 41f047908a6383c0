"""Rejected input streams at the rate it is read: a long run of rejections is passed on in small
batches (never re-counted, never held until an article comes), a line over the size limit is skipped
without being held whole, and standard input is read line by line as a file is."""

from __future__ import annotations

import io
import json
import time

from communique.config import Settings
from communique.models import Article, Rejection
from communique.parallel import analyse_in_order
from communique.parallel.pool import MAX_PASSING, _batches
from communique.readers import load_articles, read_stdin
from communique.readers.jsonl import SKIP_CHUNK, LineTooLong, bounded_lines


def _rejections(n: int):
    for i in range(n):
        yield Rejection(f"in.jsonl:{i + 1}", "empty text")


def test_a_long_run_of_rejections_is_cut_into_small_batches_in_linear_time():
    consumed = 0

    def counted(items):
        nonlocal consumed
        for item in items:
            consumed += 1
            yield item

    batches = _batches(counted(_rejections(200_000)), size=500)
    first = next(batches)
    assert len(first) == MAX_PASSING and consumed == MAX_PASSING  # out before the rest is read
    started = time.perf_counter()
    rest = sum(len(b) for b in batches)
    assert first and rest + len(first) == 200_000
    assert time.perf_counter() - started < 5  # the quadratic count took minutes


def test_rejections_alone_pass_through_without_loading_the_pipeline(monkeypatch):
    import communique.pipeline

    def refuse(*args, **kwargs):
        raise AssertionError("the pipeline was loaded for a batch without articles")

    monkeypatch.setattr(communique.pipeline, "Pipeline", refuse)
    items = list(_rejections(3 * MAX_PASSING + 7))
    assert list(analyse_in_order(iter(items), Settings(), workers=1)) == items


def test_batches_keep_the_order_and_size_of_articles_among_rejections():
    items = []
    for i in range(40):
        items += [Rejection(f"r{i}", "x")] * (i * 20) + [Article(text=f"t{i}", source=f"a{i}")]
    batches = list(_batches(items, size=3))
    assert [x for b in batches for x in b] == items
    assert all(sum(isinstance(x, Article) for x in b) <= 3 for b in batches)
    assert all(len(b) - sum(isinstance(x, Article) for x in b) <= MAX_PASSING for b in batches)


class _Watched(io.BytesIO):
    """A stream that records the longest piece it handed out."""

    longest = 0

    def readline(self, size=-1):
        line = super().readline(size)
        self.longest = max(self.longest, len(line))
        return line


def test_a_line_over_the_limit_is_skipped_without_being_held():
    huge = b'{"text": "' + b"a" * (5 * SKIP_CHUNK) + b'"}\n'
    stream = _Watched(b'{"text": "first"}\n' + huge + b'{"text": "after"}\n')
    lines = list(bounded_lines(stream, max_bytes=1000))
    assert lines[0] == b'{"text": "first"}\n' and lines[2] == b'{"text": "after"}\n'
    assert isinstance(lines[1], LineTooLong) and len(lines[1]) == len(huge)
    assert stream.longest <= SKIP_CHUNK


def _article_line(words: str) -> bytes:
    text = f"The foreign minister of Norway met her Kenyan counterpart in Oslo on Monday to discuss {words}."
    return json.dumps({"text": text}).encode() + b"\n"


def test_stdin_reads_a_huge_line_as_a_file_does(tmp_path):
    data = _article_line("fishing rights") + b'{"text": "' + b"b" * 3_000_000 + b'"}\n' + _article_line("trade")
    settings = Settings(max_bytes=100_000)
    from_stdin = list(read_stdin(settings, stream=_Watched(data)))
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    from_file = list(load_articles([str(path)], settings))
    for items, name in ((from_stdin, "-"), (from_file, str(path))):
        assert [type(i).__name__ for i in items] == ["Article", "Rejection", "Article"]
        assert items[1].source == f"{name}:2" and "line too large (3000013 bytes > limit 100000)" in items[1].reason


def test_stdin_jsonl_whose_first_line_is_longer_than_the_sniffed_bytes_is_read_as_jsonl():
    first = json.dumps({"id": "long", "text": "The minister spoke. " * 5000}).encode() + b"\n"
    assert len(first) > 65536
    items = list(read_stdin(Settings(), stream=io.BytesIO(first + _article_line("trade"))))
    assert [i.source for i in items] == ["-:1", "-:2"]
