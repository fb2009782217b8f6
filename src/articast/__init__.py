"""articast: turn a written article into a podcast episode, offline."""

from __future__ import annotations

from typing import Any

from .errors import ArticastError, AudioError, ExitStatus, InputError, SpeechError
from .models import Article, Chapter, ChapterMark, Clip, Cue, Episode, Mix, Script, Section, Segment

__version__ = "0.1.0"

__all__ = [
    "Article", "ArticastError", "AudioError", "Chapter", "ChapterMark", "Clip", "Cue", "Episode",
    "ExitStatus", "InputError", "Mix", "Progress", "Script", "Section", "Segment", "Settings",
    "SpeechError", "__version__", "load_script", "produce", "resolve_settings", "slugify",
]

_LAZY = {"Settings": "config", "resolve_settings": "config", "Progress": "pipeline", "load_script": "pipeline",
         "produce": "pipeline", "slugify": "pipeline"}


def __getattr__(name: str) -> Any:
    # The pipeline pulls in scipy and the audio stack; speech workers import this package without them.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'articast' has no attribute {name!r}")
