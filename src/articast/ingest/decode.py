"""Bytes to text: BOMs honoured, legacy encodings detected, binary refused."""

from __future__ import annotations

import codecs
import unicodedata

from ..errors import InputError

MAX_ARTICLE_BYTES = 20_000_000
"""Largest article accepted, in bytes: about 3 million words, far beyond any real article."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_PREFERRED = ("cp1252", "latin_1", "iso8859_15")


def decode_text(data: bytes, *, name: str = "article") -> str:
    """Decode article bytes; raise InputError for empty or binary data."""
    if not data.strip():
        raise InputError(f"{name}: is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data.decode(encoding), name)
            except UnicodeDecodeError:
                raise InputError(f"{name}: is not valid {encoding.upper()} text") from None
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _detect(data, name)
    return _check_text(text, name)


def _western(data: bytes) -> str | None:
    """The text as Windows-1252 (a superset of Latin-1) when it reads as a Western European language
    there; else None.

    Detectors guess from letter statistics, which a short text does not have: 'Café' came back as
    Baltic cp775 ('Cafķ'). Text in a Latin-script language is mostly ASCII letters with a few
    accented ones, and never a symbol inside a word; Cyrillic or Greek bytes read as 1252 are
    words of accented letters only ('Ïðèâåò'), and Central European ones put symbols inside words
    ('Za¿ó³æ')."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [ch for ch in text if ch.isalpha()]
    accented = sum(1 for ch in letters if ord(ch) > 127)
    if not letters or accented > 0.3 * len(letters):
        return None
    for before, ch, after in zip(text, text[1:], text[2:]):
        if ord(ch) > 127 and before.isalpha() and after.isalpha() and ch not in "\u2019\u00b7" and (
                not ch.isalpha()):
            return None
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f" for ch in text):
        return None
    return text


def _detect(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    western = _western(data)
    if western is not None:
        return western
    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise InputError(f"{name}: looks like a binary file, not text")
    # Short texts fit several code pages equally well; Windows-1252 is by far the likeliest legacy one.
    for match in results:
        if match.encoding in _PREFERRED and match.chaos <= best.chaos and match.coherence >= best.coherence:
            return str(match)
    return str(best)


def _check_text(text: str, name: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{name}: has no words to read")
    sample = text[:20000]
    control = sum(
        1 for ch in sample if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\n\t\f"
    )
    if control > max(8, len(sample) // 50):
        raise InputError(f"{name}: looks like a binary file, not text")
    return text
