"""Options several commands share, each defined once; and the settings the parsed flags give.

A setting's flag follows config's naming rule (``config.setting_keys``): an option added with
:func:`add_setting` is stored under the setting's name, and :func:`settings_from` hands every
one a command has to ``resolve_settings`` without a list of them being kept here.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..config import Settings, normalise_role, parse_engine_options, resolve_settings, setting_keys


def add_setting(parser: Any, name: str, *flags: str, **kwargs: Any) -> argparse.Action:
    """Add the flag of the setting ``name`` (by the naming rule), storing the value under ``name``.

    ``flags`` are further spellings (``-o``); ``parser`` may be an argument group."""
    flag = setting_keys()[name].flag
    action: argparse.Action = parser.add_argument(flag, *flags, dest=name, **kwargs)
    return action


def add_out(parser: Any, help: str = "the show folder (default: output/)") -> None:
    """``--out DIR``: the show folder (also ARTICAST_OUT)."""
    parser.add_argument("--out", dest="out_dir", metavar="DIR", help=help)


def add_title(parser: Any) -> None:
    """``--title``: the episode's title."""
    parser.add_argument("--title", help="episode title (default: the article's own title)")


def add_lexicon(parser: Any, help: str = "lexicon file, as for produce") -> None:
    """``--lexicon FILE``: words and how to say them."""
    add_setting(parser, "lexicon", type=Path, metavar="FILE", help=help)


def add_language(parser: Any) -> None:
    """``--language TAG``: the article's language, whatever it says."""
    add_setting(parser, "article_language", metavar="TAG",
                help="the article's language as a BCP 47 tag (de, fr-CA, pt-BR), over what the article "
                     "says of itself and what its text shows (also [produce] language)")


def add_ray(parser: Any, help: str) -> None:
    """``--ray ADDRESS``: a Ray cluster to produce on."""
    add_setting(parser, "ray", metavar="ADDRESS", help=help)


def add_engine(parser: Any, help: str) -> None:
    """``--engine NAME``: the speech engine."""
    add_setting(parser, "engine", metavar="NAME", help=help)


def add_engine_options(parser: Any) -> None:
    """``--engine-option KEY=VALUE`` and the aliases of the built-in engines' options."""
    parser.add_argument("--engine-option", dest="engine_option", action="append", metavar="KEY=VALUE",
                        help="an option of the speech engine, as it names them in 'articast voices' "
                             "(repeat for several); for example speaker=3 for Piper, lang=fr for gtts")
    add_speaker(parser, "speaker of a multi-speaker Piper voice (the same as --engine-option speaker=NAME)")
    add_setting(parser, "lang", metavar="CODE",
                help="gtts language, for example en, fr, de (default en; --engine-option lang=CODE)")
    add_setting(parser, "tld", metavar="DOMAIN",
                help="gtts accent by Google domain: com, co.uk, com.au, ca, co.in, ie ... (default com; "
                     "--engine-option tld=DOMAIN)")
    add_server_options(parser)


def add_server_options(parser: Any) -> None:
    """``--endpoint``, ``--model`` and ``--instructions``: a speech server's (the openai engine's) options."""
    add_setting(parser, "endpoint", metavar="URL",
                help="with --engine openai: the speech server's address up to /v1, e.g. http://localhost:8880/v1 "
                     "(default: OpenAI's own); its key comes from ARTICAST_API_KEY, or OPENAI_API_KEY for OpenAI")
    add_setting(parser, "model", metavar="NAME",
                help="with --engine openai: the model (default gpt-4o-mini-tts at OpenAI, tts-1 elsewhere)")
    add_setting(parser, "instructions", metavar="TEXT",
                help="with --engine openai: how to speak, for models that take it (gpt-4o-mini-tts), "
                     "e.g. 'Warm and unhurried'")


def add_speaker(parser: Any, help: str) -> None:
    """``--speaker NAME``: the speaker of a multi-speaker voice (Piper's engine option)."""
    add_setting(parser, "speaker", metavar="NAME", help=help)


def add_show_options(parser: Any) -> None:
    """The show's own settings, for init and publish."""
    add_out(parser)
    add_setting(parser, "show", metavar="TITLE", help="the show's title")
    add_setting(parser, "author", help="the show's author")
    add_setting(parser, "description", help="what the show is about")
    add_setting(parser, "language", metavar="CODE", help="the show's language (default: en)")
    add_setting(parser, "category", metavar="NAME",
                help="Apple Podcasts category, e.g. 'News' or 'News > Tech News' (default: News)")
    add_setting(parser, "explicit", action=argparse.BooleanOptionalAction, default=None,
                help="mark the show explicit (default: no)")
    add_setting(parser, "owner_email", metavar="ADDRESS", help="owner's e-mail for the feed (Apple requires one)")
    add_setting(parser, "base_url", metavar="URL",
                help="public URL of the show folder (default: http://127.0.0.1:8000, as served by 'articast serve')")
    add_setting(parser, "cover", type=Path, metavar="FILE",
                help="cover image (square, 1400-3000 px; others are cropped and scaled)")


def split_voices(values: list[str] | None) -> tuple[str | None, dict[str, str]]:
    """Split repeated --voice values into the default voice and voices by role."""
    default, roles = None, {}
    for value in values or []:
        role, sep, voice = value.partition("=")
        if sep and not any(ch in role for ch in "/\\.") and role.strip():
            roles[normalise_role(role)] = voice
        else:
            default = value
    return default, roles


def settings_from(args: argparse.Namespace, **given: Any) -> Settings:
    """The settings for a command: every setting its flags give (None: not given), over the
    variables, articast.toml and the defaults (see config.resolve_settings)."""
    flags: dict[str, Any] = {"out_dir": getattr(args, "out_dir", None)}
    flags.update({name: getattr(args, name) for name in setting_keys() if hasattr(args, name)})
    if hasattr(args, "voice"):
        flags["voice"], flags["role_voices"] = split_voices(args.voice)
    if hasattr(args, "engine_option"):
        flags["engine_options"] = parse_engine_options(args.engine_option)
    flags.update(given)
    return resolve_settings(flags)
