"""Speech: engines that turn spoken text into PCM clips, chosen by name."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..errors import InputError
from ..models import Clip

__all__ = ["SpeechEngine", "get_engine", "engine_names", "DEFAULT_ENGINE", "DEFAULT_PACE_WPM"]

DEFAULT_ENGINE = "piper"
DEFAULT_PACE_WPM = 165.0
"""Default speaking rate in words a minute while the voice talks: a relaxed podcast pace."""


@runtime_checkable
class SpeechEngine(Protocol):
    """Text in, mono PCM out. One instance is loaded once and speaks every segment."""

    NAME: str
    """Registry name, as given to ``--engine``."""

    def synthesize(self, text: str) -> Clip:
        """Say ``text`` and return the clip, with no leading or trailing silence to speak of."""
        ...


def engine_names() -> list[str]:
    """Names of the engines that can be chosen."""
    return sorted(_factories())


def _factories() -> dict[str, object]:
    from .piper import PiperEngine

    return {PiperEngine.NAME: PiperEngine}


def get_engine(name: str = DEFAULT_ENGINE, *, pace_wpm: float = DEFAULT_PACE_WPM) -> SpeechEngine:
    """Load the engine called ``name``; an unknown name is an error listing the valid ones."""
    factories = _factories()
    if name not in factories:
        raise InputError(f"unknown speech engine {name!r}; choose one of: {', '.join(sorted(factories))}")
    return factories[name](pace_wpm=pace_wpm)  # type: ignore[operator]
