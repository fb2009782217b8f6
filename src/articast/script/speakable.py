"""Turn written text into what a voice should say: the user's lexicon, then English normalisation."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping

from .normalise import normalise_english

_REPLACEMENTS = (
    (re.compile(r"[“”„]"), '"'),
    (re.compile(r"[‘’‚]"), "'"),
    (re.compile(r"\s+[—–]\s+|—|\s--\s"), ", "),
    (re.compile(r"…"), "..."),
)


def _is_decoration(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category in ("So", "Sk", "Cs", "Co", "Cn", "Cf") or ch in "\ufe0f\u200d*_#~`|<>^•·■►▶✓✔"


def is_english(language: str | None) -> bool:
    """True for English or an unknown language (the default voice speaks English)."""
    return language is None or language.lower().replace("_", "-").split("-")[0] in ("en", "")


@functools.lru_cache(maxsize=64)
def _lexicon_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted(keys, key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(k) for k in alternatives) + r")(?![\w])", re.IGNORECASE)


_HOLD_BASE = 0xF0000  # supplementary private use: never in real text, never touched by the rules


def _hold_lexicon(text: str, lexicon: Mapping[str, str]) -> tuple[str, list[str]]:
    """Swap each lexicon word for a placeholder, so later rules cannot respell what the user chose."""
    if not lexicon:
        return text, []
    lookup = {k.lower(): v for k, v in lexicon.items() if k.islower()}
    exact = {k: v for k, v in lexicon.items() if not k.islower()}
    held: list[str] = []

    def hold(m: re.Match[str]) -> str:
        word = m.group(0)
        said = exact.get(word, lookup.get(word.lower()))
        if said is None:
            return word
        held.append(said)
        return chr(_HOLD_BASE + len(held) - 1)

    return _lexicon_pattern(tuple(lexicon)).sub(hold, text), held


def _release(text: str, held: list[str]) -> str:
    for index, said in enumerate(held):
        text = text.replace(chr(_HOLD_BASE + index), said)
    return text


def apply_lexicon(text: str, lexicon: Mapping[str, str]) -> str:
    """Replace each lexicon word with how it should be said; a key in lower case matches any case."""
    held_text, held = _hold_lexicon(text, lexicon)
    return _release(held_text, held)


def to_spoken(text: str, *, language: str | None = None, lexicon: Mapping[str, str] | None = None) -> str:
    """The spoken form of one segment: lexicon applied, numbers and abbreviations said, decoration dropped."""
    spoken, held = _hold_lexicon(text, lexicon or {})
    for pattern, replacement in _REPLACEMENTS:
        spoken = pattern.sub(replacement, spoken)
    if is_english(language):
        spoken = normalise_english(spoken)
    else:
        from .locales import locale_for, normalise_locale

        locale = locale_for(language)
        if locale is not None:
            spoken = normalise_locale(spoken, locale)
    spoken = _release(spoken, held)
    spoken = "".join(" " if _is_decoration(ch) else ch for ch in spoken)
    spoken = re.sub(r"\s+", " ", spoken).strip()
    spoken = re.sub(r"\s+([,.;:!?])", r"\1", spoken)
    spoken = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", spoken)
    return spoken
