"""The `articast` command's entry point: it takes Ctrl-C before the package's heavy imports run."""

import signal
import sys


def _interrupted(signum, frame):  # noqa: ARG001 (a signal handler's signature)
    import os

    sys.stderr.write("error: interrupted; nothing half-written was left behind\n")
    sys.stderr.flush()
    os._exit(130)


def run() -> None:
    """Import the command line with Ctrl-C ending the process quietly (exit 130), then run it; from
    there on the command's own handling of Ctrl-C applies."""
    previous = signal.signal(signal.SIGINT, _interrupted)
    from .cli import run as run_command

    signal.signal(signal.SIGINT, previous)
    try:
        run_command()
    except KeyboardInterrupt:  # between the imports and the command's own handling, or after it
        _interrupted(signal.SIGINT, None)
