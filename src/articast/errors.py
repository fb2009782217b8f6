"""The errors articast raises; ``str(exc)`` is the one line a user reads."""

from __future__ import annotations

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
