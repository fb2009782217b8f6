"""Split paragraphs into sentences: a script's segments, and the requests of engines that take several."""

from __future__ import annotations

import re

TARGET_CHARS = 220
"""group_sentences grows a group sentence by sentence up to about this many characters."""

MAX_CHARS = 400
"""No segment is longer than this; longer sentences are split at clauses, then between words."""

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "vs", "etc", "e.g", "i.e", "cf", "no",
    "inc", "ltd", "co", "corp", "mt", "ft", "fig", "vol", "approx", "dept", "est", "gen", "gov",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s",
    "u.k", "a.m", "p.m", "ph.d", "rev", "sen", "rep", "capt", "col", "lt", "sgt",
}
_CANDIDATE = re.compile(r"[.!?…]+['\"”’)\]]*\s+")
_CLAUSE = re.compile(r"(?<=[,;:—–])\s+|\s+(?=[—–]\s)")


def split_sentences(paragraph: str, language: str | None = None) -> list[str]:
    """Split a paragraph into sentences, not at abbreviations, initials or decimals, nor (in a
    language that writes them so) after ordinals: 'Am 3. März', 'im 2. Quartal', 'M. Dupont'."""
    from .locales import abbreviations_for, locale_for

    locale = locale_for(language)
    abbreviations = _ABBREVIATIONS | abbreviations_for(language)
    dotted = locale is not None and locale.dotted_ordinals
    text = re.sub(r"\s+", " ", paragraph).strip()
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        end = match.end()
        before = text[start:match.start() + 1]
        after = text[end:end + 1]
        word = re.search(r"([\w.]+)[.]$", before)
        if word and "." in match.group(0)[:1]:
            token = word.group(1).lower()
            if dotted and re.fullmatch(r"\d{1,3}", token) and after and after.isalpha():
                continue  # 3. März, 2. Quartal: an ordinal, not a sentence's end
            if token in abbreviations or re.fullmatch(r"[a-z]", token) or re.fullmatch(r"([a-z]\.)+[a-z]", token):
                continue
        if after and not (after.isupper() or after.isdigit() or after in "\"“‘'([¿¡*-–—"):
            continue
        sentences.append(text[start:end].strip())
        start = end
    if start < len(text):
        sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _split_long(sentence: str, limit: int) -> list[str]:
    """Split a sentence longer than ``limit`` at clause marks, then between words."""
    if len(sentence) <= limit:
        return [sentence]
    pieces: list[str] = []
    current = ""
    for clause in _CLAUSE.split(sentence):
        if not clause:
            continue
        candidate = f"{current} {clause}".strip()
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        if len(clause) <= limit:
            current = clause
        else:
            words = clause.split(" ")
            current = ""
            for word in words:
                candidate = f"{current} {word}".strip()
                if len(candidate) <= limit or not current:
                    current = candidate
                else:
                    pieces.append(current)
                    current = word
    if current:
        pieces.append(current)
    # A single word longer than the limit (a URL, say) is cut so no segment exceeds it.
    out: list[str] = []
    for piece in pieces:
        while len(piece) > limit:
            out.append(piece[:limit])
            piece = piece[limit:]
        if piece:
            out.append(piece)
    return out


def sentence_pieces(paragraph: str, limit: int = MAX_CHARS, language: str | None = None) -> list[str]:
    """A paragraph's sentences, each one piece, except that one longer than ``limit`` is split at clauses."""
    return [piece for sentence in split_sentences(paragraph, language) for piece in _split_long(sentence, limit)]


def group_sentences(paragraph: str, target: int = TARGET_CHARS, limit: int = MAX_CHARS,
                    language: str | None = None) -> list[str]:
    """Whole sentences of one paragraph, grouped into segments of about ``target`` characters."""
    groups: list[str] = []
    current = ""
    for piece in sentence_pieces(paragraph, limit, language):
        if current and len(current) + 1 + len(piece) > target:
            groups.append(current)
            current = piece
        else:
            current = f"{current} {piece}".strip()
    if current:
        groups.append(current)
    return groups
