"""The voices installed by ``articast voices --download``: found in the voices folder, with no network.

The engine asks this module, in the command and in every worker, whether a voice name is installed;
the catalogue (speech/catalogue.py) and its network modules are imported only to list or download.
"""

from __future__ import annotations

from pathlib import Path

from ..config import voices_dir


def voice_name_pattern():
    """Piper's pattern of a voice name: language_REGION-name-quality (``en_US-lessac-high``)."""
    from piper.download_voices import VOICE_PATTERN

    return VOICE_PATTERN


def installed_voices() -> dict[str, Path]:
    """Downloaded voices by name: each ``NAME.onnx`` in the voices folder that has its ``.onnx.json``."""
    folder = voices_dir()
    if not folder.is_dir():
        return {}
    return {p.name[:-len(".onnx")]: p for p in sorted(folder.glob("*.onnx"))
            if Path(f"{p}.json").is_file() and not p.name.startswith(".")}


def installed_voice(name: str) -> Path | None:
    """The model file of the downloaded voice ``name``, or None."""
    model = voices_dir() / f"{name}.onnx"
    return model if model.is_file() and Path(f"{model}.json").is_file() else None


def not_installed_message(name: str) -> str:
    """The one line for a voice that is named but not here: what it is and how to install it."""
    return f"voice {name!r} is not installed; install it with: articast voices --download {name}"


def looks_like_catalogue_name(name: str) -> bool:
    return bool(voice_name_pattern().match(name))
