"""The errors articast raises; ``str(exc)`` is the one line a user reads."""

from __future__ import annotations

import errno
from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0
    ERROR = 1
    BAD_INPUT = 2
    INTERRUPTED = 130


class ArticastError(Exception):
    """Base of every error articast expects; its message is written for the user."""

    exit_status: ExitStatus = ExitStatus.ERROR


class InputError(ArticastError):
    """The article or an option cannot become an episode: the user must fix it."""

    exit_status = ExitStatus.BAD_INPUT


class NotAPageError(InputError):
    """An address holds something other than an article to read: a PDF, an image, audio."""


class SpeechError(ArticastError):
    """A speech engine failed or returned unusable audio."""


class AudioError(ArticastError):
    """Decoding, mixing or encoding audio failed."""


def os_error_message(exc: OSError) -> str | None:
    """One line for the file-system failures a user can act on (a full disk, a read-only or forbidden
    folder); None for any other, which is a bug."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (f"the disk is full{where}; free some space, or choose another folder with --out, and run "
                "again (nothing half-written was left)")
    if exc.errno == errno.EROFS:
        return f"cannot write{where}: the disk is read-only; choose another folder with --out (or ARTICAST_OUT)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied{where}; choose a folder you can write to with --out (or ARTICAST_OUT)"
    return None


def unexpected_message(exc: BaseException) -> str:
    """What the user reads about an error articast did not expect (a bug): its kind and its words."""
    return f"unexpected {type(exc).__name__}: {exc} (run with --traceback for details)"
