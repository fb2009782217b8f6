"""Episode file names: a readable ASCII stem from a title in any script, and a free one for each article.

An episode's files share one stem (``slug``). A stem is never reused for a different article: the
MP3 carries where its article came from (``tags.ARTICLE_SOURCE``), so producing the same article
again replaces its own episode, and a different article whose title gives the same stem gets the
next free one (``title-2``, ``title-3``...).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Container
from pathlib import Path

from .models import Article

MAX_TITLE_CHARS = 255
"""A title is cut to this, on a word: what the feed allows and apps show, and a bounded thing to say
(a 10,000-character title was ten minutes of speech before the article began)."""


def cut_on_word(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut).rstrip() + "\u2026"


MAX_SLUG_CHARS = 60
"""A stem is cut to this, at a word boundary, so names stay readable in a file list and a URL."""

_WIDE = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "YI ", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")
"""Scripts written without spaces between words: each character's transliteration is a word of its own."""


def _transliterate(title: str) -> str:
    """The title in ASCII letters (anyascii: Cyrillic, Greek, Arabic, CJK... as they are romanised)."""
    from anyascii import anyascii

    out = []
    for ch in unicodedata.normalize("NFC", title):
        if ord(ch) < 128:
            out.append(ch)
            continue
        latin = anyascii(ch)
        if unicodedata.name(ch, "").startswith(_WIDE):
            latin = f" {latin} "
        out.append(latin)
    return "".join(out)


def slugify(title: str, max_length: int = MAX_SLUG_CHARS) -> str:
    """An ASCII file stem from a title in any script: lower case, hyphens, cut at a word, no path pieces."""
    slug = re.sub(r"[^a-z0-9]+", "-", _transliterate(title).lower()).strip("-")
    if len(slug) > max_length:
        head = slug[:max_length]
        whole_words = slug[max_length] == "-" or "-" not in head  # one endless word is cut where it must be
        slug = (head if whole_words else head.rsplit("-", 1)[0]).rstrip("-")
    return slug or "episode"


def source_identity(article: Article) -> str:
    """What makes two articles the same one: the page's address, the file's absolute path, or for
    standard input (which has neither) a digest of its words."""
    if article.link:
        return article.link
    source = article.source or ""
    if source and source != "stdin":
        path = Path(source)
        return str(path.resolve()) if path.exists() else source  # (a feed's item: its identity)
    words = "\n".join([article.title, *(p for section in article.sections for p in section.paragraphs)])
    return "stdin:sha256:" + hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]


def free_slug(folder: Path, wanted: str, identity: str, taken: Container[str] = ()) -> str:
    """The stem for the article ``identity`` in ``folder``: ``wanted`` when it is free or already this
    article's episode, else the first of ``wanted-2``, ``wanted-3``... that is. ``taken`` holds stems
    being made by others right now. Call it under the show's lock when the files are moved in."""
    from .tags import read_source

    number = 1
    while True:
        suffix = "" if number == 1 else f"-{number}"
        slug = wanted[:MAX_SLUG_CHARS - len(suffix)].rstrip("-") + suffix
        mp3 = Path(folder) / f"{slug}.mp3"
        if slug not in taken:
            if not mp3.exists() or read_source(mp3) == identity:
                return slug
        number += 1


def move_episode_in(staged: dict[str, Path], folder: Path, named: str | None, wanted: str, identity: str) -> str:
    """Move an episode's staged files (see fsutil.staged_files) into ``folder`` under ``named``, or
    under the free name for the article ``identity``, chosen under the show's lock so that two
    commands at once never take the same one; the name used."""
    from .fsutil import move_into_place, show_lock

    if named:  # a caller that names the files (update, a cluster's node) has made sure it is free
        move_into_place(staged, folder, named)
        return named
    with show_lock(folder):
        slug = free_slug(folder, wanted, identity)
        move_into_place(staged, folder, slug)
    return slug


__all__ = ["MAX_SLUG_CHARS", "free_slug", "move_episode_in", "slugify", "source_identity"]
