"""A third-party speech engine, as a plug-in package would ship one: a hum for each word.

tests/test_engines.py installs it as a distribution of its own, with an entry point in the group
``articast.engines``, and produces an episode with it through the real command.
"""

from __future__ import annotations

import numpy as np

from articast.errors import InputError
from articast.models import Clip
from articast.speech import EngineOptions, VoiceInfo

RATE_HZ = 16000


class HumEngine:
    """One 0.25 s hum a word, at the pitch the user chose."""

    NAME = "hum"
    OFFLINE = True
    PARALLEL = False
    CONCURRENT = False
    OPTIONS = {"pitch": "the hum's pitch in hertz (default 440)"}
    threads = None

    def __init__(self, options: EngineOptions = EngineOptions()) -> None:
        options.check(self.NAME, self.OPTIONS)
        try:
            self.pitch_hz = float(options.get("pitch") or 440)
        except ValueError:
            raise InputError(f"hum: pitch {options.get('pitch')!r} is not a number") from None
        self.seconds_a_word = 0.25 * 160 / options.pace_wpm

    def synthesize(self, text: str) -> Clip:
        words = max(1, len(text.split()))
        t = np.arange(int(words * self.seconds_a_word * RATE_HZ)) / RATE_HZ
        fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)
        return Clip((0.5 * np.sin(2 * np.pi * self.pitch_hz * t) * fade).astype(np.float32), RATE_HZ)

    def cache_key(self) -> dict:
        return {"engine": self.NAME, "pitch": self.pitch_hz, "pace": self.seconds_a_word}

    @classmethod
    def listed_voices(cls, options: EngineOptions) -> list[VoiceInfo]:
        return cls.voices()

    @staticmethod
    def voices() -> list[VoiceInfo]:
        return [VoiceInfo("hum", "a hum for each word", default=True)]

    @classmethod
    def voice_for(cls, language: str, options: EngineOptions) -> str | None:
        return "hum"  # a hum is every language's

    @classmethod
    def voice_language(cls, voice: str | None, options: EngineOptions) -> str | None:
        return None

    @classmethod
    def install_hint(cls, language: str) -> str:
        return "nothing to install"
