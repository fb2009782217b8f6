"""Speech: engines that turn spoken text into PCM clips, found by name in one registry.

Built-in engines register exactly as third-party ones do: an entry point in the group
``articast.engines`` naming a class that follows :class:`SpeechEngine`. ``get_engine`` finds the
built-ins without reading the installed packages' entry points (see ``BUILT_IN``).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ..errors import InputError
from ..models import Clip

__all__ = ["DEFAULT_ENGINE", "DEFAULT_PACE_WPM", "ENTRY_POINT_GROUP", "EngineOptions", "SpeechEngine",
           "VoiceInfo", "engine_classes", "engine_names", "get_engine"]

log = logging.getLogger(__name__)

DEFAULT_ENGINE = "piper"
DEFAULT_PACE_WPM = 160.0
"""Default speaking rate in words a minute while the voice talks: a relaxed podcast pace."""

ENTRY_POINT_GROUP = "articast.engines"

BUILT_IN = {"piper": "articast.speech.piper:PiperEngine", "gtts": "articast.speech.gtts:GttsEngine"}
"""The built-in engines' entry points, as pyproject.toml declares them. ``get_engine`` imports
these directly: finding an entry point means importing importlib.metadata (13-20 ms) and reading
every installed package's metadata, in the command before its workers start and in each worker."""


def entry_points(**selection: str) -> Any:
    """The installed entry points (importlib.metadata's), imported only when a lookup needs them."""
    from importlib.metadata import entry_points as installed

    return installed(**selection)


@dataclass(frozen=True)
class EngineOptions:
    """What a user chose for an engine; each engine reads the fields it understands."""

    voice: str | None = None
    """Engine-specific voice: a name from ``articast voices``, or a voice file."""

    speaker: str | None = None
    """Speaker name or number in a multi-speaker voice."""

    pace_wpm: float = DEFAULT_PACE_WPM
    """Speaking rate in words a minute."""

    lang: str | None = None
    """Language code, for engines that speak several (gTTS's ``lang``)."""

    tld: str | None = None
    """Accent, for gTTS: the Google domain it asks (``com``, ``co.uk``, ``com.au``...)."""

    @classmethod
    def chosen(cls, settings: Any, voice: str | None) -> EngineOptions:
        """The options a produce with these settings (config.Settings) speaks ``voice`` with."""
        return cls(voice=voice, speaker=settings.speaker, pace_wpm=settings.pace_wpm, lang=settings.lang,
                   tld=settings.tld)


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine offers, as listed by ``articast voices``."""

    name: str
    """What to pass to ``--voice``."""

    description: str
    """Language and where it comes from."""

    default: bool = False
    """True for the engine's default voice."""


@runtime_checkable
class SpeechEngine(Protocol):
    """Text in, mono PCM out. One instance is loaded once and speaks every segment given to it."""

    NAME: str
    """Registry name, as given to ``--engine``."""

    OFFLINE: bool
    """True when the engine works without a network."""

    def synthesize(self, text: str) -> Clip:
        """Say ``text`` and return the clip, with no leading or trailing silence to speak of."""
        ...

    def cache_key(self) -> dict[str, Any]:
        """Everything about this engine instance that changes the sound (voice, speaker, pace...)."""
        ...


def engine_classes() -> dict[str, Any]:
    """Engines by name, from the ``articast.engines`` entry points (built-ins included)."""
    found: dict[str, Any] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            found[ep.name] = ep.load()
        except Exception as exc:  # a broken plug-in must not break the built-ins
            log.warning("speech engine %r could not be loaded: %s", ep.name, exc)
    if not found:
        # Running from a source tree that was never installed: the built-ins still work.
        found = {name: _built_in(name) for name in BUILT_IN}
    return found


def _built_in(name: str) -> Any:
    """The class of the built-in engine ``name`` (see BUILT_IN)."""
    module, _, attr = BUILT_IN[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def engine_names() -> list[str]:
    """Names of the engines that can be chosen."""
    return sorted(engine_classes())


def get_engine(name: str = DEFAULT_ENGINE, options: EngineOptions | None = None) -> SpeechEngine:
    """Load the engine called ``name``; an unknown name is an error listing the valid ones.

    Only that engine's entry point is loaded, so a Piper worker never imports gTTS's module, which
    brings in the script stage and num2words; and a built-in engine is found without reading the
    entry points at all (see ``BUILT_IN``). Getting the Piper engine in a new process takes
    0.086-0.091 s, against 0.10-0.12 s through its entry point and 0.12-0.15 s loading them all.
    """
    if name in BUILT_IN:
        return _built_in(name)(options or EngineOptions())
    for ep in entry_points(group=ENTRY_POINT_GROUP, name=name):
        try:
            engine_class = ep.load()
        except Exception:  # a broken plug-in: engine_classes() below warns about it
            break
        return engine_class(options or EngineOptions())
    classes = engine_classes()
    if name not in classes:
        raise InputError(f"unknown speech engine {name!r}; choose one of: {', '.join(sorted(classes))}")
    return classes[name](options or EngineOptions())
