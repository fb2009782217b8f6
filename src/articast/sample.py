"""A voice sample: two sentences in a voice, encoded as an episode is, to hear a voice before choosing it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .config import Settings
from .errors import InputError, SpeechError
from .fsutil import atomic_path
from .speech import EngineOptions, get_engine
from .speech.quality import check_clip

SAMPLE_TEXT = ("Hello. This is how your articles will sound in this voice. Here is a longer sentence, with a "
               "pause or two, so you can hear its pace and its tone: would it suit your show?")
"""What ``articast voices --sample`` says: two sentences, and a question, as an article has."""


def voice_sample(voice: str, settings: Settings, path: Path) -> Path:
    """Speak SAMPLE_TEXT in ``voice`` into an MP3 at ``path``, at the episode's loudness; the path written."""
    from .audio.encode import encode_mp3
    from .audio.loudness import normalise, target_lufs

    path = Path(path)
    if path.is_dir():
        path = path / f"{Path(voice).stem if voice.endswith('.onnx') else voice}-sample.mp3"
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder")
    engine = get_engine(settings.engine, EngineOptions.chosen(settings, voice))
    clip = engine.synthesize(SAMPLE_TEXT)
    problem = check_clip(clip, SAMPLE_TEXT)
    if problem:
        raise SpeechError(f"the sample in voice {voice!r} {problem}")
    stereo = np.repeat(np.asarray(clip.samples, dtype=np.float32).reshape(-1, 1), 2, axis=1)
    levelled, _ = normalise(stereo, clip.sample_rate_hz, target_lufs(2))
    with atomic_path(path) as tmp:
        encode_mp3(levelled, clip.sample_rate_hz, tmp)
    return path
