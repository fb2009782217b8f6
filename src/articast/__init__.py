"""articast: turn a written article into a podcast episode, offline."""

from __future__ import annotations

from .config import Settings, resolve_settings
from .errors import ArticastError, AudioError, ExitStatus, InputError, SpeechError
from .models import Article, Chapter, ChapterMark, Clip, Cue, Episode, Mix, Script, Section, Segment
from .pipeline import Progress, load_script, produce, slugify

__version__ = "0.1.0"

__all__ = [
    "Article", "ArticastError", "AudioError", "Chapter", "ChapterMark", "Clip", "Cue", "Episode",
    "ExitStatus", "InputError", "Mix", "Progress", "Script", "Section", "Segment", "Settings",
    "SpeechError", "__version__", "load_script", "produce", "resolve_settings", "slugify",
]
