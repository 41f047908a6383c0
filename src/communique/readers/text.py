"""Plain-text input: decoding bytes as read, and telling text from binary data."""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

from communique.models import Article, Rejection


class NotText(ValueError):
    """The bytes are not text (binary data, or no encoding decodes them to readable text)."""


# A text may hold a few odd characters (a stray control code from a scraper), not many.
MIN_PRINTABLE_SHARE = 0.95
# Western single-byte text has a few accented letters among mostly ASCII ones; a cp1252 reading of
# Cyrillic or Greek bytes is nearly all accented Latin letters, which tells the two apart.
MAX_NON_ASCII_LETTER_SHARE = 0.3


def _printable_share(text: str) -> float:
    if not text:
        return 1.0
    ok = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t\f\v" or unicodedata.category(ch) == "Zs")
    return ok / len(text)


def _plausible_western(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return True
    non_ascii = sum(1 for ch in letters if ord(ch) > 127)
    return non_ascii / len(letters) <= MAX_NON_ASCII_LETTER_SHARE


# Leading bytes of common binary formats that a text reader may be handed by mistake.
BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF", b"BZh", b"\xfd7zXZ")


def decode(data: bytes) -> str:
    """The text of `data`: UTF-8 (a BOM is dropped), UTF-16/32 with a BOM, else the encoding
    charset-normalizer finds, with cp1252 preferred for Western text (its guesses on short Western
    texts are unreliable). Raises NotText for binary data."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text = data.decode("utf-32", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        if b"\x00" in data[:65536] or data.startswith(BINARY_MAGIC):
            raise NotText("binary file")
        text = _decode_8bit(data)
    if _printable_share(text[:65536]) < MIN_PRINTABLE_SHARE:
        raise NotText("binary file")
    return text


def _decode_8bit(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        if _plausible_western(text):
            return text
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:1_000_000]).best()
    if best is None:
        raise NotText("binary file")
    try:
        return data.decode(best.encoding, errors="replace")
    except LookupError:
        return str(best)


# Code points no store can keep: lone UTF-16 surrogates (a JSON "\ud800" escape decodes to one; UTF-8
# cannot encode it) and NUL (PostgreSQL text refuses it).
_UNENCODABLE = re.compile("[\ud800-\udfff\x00]")


def repair_unencodable(text: str) -> tuple[str, int]:
    """`text` with each lone surrogate and NUL replaced by U+FFFD, and how many were replaced.

    The replacement is one character for one, so every offset into the text stays valid."""
    repaired, count = _UNENCODABLE.subn("\ufffd", text)
    return repaired, count


_SURROGATE = re.compile("[\ud800-\udfff]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    # Python reads a file name's bytes that are not UTF-8 as U+DC80..U+DCFF ("surrogateescape")
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def printable_name(name: str) -> str:
    """A path (or a message naming one) that can be printed and stored: the bytes of a file name that
    are not UTF-8 shown as \\xNN."""
    return _SURROGATE.sub(_escaped, name)


def is_blank(text: str) -> bool:
    return not text.strip()


def read_text(data: bytes, source: str) -> Article | Rejection:
    """A plain-text article: `text` is the decoded input exactly as read (newlines untouched)."""
    try:
        text = decode(data)
    except NotText as exc:
        return Rejection(source, str(exc))
    if is_blank(text):
        return Rejection(source, "empty file")
    return Article(text=text, source=source)
