"""Audio: lay speech and music on a timeline, normalise loudness, encode one MP3."""

from __future__ import annotations

from .encode import encode_mp3
from .loudness import measure_lufs, normalise
from .mix import MixSettings, Music, load_music, mix_episode

__all__ = ["MixSettings", "Music", "encode_mp3", "load_music", "measure_lufs", "mix_episode", "normalise"]
