"""Which voice reads an article: the one the user chose, the show's voice for its language, or an
installed voice of its language; an article no voice at hand can read is refused before anything is said."""

from __future__ import annotations

import dataclasses
import logging

from ..config import Settings, voice_role, warn_once
from ..errors import InputError
from ..languages import base_language, language_name
from . import EngineOptions, engine_class

log = logging.getLogger(__name__)


def choose_voices(settings: Settings, language: str | None) -> Settings:
    """``settings`` with the voice that reads an article in ``language`` (a BCP 47 tag; None: unknown).

    A voice the user named (``--voice``, ``[produce] voice``, a role's voice) is kept, with a warning
    when it speaks another language; else the show's ``[voices]`` entry for the language; else the
    engine's best installed voice of it. None of them: InputError, naming how to get one.
    """
    if not language:
        return settings
    engine = engine_class(settings.engine)
    options = EngineOptions.chosen(settings, settings.voice)
    chosen = [voice for voice in (settings.voice, *settings.role_voices.values()) if voice]
    for forced in dict.fromkeys(chosen):
        spoken = engine.voice_language(forced, options)
        if spoken and base_language(spoken) != base_language(language):
            warn_once(f"voice {forced!r} speaks {language_name(spoken)} ({spoken}); the article is in "
                      f"{language_name(language)} ({language})")
    if settings.voice:
        return settings
    shown = settings.language_voices
    voice = shown.get(language) or shown.get(base_language(language) or "")
    if voice is None:
        voice = engine.voice_for(language, options)
        if voice is not None and voice in {v.name for v in engine.voices() if v.default}:
            return settings  # the default voice: left unnamed, as the workers started early load it
    if voice is None:
        raise InputError(f"the article is in {language_name(language)} ({language}), and no {settings.engine} "
                         f"voice of that language is installed; {engine.install_hint(language)}")
    return dataclasses.replace(settings, voice=voice)


def voice_for_role(settings: Settings, role: str) -> str:
    """The name of the voice that speaks a segment of this role ('title', 'heading', 'body'...)."""
    voice = settings.role_voices.get(voice_role(role), settings.voice)
    if voice:
        return voice
    default = [v.name for v in engine_class(settings.engine).voices() if v.default]
    return default[0] if default else settings.engine
