"""Piper's voice catalogue: list the published voices, download one, find the installed ones.

What is taken from Piper's own ``piper.download_voices``: the catalogue's address (``VOICES_JSON``),
the pattern of a voice's name (``VOICE_PATTERN``, language_REGION-name-quality) and its layout of
files, which the catalogue itself lists. What is added, because a podcast tool's users need it and
that module does not do it: a mirror (``ARTICAST_VOICES_URL``); the catalogue kept for a day, and
used when there is no network; progress; each file checked against the catalogue's size and MD5;
files written under a ``.part`` name and moved into place only when both are whole and checked, so a
broken download never looks installed; and an interrupted download resumed with an HTTP range.

Nothing here is called unless the user asks for the catalogue or a download: producing never
touches the network for a voice.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from ..config import default_cache_dir, voices_dir
from ..errors import ArticastError, InputError
from ..fsutil import write_text_atomic
from .installed import installed_voice, installed_voices, looks_like_catalogue_name, not_installed_message

__all__ = ["Catalogue", "CatalogueError", "CatalogueVoice", "ChecksumError", "Download", "catalogue_url",
           "download_voice", "installed_voice", "installed_voices", "load_catalogue", "looks_like_catalogue_name",
           "not_installed_message"]

MAX_AGE_S = 24 * 3600
"""The cached catalogue is fetched again when it is older than this."""

TIMEOUT_S = 20.0
"""Seconds to wait for the catalogue's server to answer or send more bytes."""

CACHED_CATALOGUE = "voices.json"
"""The cached copy, in the cache folder."""

PART = ".part"

DownloadReport = Callable[[str, int, int], None]
"""Called as a download goes: (file name, bytes so far, bytes in all)."""


def piper_voices_json() -> str:
    """The address of Piper's published catalogue, as Piper's own downloader has it."""
    from piper.download_voices import VOICES_JSON

    return VOICES_JSON


def catalogue_url() -> str:
    """``ARTICAST_VOICES_URL`` (a mirror: its voices.json, or the folder holding it), else Piper's."""
    url = os.environ.get("ARTICAST_VOICES_URL", "").strip()
    if not url:
        return piper_voices_json()
    path = urllib.parse.urlsplit(url).path
    if not path.endswith(".json"):
        url = url.rstrip("/") + "/voices.json"
    return url


class CatalogueError(ArticastError):
    """The catalogue or a voice's file could not be fetched, or was not what the catalogue promised."""


class ChecksumError(CatalogueError):
    """A downloaded file is not the one the catalogue lists: nothing of that voice is kept."""


@dataclass(frozen=True)
class CatalogueFile:
    path: str
    """Where the file lies, relative to the catalogue's folder."""

    size_bytes: int
    md5: str


@dataclass(frozen=True)
class CatalogueVoice:
    """One voice of the catalogue."""

    name: str
    """Its key, as given to ``--voice`` and ``--download``: ``en_US-lessac-high``."""

    language: str
    """Language code: ``en_US``."""

    language_name: str
    """``English (United States)``."""

    quality: str
    """x_low, low, medium or high."""

    speakers: int
    model: CatalogueFile
    config: CatalogueFile
    aliases: tuple[str, ...] = ()

    @property
    def size_bytes(self) -> int:
        return self.model.size_bytes + self.config.size_bytes

    def matches_language(self, lang: str) -> bool:
        """True for ``en``, ``en_US``, ``en-us``... when the voice speaks that language."""
        want = lang.replace("-", "_").lower()
        code = self.language.lower()
        return code == want or code.split("_")[0] == want


@dataclass(frozen=True)
class Catalogue:
    voices: dict[str, CatalogueVoice]
    url: str
    fetched_at: float
    note: str | None = None
    """Set when this is not a fresh catalogue: why, and what is shown instead."""

    def find(self, name: str) -> CatalogueVoice | None:
        """The voice called ``name``, or with ``name`` among its aliases."""
        if name in self.voices:
            return self.voices[name]
        return next((v for v in self.voices.values() if name in v.aliases), None)


def _parse(data: object, url: str) -> dict[str, CatalogueVoice]:
    """Voices from a catalogue in Piper's voices.json format; entries without a model are left out."""
    if not isinstance(data, dict):
        raise CatalogueError(f"{url} is not a Piper voice catalogue (voices.json)")
    voices: dict[str, CatalogueVoice] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            continue
        files = entry.get("files") or {}
        model = next((p for p in files if str(p).endswith(".onnx")), None)
        config = next((p for p in files if str(p).endswith(".onnx.json")), None)
        if model is None or config is None:
            continue
        language = entry.get("language") or {}
        language_name = str(language.get("name_english") or language.get("code") or "")
        country = language.get("country_english")
        if country:
            language_name += f" ({country})"
        try:
            voices[str(key)] = CatalogueVoice(
                name=str(key), language=str(language.get("code") or str(key).split("-")[0]),
                language_name=language_name, quality=str(entry.get("quality") or ""),
                speakers=int(entry.get("num_speakers") or 1),
                model=CatalogueFile(model, int(files[model]["size_bytes"]), str(files[model]["md5_digest"])),
                config=CatalogueFile(config, int(files[config]["size_bytes"]), str(files[config]["md5_digest"])),
                aliases=tuple(str(a) for a in entry.get("aliases") or ()))
        except (KeyError, TypeError, ValueError):
            continue
    if data and not voices:
        raise CatalogueError(f"{url} is not a Piper voice catalogue (voices.json)")
    return voices


def _open(url: str, headers: dict[str, str] | None = None):
    from .. import __version__

    request = urllib.request.Request(url, headers={"User-Agent": f"articast/{__version__}", **(headers or {})})
    return urllib.request.urlopen(request, timeout=TIMEOUT_S)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def _cached_path() -> Path:
    return default_cache_dir() / CACHED_CATALOGUE


def _read_cached(url: str) -> Catalogue | None:
    try:
        cached = json.loads(_cached_path().read_text(encoding="utf-8"))
        if cached.get("url") != url:
            return None
        return Catalogue(_parse(cached["voices"], url), url, float(cached["fetched_at"]))
    except (OSError, ValueError, KeyError, TypeError, CatalogueError):
        return None


def load_catalogue(refresh: bool = False, now: float | None = None) -> Catalogue:
    """The catalogue: the cached copy while it is under a day old, else fetched (and cached).

    Without a network, the cached copy of any age, with a note; with none, CatalogueError.
    """
    url = catalogue_url()
    now = time.time() if now is None else now
    cached = _read_cached(url)
    if cached and not refresh and now - cached.fetched_at < MAX_AGE_S:
        return cached
    try:
        with _open(url) as response:
            raw = response.read()
        data = json.loads(raw)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        reason = "it is not JSON" if isinstance(exc, ValueError) else _reason(exc)
        if cached:
            age_h = (now - cached.fetched_at) / 3600
            return Catalogue(cached.voices, url, cached.fetched_at,
                             note=f"cannot reach the voice catalogue ({reason}); showing the copy from "
                                  f"{age_h:.0f} hours ago")
        raise CatalogueError(f"cannot reach the voice catalogue at {url} ({reason})") from exc
    voices = _parse(data, url)
    with contextlib.suppress(OSError):
        write_text_atomic(_cached_path(), json.dumps({"url": url, "fetched_at": now, "voices": data}))
    return Catalogue(voices, url, now)


@dataclass
class Download:
    """What a download did."""

    voice: CatalogueVoice
    model: Path
    already_installed: bool = False
    resumed_bytes: int = 0
    fetched_bytes: int = 0
    files: list[Path] = field(default_factory=list)


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(url: str, part: Path, want: CatalogueFile, label: str, report: DownloadReport | None,
           done: Download) -> None:
    """Fill ``part`` with the file at ``url``, resuming from what it already holds; check it."""
    have = part.stat().st_size if part.exists() else 0
    if have > want.size_bytes:
        part.unlink()
        have = 0
    if have < want.size_bytes:
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with _open(url, headers) as response:
                if have and response.status != 206:  # the server cannot resume: start again
                    have = 0
                done.resumed_bytes += have
                with open(part, "ab" if have else "wb") as fh:
                    if report:
                        report(label, have, want.size_bytes)
                    while block := response.read(1 << 16):
                        fh.write(block)
                        have += len(block)
                        done.fetched_bytes += len(block)
                        if report:
                            report(label, have, want.size_bytes)
                    fh.flush()
                    os.fsync(fh.fileno())
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500:
                raise CatalogueError(f"the catalogue lists {label}, but its server answers HTTP {exc.code} for "
                                     f"{url}") from exc
            raise CatalogueError(f"the download of {label} failed (HTTP {exc.code}); run the same command "
                                 "again to resume") from exc
        except (OSError, http.client.HTTPException) as exc:
            have = part.stat().st_size if part.exists() else 0
            raise CatalogueError(
                f"the download of {label} stopped at {have / 1e6:.1f} of {want.size_bytes / 1e6:.1f} MB "
                f"({_reason(exc)}); run the same command again to resume") from exc
    if have != want.size_bytes:
        raise CatalogueError(f"the download of {label} stopped at {have / 1e6:.1f} of "
                             f"{want.size_bytes / 1e6:.1f} MB; run the same command again to resume")
    if _md5(part) != want.md5.lower():
        part.unlink()
        raise ChecksumError(f"{label} does not match the catalogue's checksum (MD5); it was removed and "
                             f"nothing was installed")


def download_voice(name: str, catalogue: Catalogue, report: DownloadReport | None = None,
                   force: bool = False) -> Download:
    """Install the voice ``name`` from the catalogue into the voices folder; resumable, checked, atomic."""
    voice = catalogue.find(name)
    if voice is None:
        raise InputError(f"no voice {name!r} in the catalogue; see: articast voices --available")
    folder = voices_dir()
    model = folder / f"{voice.name}.onnx"
    config = Path(f"{model}.json")
    done = Download(voice, model, files=[model, config])
    if not force and installed_voice(voice.name) and model.stat().st_size == voice.model.size_bytes:
        done.already_installed = True
        return done
    folder.mkdir(parents=True, exist_ok=True)

    lock = FileLock(folder / f".{voice.name}.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise CatalogueError(f"{voice.name} is being downloaded by another articast; wait for it") from None
    try:
        parts = []
        for want, final in ((voice.config, config), (voice.model, model)):
            part = final.with_name(f".{final.name}{PART}")
            url = urllib.parse.urljoin(catalogue.url, urllib.parse.quote(want.path))
            parts.append((part, final))
            try:
                _fetch(url, part, want, final.name, report, done)
            except ChecksumError:
                for other, _ in parts:
                    other.unlink(missing_ok=True)
                raise
        # The model's name is what makes a voice installed (installed_voice): it goes last.
        for part, final in parts:
            os.replace(part, final)
    finally:
        lock.release()
    return done
