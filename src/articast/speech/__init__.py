"""Speech: engines that turn spoken text into PCM clips, found by name in one registry.

Built-in engines register exactly as third-party ones do: an entry point in the group
``articast.engines`` naming a class that follows :class:`SpeechEngine`. ``get_engine`` finds the
built-ins without reading the installed packages' entry points (see ``BUILT_IN``).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ..errors import InputError
from ..models import Clip

__all__ = ["BUILT_IN", "DEFAULT_ENGINE", "DEFAULT_PACE_WPM", "ENTRY_POINT_GROUP", "BuiltIn", "EngineOptions",
           "SpeechEngine", "VoiceInfo", "engine_classes", "engine_names", "get_engine"]

log = logging.getLogger(__name__)

DEFAULT_ENGINE = "piper"
DEFAULT_PACE_WPM = 160.0
"""Default speaking rate in words a minute while the voice talks: a relaxed podcast pace."""

ENTRY_POINT_GROUP = "articast.engines"


@dataclass(frozen=True)
class BuiltIn:
    """What must be known about a built-in engine without importing its module."""

    entry_point: str
    """``module:Class``, as pyproject.toml declares it."""

    parallel: bool
    """Its PARALLEL: worth starting speech workers for before the article is read (speech.early)."""

    concurrent: bool = False
    """Its CONCURRENT: --jobs are requests to a server, not bounded by this machine's cores."""

    more_voices: str = ""
    """Where ``articast voices`` sends a user for more of its voices."""


BUILT_IN = {
    "piper": BuiltIn("articast.speech.piper:PiperEngine", parallel=True, more_voices="articast voices available"),
    "gtts": BuiltIn("articast.speech.gtts:GttsEngine", parallel=False),
    "openai": BuiltIn("articast.speech.openai_api:OpenAIEngine", parallel=False, concurrent=True,
                      more_voices="a server's own: articast voices --engine openai --endpoint URL"),
}
"""The built-in engines. ``get_engine`` imports these directly: finding an entry point means
importing importlib.metadata (13-20 ms) and reading every installed package's metadata, in the
command before its workers start and in each worker."""


def entry_points(**selection: str) -> Any:
    """The installed entry points (importlib.metadata's), imported only when a lookup needs them."""
    from importlib.metadata import entry_points as installed

    return installed(**selection)


@dataclass(frozen=True)
class EngineOptions:
    """What a user chose for an engine: a voice, a pace, and the engine's own options by name."""

    voice: str | None = None
    """Engine-specific voice: a name from ``articast voices``, or a voice file."""

    pace_wpm: float = DEFAULT_PACE_WPM
    """Speaking rate in words a minute."""

    options: tuple[tuple[str, str], ...] = ()
    """The engine's own options (``--engine-option KEY=VALUE``), sorted by key; hashable, so a
    worker keeps one loaded engine per set of options."""

    @classmethod
    def of(cls, voice: str | None = None, pace_wpm: float = DEFAULT_PACE_WPM, **options: str) -> EngineOptions:
        """Options from keywords: ``EngineOptions.of(voice="joe", speaker="2")``."""
        return cls(voice=voice, pace_wpm=pace_wpm, options=tuple(sorted(options.items())))

    @classmethod
    def chosen(cls, settings: Any, voice: str | None) -> EngineOptions:
        """The options a produce with these settings (config.Settings) speaks ``voice`` with."""
        return cls.of(voice, settings.pace_wpm, **settings.engine_options)

    def get(self, key: str, default: str | None = None) -> str | None:
        """The value of the engine option ``key``, else ``default``."""
        return dict(self.options).get(key, default)

    def check(self, engine: str, known: Mapping[str, str]) -> None:
        """Refuse an option ``engine`` does not take (the ones with settings of their own excepted:
        they are meant for some engines, and others leave them, as they always did)."""
        from ..config import ENGINE_OPTION_KEYS

        unknown = [key for key, _ in self.options if key not in known and key not in ENGINE_OPTION_KEYS]
        if unknown:
            takes = f"it takes: {', '.join(sorted(known))}" if known else "it takes none"
            raise InputError(f"--engine-option: {engine} has no option {unknown[0]!r}; {takes}")


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine offers, as listed by ``articast voices``."""

    name: str
    """What to pass to ``--voice``."""

    description: str
    """Language and where it comes from."""

    default: bool = False
    """True for the engine's default voice."""


@runtime_checkable
class SpeechEngine(Protocol):
    """Text in, mono PCM out. One instance is loaded once and speaks every segment given to it.

    An engine is a class registered under the entry point group ``articast.engines``; it is made
    with ``Engine(options: EngineOptions)`` and raises InputError for options it cannot use.
    docs/engines.md shows one written from scratch.
    """

    NAME: str
    """Registry name, as given to ``--engine``."""

    OFFLINE: bool
    """True when the engine works without a network."""

    PARALLEL: bool
    """True when speaking is CPU-bound here and worth running in several worker processes, or side
    by side from threads in one (then ``threads`` is set to 1 before the first segment)."""

    CONCURRENT: bool
    """True when several segments may be spoken at once from threads of this process, ``--jobs`` at a
    time: an engine that waits on a server which takes several requests."""

    OPTIONS: Mapping[str, str]
    """The engine's own options (``--engine-option KEY=VALUE``): each name and what it does."""

    threads: int | None
    """Threads the engine may use for one segment; None lets it choose. Read before the first
    segment is spoken; an engine that is not PARALLEL may ignore it."""

    def synthesize(self, text: str) -> Clip:
        """Say ``text`` and return the clip, with no leading or trailing silence to speak of."""
        ...

    def cache_key(self) -> dict[str, Any]:
        """Everything about this engine instance that changes the sound (voice, speaker, pace...)."""
        ...

    @staticmethod
    def voices() -> list[VoiceInfo]:
        """The voices it offers (for ``articast voices``), the default one marked."""
        ...

    @classmethod
    def listed_voices(cls, options: EngineOptions) -> list[VoiceInfo]:
        """What ``articast voices`` lists for these options: ``voices()``, or, for an engine that speaks
        through a server, the voices that server offers. Raises ArticastError when it cannot tell."""
        ...

    @classmethod
    def voice_for(cls, language: str, options: EngineOptions) -> str | None:
        """The voice (as ``--voice`` takes it) that reads ``language`` (a BCP 47 tag) best among those
        at hand with these options; None when it has none."""
        ...

    @classmethod
    def voice_language(cls, voice: str | None, options: EngineOptions) -> str | None:
        """The language ``voice`` speaks (a BCP 47 tag), None when it cannot tell."""
        ...

    @classmethod
    def install_hint(cls, language: str) -> str:
        """How to get a voice for ``language``: what the refusal says after naming the language."""
        ...


def engine_class(name: str) -> Any:
    """The class of the engine called ``name``, without making one; an unknown name is an error
    listing the valid ones.

    Only that engine's entry point is loaded, so a Piper worker never imports gTTS's module, which
    brings in the script stage and num2words; and a built-in engine is found without reading the
    entry points at all (see ``BUILT_IN``). Getting the Piper engine in a new process takes
    0.086-0.091 s, against 0.10-0.12 s through its entry point and 0.12-0.15 s loading them all.
    """
    if name in BUILT_IN:
        return _built_in(name)
    for ep in entry_points(group=ENTRY_POINT_GROUP, name=name):
        try:
            return ep.load()
        except Exception:  # a broken plug-in: engine_classes() below warns about it
            break
    classes = engine_classes()
    if name not in classes:
        raise InputError(f"unknown speech engine {name!r}; choose one of: {', '.join(sorted(classes))}")
    return classes[name]


def engine_classes() -> dict[str, Any]:
    """Engines by name, from the ``articast.engines`` entry points (built-ins included)."""
    found: dict[str, Any] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            found[ep.name] = ep.load()
        except Exception as exc:  # a broken plug-in must not break the built-ins
            log.warning("speech engine %r could not be loaded: %s", ep.name, exc)
    if not found:
        # Running from a source tree that was never installed: the built-ins still work.
        found = {name: _built_in(name) for name in BUILT_IN}
    return found


def _built_in(name: str) -> Any:
    """The class of the built-in engine ``name`` (see BUILT_IN)."""
    module, _, attr = BUILT_IN[name].entry_point.partition(":")
    return getattr(importlib.import_module(module), attr)


def engine_names() -> list[str]:
    """Names of the engines that can be chosen."""
    return sorted(engine_classes())


def get_engine(name: str = DEFAULT_ENGINE, options: EngineOptions | None = None) -> SpeechEngine:
    """Load the engine called ``name`` with these options (see :func:`engine_class`)."""
    engine: SpeechEngine = engine_class(name)(options or EngineOptions())
    return engine
