"""The OpenAI speech API (``POST /v1/audio/speech``): OpenAI itself, and the servers that copy it
(Kokoro-FastAPI, Speaches, LocalAI, openedai-speech, local Piper studios).

Audio is asked for as WAV (or raw PCM), never as a compressed format, and read here; the mix
resamples it like any other clip. A segment longer than the server takes is sent in pieces cut at
its sentences. Requests are retried on 429 and 5xx, waiting as ``Retry-After`` says, within a
deadline; every failure is one line in the user's words. The API key is sent to the endpoint only,
and never printed, logged, cached or put in a file name.
"""

from __future__ import annotations

import json
import logging
import os
import re
import struct
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from ..errors import InputError, SpeechError
from ..models import Clip
from . import DEFAULT_PACE_WPM, EngineOptions, VoiceInfo
from .trim import join_sentences

log = logging.getLogger(__name__)

OPENAI_ENDPOINT = "https://api.openai.com/v1"
"""The default endpoint: OpenAI's own. Requests go to ENDPOINT/audio/speech."""

OPENAI_HOST = "api.openai.com"
"""OPENAI_API_KEY is sent to this host only; ARTICAST_API_KEY to whatever endpoint is chosen."""

OPENAI_MODEL = "gpt-4o-mini-tts"
"""The model at OpenAI's own endpoint when none is chosen: it takes --instructions."""

COMPATIBLE_MODEL = "tts-1"
"""The model elsewhere when none is chosen: the name every compatible server accepts."""

OPENAI_VOICES = {
    "alloy": "", "ash": "", "ballad": "gpt-4o-mini-tts only", "coral": "", "echo": "", "fable": "",
    "nova": "", "onyx": "", "sage": "", "shimmer": "", "verse": "gpt-4o-mini-tts only",
    "marin": "gpt-4o-mini-tts only", "cedar": "gpt-4o-mini-tts only",
}
"""OpenAI's documented voices (each speaks whatever language its text is in)."""

DEFAULT_VOICE = "alloy"

MAX_CHARS = 4096
"""The most text OpenAI takes in one request; ``max_chars`` lowers it for a server that takes less."""

NATIVE_WPM = 160.0
"""The pace a speed of 1.0 is taken to be; --pace asks the server for pace / NATIVE_WPM."""

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 120.0
"""A long segment on a slow local server takes a while; the deadline bounds the whole."""

DEADLINE_S = 300.0
"""No segment takes longer than this in all, retries and waits included (``deadline`` changes it)."""

RETRY_DELAYS_S = (1.0, 2.0, 4.0, 8.0, 16.0)
"""Waits before the retries of a 429 (rate limit), a 5xx or a dropped connection, unless the server
says how long in Retry-After."""

MAX_REPLY_BYTES = 256 * 2**20
"""A reply larger than this is not the audio of one request (4,096 characters are about 5 minutes:
14 MB of 16-bit PCM at 24 kHz, 56 MB as 32-bit floats at 48 kHz)."""

MAX_RATE_HZ = 192000

REFUSED_RETRIES = 2
"""A server that refuses connections (not running) or a host that does not exist is asked this many
times more, not the full count: it is seldom back within seconds."""

_sleep = time.sleep  # tests replace it to keep retries instant
_local = threading.local()


def _endpoint(options: EngineOptions) -> str:
    raw = (options.get("endpoint") or OPENAI_ENDPOINT).strip()
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(f"--endpoint: {raw!r} is not an http:// or https:// address "
                         "(for example http://localhost:8880/v1)")
    if parts.username or parts.password:
        raise InputError("--endpoint: put the API key in ARTICAST_API_KEY, not in the address")
    if parts.query or parts.fragment:
        raise InputError(f"--endpoint: {raw!r} has a query or a fragment; give the address up to /v1")
    base = raw.rstrip("/")
    if base.endswith("/audio/speech"):  # the user gave the whole request address
        base = base[:-len("/audio/speech")]
    return base


def _is_local(host: str) -> bool:
    """A loopback or private address, or a name only this network knows."""
    import ipaddress

    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host == "localhost" or host.endswith((".local", ".lan", ".internal", ".localhost")) or "." not in host
    return address.is_loopback or address.is_private or address.is_link_local


def _is_openai(endpoint: str) -> bool:
    return (urlsplit(endpoint).hostname or "").lower() == OPENAI_HOST


def api_key(endpoint: str) -> str | None:
    """The key for ``endpoint``: ARTICAST_API_KEY, else OPENAI_API_KEY if the endpoint is OpenAI's own
    (a key for OpenAI is not handed to another server a show's settings name)."""
    key, name = os.environ.get("ARTICAST_API_KEY", "").strip(), "ARTICAST_API_KEY"
    if not key and _is_openai(endpoint):
        key, name = os.environ.get("OPENAI_API_KEY", "").strip(), "OPENAI_API_KEY"
    if key and not all(33 <= ord(ch) < 127 for ch in key):
        raise InputError(f"{name} holds a space or a character no API key has; set it to the key alone")
    return key or None


def _positive(name: str, value: str | None, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number > 0:
        raise InputError(f"--engine-option: openai's {name} must be a positive number, not {value!r}")
    return number


class OpenAIEngine:
    """Speech from a server that speaks OpenAI's ``/v1/audio/speech``; needs that server."""

    NAME = "openai"
    OFFLINE = False
    PARALLEL = False
    """Speaking waits on the server, not on this machine's cores."""
    CONCURRENT = True
    """Several segments are asked for at once (--jobs), from threads of this process."""
    OPTIONS = {
        "endpoint": f"the server's address, up to /v1 (also --endpoint, ARTICAST_ENDPOINT; default {OPENAI_ENDPOINT})",
        "model": f"the model (also --model; default {OPENAI_MODEL} at OpenAI, {COMPATIBLE_MODEL} elsewhere)",
        "instructions": "how to speak, for models that take it, e.g. 'Calm, warm, unhurried' (also --instructions)",
        "format": "wav (default) or pcm: what the server is asked to answer",
        "sample_rate": "with format=pcm: the rate the server answers at (default 24000, OpenAI's)",
        "max_chars": f"the most characters a request carries (default {MAX_CHARS}); longer segments are "
                     "sent in pieces cut at sentences",
        "deadline": f"seconds a segment may take in all, retries included (default {DEADLINE_S:g})",
    }
    threads: int | None = None

    def __init__(self, options: EngineOptions = EngineOptions()) -> None:
        options.check(self.NAME, self.OPTIONS)
        self.endpoint = _endpoint(options)
        self.model = (options.get("model") or "").strip() or (
            OPENAI_MODEL if _is_openai(self.endpoint) else COMPATIBLE_MODEL)
        self.voice = (options.voice or "").strip() or DEFAULT_VOICE
        self.instructions = (options.get("instructions") or "").strip() or None
        self.format = (options.get("format") or "wav").strip().lower()
        if self.format not in ("wav", "pcm"):
            raise InputError(f"--engine-option: openai's format is wav or pcm, not {self.format!r} "
                             "(compressed audio is not asked for)")
        self.pcm_rate = int(_positive("sample_rate", options.get("sample_rate"), 24000))
        self.max_chars = int(_positive("max_chars", options.get("max_chars"), MAX_CHARS))
        self.deadline_s = _positive("deadline", options.get("deadline"), DEADLINE_S)
        if not 80 <= options.pace_wpm <= 300:
            raise InputError(f"pace {options.pace_wpm:g} is outside 80-300 words a minute")
        speed = options.pace_wpm / NATIVE_WPM
        self.speed = round(speed, 3) if options.pace_wpm != DEFAULT_PACE_WPM else None
        self._key = api_key(self.endpoint)
        parts = urlsplit(self.endpoint)
        if self._key and parts.scheme == "http" and not _is_local(parts.hostname or ""):
            from ..config import warn_once

            warn_once(f"the API key goes to {parts.hostname} over plain http, which anyone on the way can read; "
                      "use https:// if the server offers it")

    @property
    def url(self) -> str:
        """Where speech is asked for."""
        return f"{self.endpoint}/audio/speech"

    def cache_key(self) -> dict[str, Any]:
        """Endpoint, model, voice, instructions and speed: what changes the sound (never the key)."""
        return {"engine": self.NAME, "endpoint": self.endpoint, "model": self.model, "voice": self.voice,
                "instructions": self.instructions, "speed": self.speed}

    # -- requests --------------------------------------------------------------------------------

    def _session(self) -> Any:
        """One HTTP session per thread (a requests.Session is not to be shared between threads)."""
        import requests

        session = getattr(_local, "session", None)
        if session is None:
            session = _local.session = requests.Session()  # (the user's proxy and CA settings apply)
            session.headers["User-Agent"] = "articast"
        return session

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "audio/wav, audio/pcm, audio/*;q=0.9, application/json;q=0.5"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        return headers

    def _say(self, message: str) -> str:
        """The server's words with the key taken out (some servers echo part of a refused key)."""
        if self._key:
            message = message.replace(self._key, "***")
            for part in (self._key[:8], self._key[-6:]):
                if len(part) >= 6:
                    message = message.replace(part, "***")
        message = re.sub(r"\b(sk|key|api)[-_][A-Za-z0-9_*\-.]{6,}", "***", message)
        message = " ".join(message.split())
        return message if len(message) <= 300 else message[:297] + "..."

    def _request(self, text: str) -> tuple[bytes, str, dict[str, str]]:
        """One piece's reply (body, content type, headers), retried on 429, 5xx and a dropped connection."""
        import requests

        body: dict[str, Any] = {"model": self.model, "voice": self.voice, "input": text,
                                "response_format": self.format}
        if self.instructions:
            body["instructions"] = self.instructions
        if self.speed is not None:
            body["speed"] = self.speed
        started = time.monotonic()
        for attempt in range(len(RETRY_DELAYS_S) + 1):
            left = self.deadline_s - (time.monotonic() - started)
            try:
                reply = self._session().post(self.url, json=body, headers=self._headers(), allow_redirects=False,
                                             timeout=(CONNECT_TIMEOUT_S, max(1.0, min(READ_TIMEOUT_S, left))),
                                             stream=True)
                data = self._body(reply, started)
            except _TooSlow:
                problem = f"{self.endpoint} did not finish its reply within the {self.deadline_s:g} s deadline"
                raise SpeechError(f"openai: {problem}") from None
            except requests.ConnectionError as exc:
                reason = _reason(exc)
                problem = f"cannot reach {self.endpoint} ({reason}); is the server running?"
                wait, last = None, attempt >= REFUSED_RETRIES and reason in ("connection refused", "no such host")
            except requests.Timeout:
                problem = f"{self.endpoint} did not answer in time"
                wait, last = None, False
            except requests.RequestException as exc:
                raise SpeechError(f"openai: {self.endpoint}: {_reason(exc)}") from None
            else:
                status, last = reply.status_code, False
                if status == 200:
                    return data, reply.headers.get("Content-Type", ""), dict(reply.headers)
                problem, retryable = self._refusal(reply, data)
                if not retryable:
                    raise SpeechError(f"openai: {problem}")
                wait = _retry_after(reply.headers.get("Retry-After"))
            delay = wait if wait is not None else RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S) - 1)]
            left = self.deadline_s - (time.monotonic() - started)
            if last or attempt == len(RETRY_DELAYS_S) or delay >= left:
                tries = f" ({attempt + 1} tries in {time.monotonic() - started:.0f} s)" if attempt else ""
                if wait is not None and wait >= left:
                    tries = f" (it asked to wait {wait:g} s, past the {self.deadline_s:g} s deadline)"
                raise SpeechError(f"openai: {problem}{tries}")
            log.info("openai: %s; retrying in %.1f s", problem, delay)
            _sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _body(self, reply: Any, started: float) -> bytes:
        """The reply's body, read within the deadline (a server that drips its bytes is given up on)
        and no larger than MAX_REPLY_BYTES."""
        chunks: list[bytes] = []
        size = 0
        raw = reply.raw
        # read1 returns what has arrived (urllib3 2), so the deadline is looked at as bytes trickle in;
        # each wait for more is bounded by the read timeout, itself at most what was left of the deadline.
        read = raw.read1 if hasattr(raw, "read1") else raw.read
        with reply:
            while chunk := read(65536):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_REPLY_BYTES:
                    raise SpeechError(f"openai: the reply from {self.url} is larger than "
                                      f"{MAX_REPLY_BYTES // 2**20} MiB; is it audio of one piece of text?")
                if time.monotonic() - started > self.deadline_s:
                    raise _TooSlow
        return b"".join(chunks)

    def _refusal(self, reply: Any, data: bytes) -> tuple[str, bool]:
        """What a reply other than 200 (its body ``data``) means, in one line, and whether to ask again."""
        status = reply.status_code
        said = self._say(_server_message(reply.headers, data))
        words = f": {said}" if said else ""
        if 300 <= status < 400:
            where = reply.headers.get("Location", "elsewhere")
            return f"{self.url} redirects to {where}; give that address as --endpoint", False
        if status in (401, 403):
            if not self._key:
                hint = ("set OPENAI_API_KEY" if _is_openai(self.endpoint)
                        else "set ARTICAST_API_KEY (OPENAI_API_KEY is sent to api.openai.com only)")
                return f"{self.endpoint} wants an API key (HTTP {status}); {hint}", False
            return f"{self.endpoint} refused the API key (HTTP {status}){words}", False
        if status == 429 and _code(data) in ("insufficient_quota", "billing_hard_limit_reached"):
            return f"the account's quota is used up at {self.endpoint} (HTTP 429){words}", False
        if status == 429:
            return f"{self.endpoint} is rate-limiting requests (HTTP 429){words}", True
        if status >= 500:
            return f"{self.endpoint} answered HTTP {status}{words}", True
        if status == 404 and not said:
            return f"{self.url} is not there (HTTP 404); is {self.endpoint} the server's /v1 address?", False
        return f"{self.endpoint} refused the request (HTTP {status}){words}", False

    # -- speaking --------------------------------------------------------------------------------

    def _clip(self, data: bytes, content_type: str, headers: dict[str, str]) -> Clip:
        kind = content_type.split(";")[0].strip().lower()
        if kind.startswith(("application/json", "text/")):
            raise SpeechError(f"openai: the reply from {self.url} is not audio ({kind}): "
                              f"{self._say(data[:200].decode('utf-8', 'replace'))}")
        if data[:4] == b"RIFF":
            samples, rate = read_wav(data)
        elif self.format == "pcm":
            rate = _header_int(headers, "X-Sample-Rate") or self.pcm_rate
            if not 1000 <= rate <= MAX_RATE_HZ:
                raise SpeechError(f"openai: {self.endpoint} names a sample rate of {rate} Hz")
            samples = _pcm16(data)
        else:
            raise SpeechError(f"openai: the reply from {self.url} is not WAV audio "
                              f"({kind or 'no content type'}, {len(data)} bytes)")
        return Clip(samples=samples, sample_rate_hz=rate)

    def synthesize(self, text: str) -> Clip:
        """Speak ``text``: one request, or pieces cut at its sentences if it is longer than max_chars."""
        from ..script.segment import group_sentences

        if len(text) <= self.max_chars:
            return self._clip(*self._request(text))
        clips = [self._clip(*self._request(part))
                 for part in group_sentences(text, target=self.max_chars, limit=self.max_chars)]
        rate = clips[0].sample_rate_hz
        if any(clip.sample_rate_hz != rate for clip in clips):
            raise SpeechError(f"openai: {self.endpoint} answered one text at different sample rates")
        return Clip(samples=join_sentences([c.samples for c in clips], rate, pause_ms=250), sample_rate_hz=rate)

    # -- voices ----------------------------------------------------------------------------------

    @staticmethod
    def voices() -> list[VoiceInfo]:
        """OpenAI's documented voices; a server's own are listed by ``listed_voices``."""
        return [VoiceInfo(name, "OpenAI voice" + (f" ({note})" if note else ""), default=name == DEFAULT_VOICE)
                for name, note in OPENAI_VOICES.items()]

    @classmethod
    def listed_voices(cls, options: EngineOptions) -> list[VoiceInfo]:
        """The server's voices where it lists them (``/audio/voices``), with its models
        (``/models``); else OpenAI's documented set, which is also what OpenAI's own endpoint gets
        (without asking)."""
        engine = cls(options)
        if _is_openai(engine.endpoint):  # OpenAI lists no voices, and its models are mostly not speech
            return [VoiceInfo(v.name, v.description, default=v.name == engine.voice) for v in cls.voices()]
        voices = engine._listing("audio/voices", "voices")
        models = engine._listing("models", "data")
        found = [VoiceInfo(name, f"voice of {engine.endpoint}", default=name == engine.voice) for name in voices]
        if not found:
            found = [VoiceInfo(v.name, v.description, default=v.name == engine.voice) for v in cls.voices()]
        found += [VoiceInfo(f"--model {name}", f"model of {engine.endpoint}", default=name == engine.model)
                  for name in models]
        return found

    def _listing(self, path: str, field: str) -> list[str]:
        """Names the server lists at ENDPOINT/path; none when it has no such list. A refused key, an
        unreachable server and the like are one line."""
        import requests

        url = f"{self.endpoint}/{path}"
        try:
            reply = self._session().get(url, headers=self._headers(), allow_redirects=False,
                                        timeout=(CONNECT_TIMEOUT_S, 30.0))
        except requests.RequestException as exc:
            raise SpeechError(f"openai: cannot reach {self.endpoint} ({_reason(exc)})") from None
        if reply.status_code in (401, 403, 429) or reply.status_code >= 500:
            raise SpeechError(f"openai: {self._refusal(reply, reply.content)[0]}")
        if reply.status_code != 200:
            return []
        try:
            payload = reply.json()
        except ValueError:
            return []
        items = payload.get(field, payload.get("data", [])) if isinstance(payload, dict) else payload
        names = []
        for item in items if isinstance(items, list) else []:
            name = item if isinstance(item, str) else (
                item.get("id") or item.get("voice_id") or item.get("name") if isinstance(item, dict) else None)
            if isinstance(name, str) and name:
                names.append(name)
        return names

    @classmethod
    def voice_for(cls, language: str, options: EngineOptions) -> str | None:
        """The chosen voice, else the default: the server's voices are taken to speak any language
        (OpenAI's do; a server's voice of one language is the user's to choose)."""
        return options.voice or DEFAULT_VOICE

    @classmethod
    def voice_language(cls, voice: str | None, options: EngineOptions) -> str | None:
        """None: a server's voice names do not say their language."""
        return None

    @classmethod
    def install_hint(cls, language: str) -> str:
        return "choose one with --voice (see: articast voices --engine openai)"


class _TooSlow(Exception):
    """The reply was still coming when the deadline passed."""


def _reason(exc: Exception) -> str:
    """A connection failure in a few words, without the library's nesting."""
    text = str(exc)
    for pattern, said in ((r"Connection refused", "connection refused"),
                          (r"Name or service not known|nodename nor servname|getaddrinfo failed|"
                           r"Temporary failure in name resolution", "no such host"),
                          (r"timed out", "timed out"), (r"RemoteDisconnected|Connection aborted|reset by peer",
                                                        "the connection was closed")):
        if re.search(pattern, text):
            return said
    return text.split(": ")[-1][:120] or type(exc).__name__


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None when absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _error_body(data: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(data)
    except ValueError:
        return {}
    if isinstance(payload, dict):
        error = payload.get("error", payload.get("detail", payload))
        if isinstance(error, dict):
            return error
        if isinstance(error, str):
            return {"message": error}
    return {}


def _server_message(headers: Any, data: bytes) -> str:
    """The server's own words about a refused request: OpenAI's ``error.message``, else its text."""
    error = _error_body(data)
    message = error.get("message") or error.get("detail")
    if isinstance(message, str) and message.strip():
        return message
    if str(headers.get("Content-Type", "")).startswith("text/plain"):
        return data[:300].decode("utf-8", "replace")
    return ""


def _code(data: bytes) -> str:
    error = _error_body(data)
    return str(error.get("code") or error.get("type") or "")


def _header_int(headers: dict[str, str], name: str) -> int | None:
    for key, value in headers.items():
        if key.lower() == name.lower() and str(value).strip().isdigit():
            return int(value)
    return None


def _pcm16(data: bytes) -> np.ndarray:
    usable = len(data) - len(data) % 2
    return (np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0)


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Mono float32 samples and the rate of a WAV file in memory: 16-bit, 24-bit, 32-bit or float PCM.

    A streamed WAV whose sizes say 0 or 0xFFFFFFFF (some servers write the header before they know
    the length) is read to its end. Several channels are averaged."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SpeechError("openai: the server's reply is not a WAV file")
    pos, fmt = 12, None
    while pos + 8 <= len(data):
        chunk, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body_at = pos + 8
        if chunk == b"fmt ":
            fmt = struct.unpack_from("<HHIIHH", data, body_at)
        elif chunk == b"data":
            if fmt is None:
                break
            end = len(data) if size in (0, 0xFFFFFFFF) or body_at + size > len(data) else body_at + size
            return _frames(data[body_at:end], fmt)
        pos = body_at + size + (size & 1)
    raise SpeechError("openai: the server's WAV reply has no audio in it")


def _frames(raw: bytes, fmt: tuple[int, ...]) -> tuple[np.ndarray, int]:
    code, channels, rate, _, _, bits = fmt
    if code == 0xFFFE:  # WAVE_FORMAT_EXTENSIBLE: the sub-format is PCM or float, told by the width
        code = 3 if bits == 64 else 1
    width = bits // 8
    if channels < 1 or not 1000 <= rate <= MAX_RATE_HZ or width not in (1, 2, 3, 4, 8):
        raise SpeechError(f"openai: the server's WAV reply is in a form articast cannot read "
                          f"({channels} channels, {rate} Hz, {bits} bits)")
    raw = raw[:len(raw) - len(raw) % (width * channels)]
    if code == 3 and width in (4, 8):
        samples = np.frombuffer(raw, dtype=f"<f{width}").astype(np.float32)
    elif code == 1 and width == 2:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif code == 1 and width == 4:
        samples = (np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2**31).astype(np.float32)
    elif code == 1 and width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8
        samples = (ints.astype(np.float64) / 2**23).astype(np.float32)
    elif code == 1 and width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    else:
        raise SpeechError(f"openai: the server's WAV reply is in a form articast cannot read (format {code})")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return np.ascontiguousarray(samples, dtype=np.float32), rate
