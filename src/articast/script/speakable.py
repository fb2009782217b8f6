"""Turn written text into what a voice should say; richer rules (numbers, money, dates) build on this."""

from __future__ import annotations

import re
import unicodedata

_REPLACEMENTS = (
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"[“”]"), '"'),
    (re.compile(r"[‘’]"), "'"),
    (re.compile(r"\s+[—–]\s+|—"), ", "),
)


def _is_decoration(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category in ("So", "Sk", "Cs", "Co", "Cn", "Cf") or ch in "\ufe0f\u200d*_#~`|<>^"


def to_spoken(text: str) -> str:
    """The spoken form of one segment: decoration and emoji dropped, symbols said as words."""
    spoken = "".join(" " if _is_decoration(ch) else ch for ch in text)
    for pattern, replacement in _REPLACEMENTS:
        spoken = pattern.sub(replacement, spoken)
    spoken = re.sub(r"\s+", " ", spoken).strip()
    spoken = re.sub(r"\s+([,.;:!?])", r"\1", spoken)
    return spoken
