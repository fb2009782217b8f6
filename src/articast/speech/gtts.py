"""gTTS: Google Translate's voices, online. Timeouts, bounded retries, and MP3 decoded (never glued)."""

from __future__ import annotations

import io
import logging
import time
from typing import Any

import numpy as np

from ..errors import AudioError, InputError, SpeechError
from ..ffmpeg import decode_bytes
from ..models import Clip
from ..script.segment import group_sentences
from . import DEFAULT_PACE_WPM, EngineOptions, VoiceInfo
from .trim import join_sentences

log = logging.getLogger(__name__)

SAMPLE_RATE_HZ = 24000
"""gTTS answers 24 kHz mono MP3."""

MAX_REQUEST_CHARS = 100
"""The most text gTTS sends in one request; longer text is split here, at clauses, so each request is one call."""

TIMEOUT_S = (5.0, 20.0)
"""Connect and read time-outs for each request (gTTS waits forever by default)."""

RETRY_DELAYS_S = (0.5, 1.0, 2.0)
"""Waits before the retries of a 429, a 5xx or a connection error; then the segment fails."""

RETRY_BUDGET_S = 12.0
"""No retry starts after this long on one request, whatever is left of RETRY_DELAYS_S."""

NATIVE_WPM = 160.0
"""gTTS's own English rate as commonly measured; not re-measured here (no network). --pace stretches from it."""

ACCENTS = {
    "en": ["com", "co.uk", "com.au", "ca", "co.in", "ie", "co.za", "com.ng"],
    "fr": ["fr", "ca"],
    "pt": ["com.br", "pt"],
    "es": ["com.mx", "es", "us"],
    "zh-CN": ["com"],
}
"""Google domains that give a language a regional accent (gTTS's documented 'localized accents')."""

_sleep = time.sleep  # tests replace it to keep retries instant


def _parse_voice(options: EngineOptions) -> tuple[str, str]:
    lang, tld = options.get("lang") or "en", options.get("tld") or "com"
    if options.voice:
        head, _, tail = options.voice.partition(":")
        lang = head or lang
        tld = tail or tld
    return lang, tld


class GttsEngine:
    """Google Translate text-to-speech through gTTS; needs the network."""

    NAME = "gtts"
    OFFLINE = False
    PARALLEL = False
    """Speaking waits on Google's servers, not on this machine's cores."""
    CONCURRENT = False
    """One request at a time: Google Translate rate-limits several."""
    OPTIONS = {"lang": "the language, for example en, fr, de (also --lang; default en)",
               "tld": "the accent, by Google domain: com, co.uk, com.au, ca, co.in, ie ... (also --tld; default com)"}
    threads: int | None = None

    def __init__(self, options: EngineOptions = EngineOptions()) -> None:
        options.check(self.NAME, self.OPTIONS)
        from gtts.lang import tts_langs

        self.lang, self.tld = _parse_voice(options)
        languages = tts_langs()
        if self.lang not in languages:
            raise InputError(f"gtts has no language {self.lang!r}; choose one of: {', '.join(sorted(languages))}")
        if not 80 <= options.pace_wpm <= 300:
            raise InputError(f"pace {options.pace_wpm:g} is outside 80-300 words a minute")
        self.tempo = round(options.pace_wpm / NATIVE_WPM, 3) if options.pace_wpm != DEFAULT_PACE_WPM else 1.0

    def cache_key(self) -> dict[str, Any]:
        """Language, accent and tempo: what changes gTTS's sound."""
        return {"engine": self.NAME, "lang": self.lang, "tld": self.tld, "tempo": self.tempo}

    def _fetch(self, text: str) -> bytes:
        """One request's MP3 bytes, retried on 429, 5xx and connection errors with bounded backoff."""
        from gtts import gTTS, gTTSError

        started = time.monotonic()
        for attempt in range(len(RETRY_DELAYS_S) + 1):
            buffer = io.BytesIO()
            try:
                gTTS(text, lang=self.lang, tld=self.tld, timeout=TIMEOUT_S).write_to_fp(buffer)
                return buffer.getvalue()
            except gTTSError as exc:
                status = exc.rsp.status_code if exc.rsp is not None else None
                retryable = status is None or status == 429 or status >= 500
                what = ("no connection to Google Translate" if status is None
                        else f"Google Translate answered HTTP {status}")
                out_of_time = time.monotonic() - started > RETRY_BUDGET_S
                if not retryable or attempt == len(RETRY_DELAYS_S) or out_of_time:
                    tries = f" after {attempt + 1} tries" if attempt else ""
                    hint = " (gtts needs the network; use --engine piper offline)" if status is None else ""
                    raise SpeechError(f"gtts: {what}{tries}{hint}") from None
                delay = RETRY_DELAYS_S[attempt]
                if exc.rsp is not None and str(exc.rsp.headers.get("Retry-After", "")).isdigit():
                    delay = min(float(exc.rsp.headers["Retry-After"]), 5.0)
                log.info("gtts: %s; retrying in %.1f s", what, delay)
                _sleep(delay)
            except ValueError as exc:
                raise InputError(f"gtts: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def synthesize(self, text: str) -> Clip:
        """Speak ``text`` in requests of at most 100 characters; each MP3 is decoded, then joined as PCM."""
        tempo = f"atempo={self.tempo}" if self.tempo != 1.0 else None
        pieces: list[np.ndarray] = []
        for part in group_sentences(text, target=MAX_REQUEST_CHARS, limit=MAX_REQUEST_CHARS, language=self.lang):
            mp3 = self._fetch(part)
            try:
                pieces.append(decode_bytes(mp3, SAMPLE_RATE_HZ, 1, tempo)[:, 0])
            except AudioError as exc:
                raise SpeechError(f"gtts returned audio that cannot be decoded: {exc}") from None
        return Clip(samples=join_sentences(pieces, SAMPLE_RATE_HZ, pause_ms=120), sample_rate_hz=SAMPLE_RATE_HZ)

    @classmethod
    def voice_language(cls, voice: str | None, options: EngineOptions) -> str | None:
        """The language the voice (``lang[:tld]``) or the ``lang`` option names; English by default."""
        from ..languages import normalise_tag

        lang, _ = _parse_voice(EngineOptions(voice=voice, options=options.options))
        return normalise_tag(lang)

    @classmethod
    def voice_for(cls, language: str, options: EngineOptions) -> str | None:
        """The ``lang`` option when given (the user chose it), else gTTS's code for ``language``."""
        from gtts.lang import tts_langs

        if options.get("lang"):
            return str(options.get("lang"))
        known = tts_langs()
        for code in (language, language.split("-")[0]):
            if code in known:
                return code
        return None

    @classmethod
    def install_hint(cls, language: str) -> str:
        """gTTS speaks what Google Translate does; nothing to install."""
        return "gtts does not speak it (see: articast voices --engine gtts)"

    @classmethod
    def listed_voices(cls, options: EngineOptions) -> list[VoiceInfo]:
        """What ``articast voices`` lists: the voices above."""
        return cls.voices()

    @staticmethod
    def voices() -> list[VoiceInfo]:
        """Languages gTTS knows, with the accents Google's regional domains give some of them."""
        from gtts.lang import tts_langs

        out = []
        for code, name in sorted(tts_langs().items()):
            for tld in ACCENTS.get(code, ["com"]):
                label = f"{name}" + (f" (accent of google.{tld})" if tld != "com" else "")
                out.append(VoiceInfo(f"{code}:{tld}" if tld != "com" else code, label,
                                     default=code == "en" and tld == "com"))
        return out
