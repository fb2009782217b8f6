"""The commands: each one's module, class and summary, in the order ``articast --help`` lists them.

Each command lives in a module of its own with its arguments and its ``run(args) -> int``; what
it needs beyond the settings is imported inside ``run``, so building the parser stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .base import Command


class CommandInfo(NamedTuple):
    """Where a command lives and what it does, in one line."""

    module: str
    """The module that holds it."""

    class_name: str
    """Its class in that module."""

    summary: str
    """What it does, as the command list says it."""


COMMANDS: dict[str, CommandInfo] = {
    "produce": CommandInfo("articast.commands.produce", "ProduceCommand",
                           "make an episode (MP3 + transcript + chapters) from an article"),
    "follow": CommandInfo("articast.commands.follow", "FollowCommand",
                          "follow a feed, OPML file, reading list or folder ('articast update' voices it)"),
    "unfollow": CommandInfo("articast.commands.follow", "UnfollowCommand", "stop following a source"),
    "update": CommandInfo("articast.commands.update", "UpdateCommand",
                          "voice what is new in every followed source, then publish"),
    "script": CommandInfo("articast.commands.script", "ScriptCommand",
                          "show what would be spoken, without making audio"),
    "init": CommandInfo("articast.commands.init", "InitCommand", "write a show's settings file"),
    "publish": CommandInfo("articast.commands.publish", "PublishCommand",
                           "rebuild the show's feed and page, and copy the show to --to"),
    "serve": CommandInfo("articast.commands.serve", "ServeCommand", "serve the show folder to podcast apps"),
    "voices": CommandInfo("articast.commands.voices", "VoicesCommand", "list, download and try voices"),
    "cache": CommandInfo("articast.commands.cache", "CacheCommand", "show or clear the synthesis cache"),
}


def create_command(name: str) -> Command:
    """The command called ``name`` (a key of COMMANDS)."""
    info = COMMANDS[name]
    command: Command = getattr(importlib.import_module(info.module), info.class_name)()
    return command
