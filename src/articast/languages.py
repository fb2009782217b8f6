"""Language tags (BCP 47) and the codes and names other formats want for them: no imports, cheap anywhere."""

from __future__ import annotations

import re

_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|\d{3}))?(?:[-_].*)?$")

_ISO_639_2 = {
    "ar": "ara", "ca": "cat", "cs": "ces", "cy": "cym", "da": "dan", "de": "deu", "el": "ell", "en": "eng",
    "es": "spa", "fa": "fas", "fi": "fin", "fr": "fra", "hi": "hin", "hu": "hun", "id": "ind", "is": "isl",
    "it": "ita", "ka": "kat", "kk": "kaz", "lb": "ltz", "lv": "lav", "ml": "mal", "ne": "nep", "nl": "nld",
    "no": "nor", "nb": "nob", "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus", "sk": "slk", "sl": "slv",
    "sr": "srp", "sv": "swe", "sw": "swa", "te": "tel", "tr": "tur", "uk": "ukr", "vi": "vie", "zh": "zho",
    "ja": "jpn", "ko": "kor", "he": "heb", "bg": "bul", "hr": "hrv", "et": "est", "lt": "lit", "eu": "eus",
    "gl": "glg", "ga": "gle", "mt": "mlt", "sq": "sqi", "mk": "mkd", "bs": "bos", "be": "bel", "th": "tha",
}
"""ISO 639-1 -> ISO 639-2/T, for ID3's three-letter language fields (every language Piper speaks, and more)."""


def normalise_tag(mark: str | None) -> str | None:
    """A language mark as a BCP 47 tag (``de_DE`` -> ``de-DE``, ``EN-us`` -> ``en-US``); None if it is not one."""
    if not mark:
        return None
    found = _TAG.match(mark.strip())
    if not found:
        return None
    language, script, region = found.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


def base_language(tag: str | None) -> str | None:
    """The language of a tag without its region: ``de-AT`` -> ``de``."""
    return tag.split("-")[0].lower() if tag else None


def iso_639_2(tag: str | None) -> str:
    """The three-letter code ID3 wants for a tag (``eng`` when unknown: ID3 has no 'unknown')."""
    return _ISO_639_2.get(base_language(tag) or "en", "und") if tag else "eng"


def from_iso_639_2(code: str | None) -> str | None:
    """The tag for an ID3 three-letter code (``deu`` -> ``de``); None for one not known (or ``und``)."""
    if not code:
        return None
    for short, long in _ISO_639_2.items():
        if long == code.strip().lower():
            return short
    return None


def language_name(tag: str) -> str:
    """The language's English name for messages (``de`` -> ``German``), else the tag itself."""
    return _NAMES.get(base_language(tag) or "", tag)


_NAMES = {
    "ar": "Arabic", "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French", "hi": "Hindi",
    "hu": "Hungarian", "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ka": "Georgian", "kk": "Kazakh",
    "lb": "Luxembourgish", "lv": "Latvian", "ml": "Malayalam", "ne": "Nepali", "nl": "Dutch", "no": "Norwegian",
    "nb": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "te": "Telugu", "tr": "Turkish",
    "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "he": "Hebrew",
}
