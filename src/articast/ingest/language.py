"""The article's language: its BCP 47 tag from the source's own mark, else found from its text.

The text is identified offline by py3langid (BSD-3-Clause; the model ships inside the package, 97
languages, 0.1 s to load). It is asked only when the source says nothing, and its answer is kept
only when it is sure and the text is long enough to tell: a wrong language would put the article
in the wrong voice's mouth, a missing one falls back to the show's language.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..languages import normalise_tag

if TYPE_CHECKING:
    from ..models import Article

log = logging.getLogger(__name__)

MIN_DETECT_WORDS = 12
"""Fewer words than this are not enough to tell a language by (a title, a caption)."""

MIN_PROBABILITY = 0.9
"""The identifier's probability under which its answer is not taken."""

DETECT_CHARS = 4000
"""The text the identifier reads: the article's start, enough for any language it knows."""


def with_language(article: Article, *marks: str | None) -> Article:
    """The article with its language: its own mark, else the first of ``marks`` (the server's
    Content-Language, the feed's language), else told from its text; None when none of them can tell."""
    import dataclasses

    for mark in (article.language, *marks):
        tag = normalise_tag(mark)
        if tag:
            return dataclasses.replace(article, language=tag)
    parts, size = [article.title], len(article.title)
    for paragraph in (p for section in article.sections for p in section.paragraphs):
        if size >= DETECT_CHARS:  # (the identifier reads no more: a book's text is not joined for it)
            break
        parts.append(paragraph)
        size += len(paragraph) + 1
    return dataclasses.replace(article, language=detect(" ".join(parts)))


def detect(text: str) -> str | None:
    """The language of ``text`` as a tag (``de``), or None when the text is too short or the identifier unsure."""
    sample = text[:DETECT_CHARS]
    if len(sample.split()) < MIN_DETECT_WORDS:
        return None
    identifier = _identifier()
    language, probability = identifier.classify(sample)
    if probability < MIN_PROBABILITY:
        log.info("language not told from the text (%s at %.2f)", language, probability)
        return None
    log.info("language %s told from the text (%.2f)", language, probability)
    return normalise_tag(str(language))


_IDENTIFIER = None


def _identifier():
    """py3langid's identifier with probabilities (its module's own gives log scores), loaded once.

    Its model ships LZMA-compressed, and unpacking it takes 0.5-0.8 s and 68 MB: the unpacked model
    is kept in the cache's models folder, and its two large tables are mapped from there, so a
    produce reads (and holds in memory) only the parts of them its article's text visits.
    """
    global _IDENTIFIER
    if _IDENTIFIER is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        try:
            arguments, row = _unpacked_model()
            _IDENTIFIER = LanguageIdentifier(*arguments, norm_probs=True, tk_row=row)
        except Exception as exc:  # a model laid out otherwise (another py3langid): as the package loads it
            log.debug("py3langid's model is unpacked each time (%s)", exc)
            _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _IDENTIFIER


def _unpacked_model() -> tuple[tuple, object]:
    """The identifier's arguments from the unpacked model, unpacking it first if it is not kept yet."""
    import lzma
    import shutil
    import tempfile
    from importlib.metadata import version

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import _to_array

    from ..config import default_cache_dir
    from ..fsutil import atomic_path

    kept = default_cache_dir() / "models" / f"py3langid-{version('py3langid')}"
    large, small = ("ptc", "nextmove"), ("pc", "classes", "nextmove_row", "out_feat")
    if not all((kept / f"{name}.npy").is_file() for name in (*large, *small)):
        # Unpacked through a temporary file, one table at a time: never the whole model in memory.
        with tempfile.TemporaryFile(suffix=".npz") as unpacked:
            with lzma.open(MODEL_DIR / MODEL_FILE) as packed:
                shutil.copyfileobj(packed, unpacked, length=1 << 20)
            unpacked.seek(0)
            with np.load(unpacked, allow_pickle=False) as data:
                for name in (*large, *small):
                    with atomic_path(kept / f"{name}.npy") as tmp, open(tmp, "wb") as out:
                        np.save(out, data[name], allow_pickle=False)
    ptc, nextmove = (np.load(kept / f"{name}.npy", mmap_mode="r") for name in large)
    pc, classes, row, output = (np.load(kept / f"{name}.npy") for name in small)
    return (ptc, pc, classes.tolist(), nextmove, output.tolist()), _to_array(row)
