"""publish --to: copy the show folder to where podcast apps reach it, through fsspec.

S3 and S3-compatible services go through s3fs, SFTP through fsspec's own SFTP filesystem
(paramiko), ``file://`` through fsspec's local one; any other protocol fsspec knows works too. We
write no client of our own: credentials are each backend's standard ones (AWS variables and
profiles, an ssh agent or keys), and never pass through articast's output.

The order of a copy is what keeps a podcast app from ever reading a feed that names a file that is
not there: the MP3s, sidecars, cover and icons first; then the records, the page and its web-app
files; the feed last; and only after the new feed is up are the files of removed episodes deleted.

Only what changed is sent. A manifest kept at the target (``.articast-upload.json``) records the
size and SHA-256 of each file this copy put there; a file is sent when the target's listing does not
show it at that size, or the manifest does not know it with that hash. The manifest is rewritten
after each MP3 and each step, so a copy killed in the middle is completed by the next publish, which
sends what is missing and never an MP3 that is already there. Files the manifest does not name are
never deleted: the target may hold other things.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import ArticastError, InputError
from .headers import headers_for

__all__ = ["upload_show", "check_public", "UploadResult", "headers_for", "redact", "MANIFEST", "EXTRAS"]

log = logging.getLogger(__name__)

MANIFEST = ".articast-upload.json"
"""At the target: what this show put there, by name, with each file's size and SHA-256."""

EXTRAS = {"s3": "s3", "s3a": "s3", "sftp": "sftp", "ssh": "sftp"}
"""Protocols whose library comes with an extra of articast's: pip install "articast[EXTRA]"."""

OBJECT_STORES = {"s3", "s3a", "gs", "gcs", "abfs", "az", "adl", "oss"}
"""Protocols whose put is all or nothing: elsewhere a file goes up under a temporary name first."""

_PART = re.compile(r"^\.[^/]+\.part-[0-9a-f]{8}$")
"""A temporary name of ours (``.NAME.part-XXXXXXXX``), left by a copy that was stopped."""

def redact(url: str) -> str:
    """The target's address without a password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit((parts.scheme, f"{user}@{hostport}", parts.path, parts.query, parts.fragment))


def scrub(text: str, url: str) -> str:
    """``text`` (another library's message, say) with the password of ``url`` replaced by ***,
    as it is written and as it is decoded."""
    from urllib.parse import quote, unquote

    password = urlsplit(url).password
    if not password:
        return text
    for form in sorted({password, unquote(password), quote(unquote(password), safe="")}, key=len, reverse=True):
        if form:
            text = text.replace(form, "***")
    return text


PUBLIC_CHECK_S = 10.0
"""How long the check that the published feed can be read by anyone may take, in all."""


def check_public(feed_url: str, timeout_s: float = PUBLIC_CHECK_S) -> str | None:
    """Fetch the feed as a podcast app would (no credentials); None when it can, else one line saying
    what is wrong and what to do."""
    import urllib.error
    import urllib.request

    from ..ingest.web import USER_AGENT, within

    request = urllib.request.Request(feed_url, headers={"User-Agent": USER_AGENT, "Range": "bytes=0-1023"})

    def read() -> None:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read(1024)

    try:
        within(timeout_s, read, lambda: TimeoutError(f"no answer within {timeout_s:g} s"))
        return None
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            return (f"{feed_url} answers HTTP {exc.code} to a listener: podcast apps cannot read the feed. "
                    "Make the copy public (docs/publishing.md says how for S3, R2, B2 and MinIO), or check "
                    "--base-url")
        return (f"{feed_url} answers HTTP {exc.code} {exc.reason}: podcast apps cannot read the feed there; "
                "check --base-url (the address where the copy is served)")
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return (f"could not read the feed back at {feed_url} ({getattr(reason, 'strerror', None) or reason}); "
                "check --base-url, or that the address is reachable from where your listeners are")


@dataclass(frozen=True)
class LocalFile:
    """One file of the show as it is in the show folder."""

    name: str
    size_bytes: int
    sha256: str


@dataclass
class UploadResult:
    """What a copy of the show did (or, with dry_run, would do) at the target."""

    target: str
    """The target's address, without any password."""
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False


Report = Callable[[str, str], None]
"""Called with ('upload' or 'delete', file name) before each change at the target."""


class Target:
    """A folder at an fsspec URL."""

    def __init__(self, url: str, endpoint_url: str | None = None) -> None:
        self.url = url
        self.shown = redact(url)
        try:
            _ = urlsplit(url).port  # (read only to check it)
        except ValueError:
            raise InputError(f"--to {self.shown}: the port must be a number from 1 to 65535") from None
        protocol = url.split("://", 1)[0].lower() if "://" in url else "file"
        self.protocol = protocol
        options: dict[str, Any] = {}
        if protocol in ("s3", "s3a") and endpoint_url:
            options["endpoint_url"] = endpoint_url
        try:
            if protocol in ("sftp", "ssh"):
                from .sftp import connect  # known_hosts and ~/.ssh/config, as OpenSSH would

                self.fs, root = connect(url)
            else:
                import fsspec

                self.fs, root = fsspec.core.url_to_fs(url, **options)
        except ImportError as exc:
            raise InputError(self._missing(exc)) from None
        except ValueError as exc:  # fsspec: 'Protocol not known'
            raise InputError(f"--to {self.shown}: {scrub(str(exc), url)}") from None
        except Exception as exc:  # connecting (SFTP connects here): refused, unreachable, no such host
            raise self.failure(exc) from None
        self.root = root.rstrip("/") or "/"
        self.atomic = protocol in OBJECT_STORES

    def _missing(self, exc: ImportError) -> str:
        extra = EXTRAS.get(self.protocol)
        if extra:
            return (f"publishing to {self.protocol}:// needs the {extra} extra: "
                    f"pip install \"articast[{extra}]\"")
        return f"publishing to {self.protocol}:// needs a package that is not installed ({exc})"

    def path(self, name: str) -> str:
        """The target's path of one of the show's files."""
        return f"{self.root}/{name}" if self.root != "/" else f"/{name}"

    def failure(self, exc: BaseException) -> ArticastError:
        """One line for a backend's error: unreachable, refused credentials, no such bucket or folder."""
        name = type(exc).__name__
        text = scrub(" ".join(str(exc).split()), self.url) or name
        where = f"cannot publish to {self.shown}"
        if name == "HostKeyError":
            return ArticastError(f"{where}: {text}")
        if "No authentication methods available" in text or (
                name == "SSHException" and "no existing session" in text.lower()):
            return ArticastError(f"{where}: no key or password to log in with (give the password in the URL, "
                                 "an IdentityFile in ~/.ssh/config, or load your key into ssh-agent)")
        if "NoCredentials" in name or "Unable to locate credentials" in text:
            return ArticastError(f"{where}: no credentials found (set AWS_ACCESS_KEY_ID and "
                                 "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)")
        if isinstance(exc, PermissionError) or "Authentication" in name or "AccessDenied" in text \
                or "InvalidAccessKeyId" in text or "SignatureDoesNotMatch" in text:
            return ArticastError(f"{where}: the credentials were refused ({text})")
        if isinstance(exc, FileNotFoundError) and "bucket" in text.lower():
            return ArticastError(f"{where}: the bucket does not exist")
        if isinstance(exc, FileNotFoundError):
            return ArticastError(f"{where}: no such folder there ({text})")
        return ArticastError(f"{where}: cannot reach it ({text})")

    def listing(self) -> dict[str, int]:
        """The sizes of the files at the target's folder, by name (empty for a folder still to make)."""
        self.fs.invalidate_cache()
        try:
            entries = self.fs.ls(self.root, detail=True)
        except FileNotFoundError:
            if self.atomic:
                self._check_bucket()
            return {}
        sizes = {}
        for entry in entries:
            if entry.get("type") == "file":
                sizes[entry["name"].rstrip("/").rsplit("/", 1)[-1]] = int(entry.get("size") or 0)
        return sizes

    def _check_bucket(self) -> None:
        """An object store's missing prefix is only an empty folder; its missing bucket is an error."""
        bucket = self.root.lstrip("/").split("/", 1)[0]
        self.fs.ls(bucket)  # FileNotFoundError("The specified bucket does not exist")

    def manifest(self) -> dict[str, dict]:
        """The manifest this show left at the target, or an empty one."""
        try:
            with self.fs.open(self.path(MANIFEST), "rb") as handle:
                data = json.loads(handle.read().decode("utf-8"))
            return {name: dict(entry) for name, entry in (data.get("files") or {}).items()}
        except FileNotFoundError:
            return {}
        except (ValueError, AttributeError, TypeError):
            log.warning("%s at %s is unreadable; every file will be sent again", MANIFEST, self.shown)
            return {}

    def prepare(self) -> None:
        """Make the folder where folders exist (not in an object store, where a prefix is no folder)."""
        if not self.atomic:
            self.fs.makedirs(self.root, exist_ok=True)

    def put(self, local: Path, name: str) -> None:
        """Send one file; under a temporary name first where a put is not all or nothing."""
        ctype, cache = headers_for(name)
        if self.atomic:
            self.fs.put_file(str(local), self.path(name), ContentType=ctype, CacheControl=cache)
            return
        part = self.path(f".{name}.part-{uuid.uuid4().hex[:8]}")
        self.fs.put_file(str(local), part)
        try:
            self.fs.mv(part, self.path(name))  # (SFTP: posix-rename, which replaces the old file)
        except BaseException:
            self._forget(part)
            raise

    def holds(self, local: Path, size: int) -> bool:
        """Whether the target's copy of a file, known to be ``size`` bytes, has the local one's bytes:
        SAMPLES blocks spread over it (the ID3 tag, the audio, the end) are read and compared."""
        step = max(SAMPLE_BYTES, size // SAMPLES)
        offsets = sorted({*range(0, size, step), max(0, size - SAMPLE_BYTES)})
        try:
            with self.fs.open(self.path(local.name), "rb") as remote, open(local, "rb") as mine:
                for offset in offsets:
                    remote.seek(offset)
                    mine.seek(offset)
                    if remote.read(SAMPLE_BYTES) != mine.read(SAMPLE_BYTES):
                        return False
        except (OSError, ValueError):
            return False
        return True

    def write_manifest(self, files: dict[str, dict]) -> None:
        """Record what is at the target, through the same all-or-nothing put as the show's files."""
        import tempfile

        doc = {"version": 1, "files": dict(sorted(files.items()))}
        with tempfile.TemporaryDirectory(prefix="articast-upload-") as scratch:
            local = Path(scratch) / MANIFEST.lstrip(".")
            local.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
            self.put(local, MANIFEST)

    def delete(self, name: str) -> None:
        """Remove one file; one that is already gone is fine."""
        try:
            self.fs.rm_file(self.path(name))
        except FileNotFoundError:
            pass

    def _forget(self, path: str) -> None:
        try:
            self.fs.rm_file(path)
        except Exception:  # best effort: the next copy removes what is left
            pass


SAMPLES = 16
"""Blocks compared, spread over a file, to tell whether the target holds it already (see Target.holds)."""
SAMPLE_BYTES = 16 * 1024


def describe(folder: Path, names: tuple[str, ...], pending: dict[str, bytes] | None = None) -> list[LocalFile]:
    """Size and hash of each named file of the show folder, or of its ``pending`` bytes (a publish not
    yet written); one that is missing is left out."""
    found = []
    for name in names:
        if pending and name in pending:
            found.append(LocalFile(name, len(pending[name]), hashlib.sha256(pending[name]).hexdigest()))
            continue
        path = folder / name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        found.append(LocalFile(name, size, digest.hexdigest()))
    return found


def upload_show(folder: Path, groups: list[tuple[str, ...]], url: str, *, endpoint_url: str | None = None,
                dry_run: bool = False, report: Report | None = None,
                pending: dict[str, bytes] | None = None) -> UploadResult:
    """Copy the show's files to ``url``, group by group (the last group is the feed), then delete
    the files of episodes that left the show. ``pending`` holds files of a publish not yet written to
    the show folder, sent from these bytes. Raises ArticastError, with one line, when the target
    cannot be reached, refuses the credentials or has no such bucket."""
    import tempfile

    pending = pending or {}
    target = Target(url, endpoint_url)
    result = UploadResult(target=target.shown, dry_run=dry_run)
    report = report or (lambda action, name: None)
    try:
        listing = target.listing()
        known = target.manifest()
        present = {name for group in groups for name in group}
        if not dry_run:
            target.prepare()
        for group in groups:
            sent = False
            for local in describe(folder, group, pending):
                entry = known.get(local.name) or {}
                same = listing.get(local.name) == local.size_bytes and entry.get("sha256") == local.sha256
                if same and entry.get("sending"):
                    # A copy stopped while sending this very file: it is there, whole, unless the put
                    # never happened and an older file of the same size is what the listing shows.
                    same = target.holds(folder / local.name, local.size_bytes)
                    if same and not dry_run:
                        known[local.name] = {"size": local.size_bytes, "sha256": local.sha256}
                        target.write_manifest(known)
                if same:
                    result.unchanged += 1
                    continue
                report("upload", local.name)
                result.uploaded.append(local.name)
                if not dry_run and local.name.endswith(".mp3"):  # what is being sent, should the copy stop
                    known[local.name] = {"size": local.size_bytes, "sha256": local.sha256, "sending": True}
                    target.write_manifest(known)
                if not dry_run and local.name in pending:
                    with tempfile.TemporaryDirectory(prefix="articast-upload-") as scratch:
                        staged = Path(scratch) / local.name
                        staged.write_bytes(pending[local.name])
                        target.put(staged, local.name)
                elif not dry_run:
                    target.put(folder / local.name, local.name)
                if not dry_run:
                    known[local.name] = {"size": local.size_bytes, "sha256": local.sha256}
                    sent = True
                    if local.name.endswith(".mp3"):  # recorded at once: a stopped copy never sends it again
                        target.write_manifest(known)
                        sent = False
            if sent:
                target.write_manifest(known)
        gone = sorted(name for name in known if name not in present)
        leftovers = sorted(name for name in listing if _PART.match(name))
        for name in gone + leftovers:
            report("delete", name)
            result.deleted.append(name)
            if not dry_run:
                target.delete(name)
                known.pop(name, None)
        if gone and not dry_run:
            target.write_manifest(known)
    except ArticastError:
        raise
    except Exception as exc:
        raise target.failure(exc) from None
    return result
