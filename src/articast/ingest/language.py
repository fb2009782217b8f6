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
    text = " ".join([article.title, *(p for section in article.sections for p in section.paragraphs)])
    return dataclasses.replace(article, language=detect(text))


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
    """py3langid's identifier, with probabilities (its module's own gives log scores), loaded once."""
    global _IDENTIFIER
    if _IDENTIFIER is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _IDENTIFIER
