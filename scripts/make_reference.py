"""Write the CLI reference (docs/cli.md, with every setting) and the README's short settings table.

    python scripts/make_reference.py           # write them
    python scripts/make_reference.py --check   # exit 1, naming the file, when either is stale (CI runs this)

Both come from the code itself: each command's arguments from ``articast.cli.build_parser()``, and
each setting's key, flag and variable from ``articast.config.setting_keys()``. Nothing is copied by
hand, so a new flag or setting reaches the docs by running this.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import MISSING, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "cli.md"
README = ROOT / "README.md"
START, END = "<!-- settings table: made by scripts/make_reference.py -->", "<!-- end of settings table -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;")


def _spelling(action: argparse.Action) -> str:
    """How an option is typed: its flags and what it takes."""
    if not action.option_strings:
        return f"`{action.metavar or action.dest}`"
    takes = ""
    if action.nargs != 0:
        metavar = action.metavar or action.dest.upper()
        takes = f" {metavar}" + (" ..." if action.nargs in ("+", "*") else "")
    if isinstance(action, argparse.BooleanOptionalAction):
        return " / ".join(f"`{flag}`" for flag in action.option_strings)
    return ", ".join(f"`{flag}{takes}`" for flag in action.option_strings)


def _table(actions: list[argparse.Action]) -> list[str]:
    rows = ["| argument | what it does |", "| --- | --- |"]
    for action in actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
            continue
        meaning = action.help or ""
        if action.choices and not action.option_strings:
            meaning = f"{meaning} (one of: {', '.join(map(str, action.choices))})"
        rows.append(f"| {_spelling(action)} | {_cell(meaning)} |")
    return rows


def _usage(name: str, parser: argparse.ArgumentParser) -> str:
    """``articast NAME [options] POSITIONAL...``, the same on every Python (argparse's own wraps by terminal)."""
    words = [f"articast {name} [options]"]
    for action in parser._actions:
        if action.option_strings:
            continue
        metavar = str(action.metavar or action.dest)
        words.append({"?": f"[{metavar}]", "*": f"[{metavar} ...]", "+": f"{metavar} [{metavar} ...]"}.get(
            str(action.nargs), metavar))
    return " ".join(words)


def reference() -> str:
    """docs/cli.md: every command's arguments, group by group, as the parser defines them."""
    from articast.cli import DESCRIPTION, EPILOG, build_parser
    from articast.commands import COMMANDS

    parser = build_parser()
    lines = ["# Command-line reference", "",
             "Made by `python scripts/make_reference.py` from the parser itself; CI fails when it is stale.",
             "`articast COMMAND --help` says the same on the terminal.", "", DESCRIPTION, "",
             "Every command also takes `-v`/`--verbose` (log what each stage does) and `--traceback` (the full "
             "Python traceback on errors).", "",
             "| command | what it does |", "| --- | --- |"]
    lines += [f"| [`{name}`](#articast-{name}) | {_cell(info.summary)} |" for name, info in COMMANDS.items()]
    lines += ["", "```text", EPILOG.rstrip(), "```"]
    for name in COMMANDS:
        sub = parser.commands[name]
        lines += ["", f"## articast {name}", "", "```text", _usage(name, sub), "```", "", _cell(sub.description or "")]
        for group in sub._action_groups:
            actions = [a for a in group._group_actions
                       if a.dest not in ("help", "traceback", "verbose") and a.help != argparse.SUPPRESS]
            if not actions:
                continue
            title = group.title if group.title not in ("options", "optional arguments") else "options"
            lines += ["", f"**{title}**" + (f": {_cell(group.description)}" if group.description else ""), ""]
            lines += _table(actions)
        if sub.epilog:
            lines += ["", "```text", sub.epilog.strip(), "```"]
    lines += ["", "## Settings", "",
              "A setting not given as a flag comes from its variable, then from the show folder's "
              "articast.toml, then its default.", "", settings_table()]
    return "\n".join(lines) + "\n"


def settings_table() -> str:
    """Every setting: its key in articast.toml, its flag, its variable and its default (docs/cli.md)."""
    from articast.config import ENGINE_OPTION_KEYS, OUT_DIR, Settings, setting_keys

    defaults = {f.name: f.default for f in fields(Settings) if f.default is not MISSING}
    rows = ["| `articast.toml` | flag | variable | default |", "| --- | --- | --- | --- |"]
    for setting in _ordered(setting_keys().values()):
        default = defaults.get(setting.name)
        if isinstance(default, bool):
            default = str(default).lower()  # as TOML writes it
        shown = "" if default is None or setting.name in ENGINE_OPTION_KEYS else f"`{default}`"
        rows.append(f"| `[{setting.table}] {setting.key}` | `{setting.flag}` | `{setting.variable}` | {shown} |")
    rows.append(f"| (the show folder) | `{OUT_DIR.flag}` | `{OUT_DIR.variable}` | `output` |")
    return "\n".join(rows)


def _ordered(settings):
    return sorted(settings, key=lambda s: "show produce cluster".split().index(s.table))


def settings_summary() -> str:
    """The README's short table: each articast.toml table's keys, with the flags and variables that
    do not follow the rule beside them (the whole table is in docs/cli.md)."""
    from articast.config import flag_for, setting_keys, variable_for

    by_table: dict[str, list[str]] = {}
    for setting in _ordered(setting_keys().values()):
        odd = [spelling for spelling, rule in ((setting.flag, flag_for(setting.key)),
                                                (setting.variable, variable_for(setting.key))) if spelling != rule]
        by_table.setdefault(setting.table, []).append(
            f"`{setting.key}`" + (f" ({', '.join(f'`{o}`' for o in odd)})" if odd else ""))
    rows = [START, "| `articast.toml` | keys |", "| --- | --- |"]
    rows += [f"| `[{table}]` | {', '.join(keys)} |" for table, keys in by_table.items()]
    rows.append(END)
    return "\n".join(rows)


def readme(text: str) -> str:
    """The README with its settings table made again."""
    start, end = text.index(START), text.index(END) + len(END)
    return text[:start] + settings_summary() + text[end:]


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    wanted = {REFERENCE: reference(), README: readme(README.read_text(encoding="utf-8"))}
    if "--check" in argv:
        stale = [path for path, text in wanted.items()
                 if not path.is_file() or path.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run python scripts/make_reference.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in wanted.items():
        path.write_text(text, encoding="utf-8")
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
