"""What every command is: a name, its help, its arguments and ``run``."""

from __future__ import annotations

import argparse


class Command:
    """One ``articast`` command. Subclasses set the help texts and define ``add_arguments`` and ``run``."""

    name: str = ""
    """As typed after ``articast``."""

    description: str = ""
    """What ``articast NAME --help`` says it does."""

    epilog: str | None = None
    """Examples and notes printed after the options."""

    raw_help: bool = False
    """Print the description and epilog as written (line breaks kept), as for lists of examples."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add the command's arguments to its parser."""

    def run(self, args: argparse.Namespace) -> int:
        """Do the command; the exit status. Errors are raised (ArticastError) and said by cli.main."""
        raise NotImplementedError
