"""The `articast` command's entry point: it takes Ctrl-C before the package's heavy imports run."""

# The C module: 'signal' imports enum (10 ms), and Ctrl-C in those first milliseconds would print a traceback.
import _signal as signal
import sys


def _interrupted(signum, frame):
    import os

    sys.stderr.write("error: interrupted; nothing half-written was left behind\n")
    sys.stderr.flush()
    os._exit(130)


_default = None


def take_ctrl_c() -> None:
    """From now until the command line is imported, Ctrl-C ends the process quietly (exit 130)."""
    global _default
    previous = signal.signal(signal.SIGINT, _interrupted)
    if previous is not _interrupted:
        _default = previous


def run() -> None:
    """Import the command line with Ctrl-C ending the process quietly (exit 130), then run it; from
    there on the command's own handling of Ctrl-C applies."""
    take_ctrl_c()
    previous = _default
    from .cli import run as run_command

    signal.signal(signal.SIGINT, previous)
    try:
        run_command()
    except KeyboardInterrupt:  # between the imports and the command's own handling, or after it
        _interrupted(signal.SIGINT, None)
