"""Audio: lay speech and music on a timeline, set loudness, encode one MP3 as the mix streams."""

from __future__ import annotations

from .encode import Mp3Stream, encode_mp3
from .loudness import measure_lufs, normalise, plan_gain, target_lufs
from .mix import MixSettings, Music, load_music, mix_episode, mix_to_array

__all__ = ["MixSettings", "Mp3Stream", "Music", "encode_mp3", "load_music", "measure_lufs", "mix_episode",
           "mix_to_array", "normalise", "plan_gain", "target_lufs"]
