"""articast: turn a written article into a podcast episode, offline."""

# Nothing is imported here until it is asked for: the command's entry point (articast._entry) runs
# right after this file, and takes Ctrl-C from then on; speech workers import this package without
# the pipeline, which pulls in scipy and the audio stack.

import sys as _sys

if _sys.argv and (_sys.argv[0] == "-m" or _sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] in ("articast",
                                                                                              "articast.exe")):
    # Run as the command (python -m articast, or the articast script): Ctrl-C is the command's from
    # its first line on (see articast._entry), not a traceback from the middle of an import.
    from . import _entry

    _entry.take_ctrl_c()

__version__ = "0.1.0"

__all__ = [
    "Article", "ArticastError", "AudioError", "Chapter", "ChapterMark", "Clip", "Cue", "Episode",
    "ExitStatus", "InputError", "Mix", "Progress", "Script", "Section", "Segment", "Settings",
    "SpeechError", "__version__", "load_script", "produce", "resolve_settings", "slugify",
]

_LAZY = {"Settings": "config", "resolve_settings": "config", "Progress": "models", "load_script": "pipeline",
         "produce": "pipeline", "slugify": "naming"}
_LAZY.update(dict.fromkeys(("ArticastError", "AudioError", "ExitStatus", "InputError", "SpeechError"), "errors"))
_LAZY.update(dict.fromkeys(("Article", "Chapter", "ChapterMark", "Clip", "Cue", "Episode", "Mix", "Script",
                            "Section", "Segment"), "models"))


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'articast' has no attribute {name!r}")
