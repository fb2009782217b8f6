"""The CLI reference (docs/cli.md) and the README's settings table are made from the code and up to date."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_reference.py"


def load():
    spec = importlib.util.spec_from_file_location("make_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_and_the_settings_table_are_current(capsys):
    status = load().main(["--check"])
    assert status == 0, capsys.readouterr().err  # names the stale file: run python scripts/make_reference.py


def test_every_option_of_every_command_is_in_the_reference():
    from articast.cli import build_parser

    reference = load().reference()
    for name, sub in build_parser().commands.items():
        assert f"## articast {name}\n" in reference
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help", "--traceback", "-v", "--verbose"):
                    assert f"`{flag}" in reference, (name, flag)


def test_every_flag_that_sets_a_setting_is_spelled_by_the_naming_rule():
    """A command that declared --pace-wpm by hand, or stored --pace under another name, would fail here."""
    from articast.cli import build_parser
    from articast.config import setting_keys

    keys = setting_keys()
    seen = set()
    for name, sub in build_parser().commands.items():
        for action in sub._actions:
            if action.dest in keys:
                assert keys[action.dest].flag in action.option_strings, (name, action.option_strings)
                seen.add(action.dest)
    assert seen == set(keys)  # every setting can be given as a flag somewhere
    assert keys["pace_wpm"][2:] == ("pace", "--pace", "ARTICAST_PACE")
    assert keys["owner_email"][2:] == ("email", "--email", "ARTICAST_EMAIL")
    assert keys["show"][2:] == ("title", "--show", "ARTICAST_SHOW")
