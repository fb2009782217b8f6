"""Settings: command-line flag > ARTICAST_* variable > the show folder's articast.toml > default."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NamedTuple

from .errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

log = logging.getLogger(__name__)

SETTINGS_FILE = "articast.toml"
DEFAULT_OUT = Path("output")


def _key(table: str, key: str | None = None) -> dict[str, str | None]:
    """Where a setting lives in articast.toml: ``[table] key`` (the key is the field's name unless given).
    The setting's flag and variable follow from the key by one rule (see :func:`flag_for`)."""
    return {"table": table, "key": key}


@dataclass(frozen=True)
class Settings:
    """Everything produce needs besides the article."""

    out_dir: Path = DEFAULT_OUT
    """The show folder where episodes are written."""

    show: str = field(default="articast", metadata=_key("show", "title"))
    """The show's name, written as the album tag."""

    author: str | None = field(default=None, metadata=_key("show"))
    """Credit used when the article names no author; the show's author in the feed."""

    description: str | None = field(default=None, metadata=_key("show"))
    """The show's description in the feed and on its page."""

    language: str | None = field(default=None, metadata=_key("show"))
    """The show's language (RSS language code); None: its episodes' language when they agree, else English."""

    category: str = field(default="News", metadata=_key("show"))
    """Apple Podcasts category, optionally 'Category > Subcategory'."""

    explicit: bool = field(default=False, metadata=_key("show"))
    """Whether the show is marked explicit."""

    owner_email: str | None = field(default=None, metadata=_key("show", "email"))
    """Contact e-mail for itunes:owner (Apple requires one)."""

    base_url: str | None = field(default=None, metadata=_key("show"))
    """Public URL of the show folder; the feed's links start with it."""

    cover: Path | None = field(default=None, metadata=_key("show"))
    """The show's cover image; articast draws one with the title when None."""

    publish_to: str | None = field(default=None, metadata=_key("show"))
    """Where publish copies the show: s3://bucket/prefix, sftp://user@host/path, file:///path or any
    fsspec URL; None keeps it in the show folder only."""

    endpoint_url: str | None = field(default=None, metadata=_key("show"))
    """An S3-compatible service's address (MinIO, R2, B2) for publish_to; None is AWS itself."""

    engine: str = field(default="piper", metadata=_key("produce"))
    """Speech engine name."""

    voice: str | None = field(default=None, metadata=_key("produce"))
    """The engine's voice (name or file); the engine's default when None."""

    role_voices: dict[str, str] = field(default_factory=dict)
    """Voices by role: 'question' (titles, headings, questions) and 'answer' (the body)."""

    language_voices: dict[str, str] = field(default_factory=dict)
    """Voices by language (``[voices] de = "de_DE-thorsten-medium"``), for articles in that language."""

    article_language: str | None = field(default=None, metadata=_key("produce", "language"))
    """The articles' language (BCP 47), over what each article says or its text shows; None: as found."""

    engine_options: dict[str, str] = field(default_factory=dict)
    """The engine's own options (``--engine-option KEY=VALUE``, ``[engine_options]``), each engine
    reading the ones it defines; ``speaker``, ``lang``, ``tld``, ``endpoint``, ``model`` and
    ``instructions`` also have settings of their own (see ENGINE_OPTION_KEYS)."""

    pace_wpm: float = field(default=160.0, metadata=_key("produce", "pace"))
    """Speaking rate in words a minute while the voice talks."""

    jobs: int | None = field(default=None, metadata=_key("produce"))
    """Synthesis worker processes; None means one per core."""

    mono: bool = field(default=False, metadata=_key("produce"))
    """Mono 64 kbps instead of stereo 128 kbps."""

    music: bool = field(default=True, metadata=_key("produce"))
    """Mix intro and outro music."""

    intro: Path | None = field(default=None, metadata=_key("produce"))
    """The user's intro music; articast's own when None."""

    outro: Path | None = field(default=None, metadata=_key("produce"))
    """The user's outro music; articast's own when None."""

    lexicon: dict[str, str] = field(default_factory=dict, metadata=_key("produce"))
    """Words mapped to how they should be said: articast.toml [lexicon], then the --lexicon file."""

    ray: str | None = field(default=None, metadata=_key("cluster"))
    """A Ray cluster to produce on ('local', 'auto', 'ray://host:10001'); None produces here."""


class Key(NamedTuple):
    """One setting's three spellings: its key in articast.toml, its flag and its variable."""

    name: str
    """The Settings field."""

    table: str
    """The articast.toml table it is in."""

    key: str
    """Its key in that table."""

    flag: str
    """The command-line flag that sets it."""

    variable: str
    """The environment variable that sets it."""


# The naming rule: a key ``some_key`` in a table is the flag ``--some-key`` and the variable
# ``ARTICAST_SOME_KEY``. The exceptions, each with its reason:
FLAG_EXCEPTIONS = {
    "show": "--show",  # [show] title: --title names an episode
    "publish_to": "--to",  # publish --to URL reads as what it does
    "music": "--no-music",  # music is on unless turned off
}
VARIABLE_EXCEPTIONS = {
    "show": "ARTICAST_SHOW",  # as its flag
    "article_language": "ARTICAST_ARTICLE_LANGUAGE",  # ARTICAST_LANGUAGE is the show's [show] language
    "endpoint_url": "AWS_ENDPOINT_URL",  # the variable every S3 tool already reads
}
OUT_DIR = Key("out_dir", "", "", "--out", "ARTICAST_OUT")
"""The show folder is not in articast.toml: articast.toml is in it."""

ENGINE_OPTION_KEYS = ("speaker", "lang", "tld", "endpoint", "model", "instructions")
"""Engine options with a key of their own in [produce] (and so their own flag and variable, by the
rule): Piper's speaker, gTTS's language and accent (from before each engine owned its options), and
the speech server's endpoint, model and instructions (openai's, and any server engine's). They
join ``[engine_options]`` and ``--engine-option``; an engine that does not take one leaves it."""


def flag_for(key: str) -> str:
    """The rule: a key ``some_key`` is the flag ``--some-key``."""
    return "--" + key.replace("_", "-")


def variable_for(key: str) -> str:
    """The rule: a key ``some_key`` is the variable ``ARTICAST_SOME_KEY``."""
    return "ARTICAST_" + key.upper()


def setting_keys() -> dict[str, Key]:
    """Every setting that articast.toml, a flag and a variable can set, by Settings field."""
    keys = {}
    for f in fields(Settings):
        if "table" in f.metadata:
            key = f.metadata["key"] or f.name
            keys[f.name] = Key(f.name, f.metadata["table"], key, FLAG_EXCEPTIONS.get(f.name, flag_for(key)),
                               VARIABLE_EXCEPTIONS.get(f.name, variable_for(key)))
    for key in ENGINE_OPTION_KEYS:
        keys[key] = Key(key, "produce", key, flag_for(key), variable_for(key))
    return keys


ROLES = {"question": "question", "heading": "question", "title": "question", "answer": "answer", "body": "answer"}


def voice_role(segment_role: str) -> str:
    """Which voice role speaks a segment: titles and headings are 'question', the rest 'answer'."""
    return "question" if segment_role in ("title", "heading") else "answer"


def normalise_role(role: str, origin: str = "--voice") -> str:
    """'question'/'heading'/'title' -> 'question'; 'answer'/'body' -> 'answer'; anything else is an error."""
    key = role.strip().lower()
    if key not in ROLES:
        raise InputError(f"{origin}: unknown role {role!r}; choose one of: question, answer")
    return ROLES[key]


_KINDS = {"pace_wpm": "a number", "jobs": "a whole number", "mono": "true or false", "music": "true or false",
          "explicit": "true or false"}


def _convert(name: str, value: Any, origin: str) -> Any:
    # articast.toml gives typed values: a list, a table, or a number where text belongs is a mistake
    # (title = ["a", "b"] must not reach the feed as "['a', 'b']"); flags and variables give text.
    kind = _KINDS.get(name, "text")
    wrong = (isinstance(value, (list, dict))
             or (kind == "text" and not isinstance(value, (str, Path)))
             or (kind == "a number" and (isinstance(value, bool) or not isinstance(value, (int, float, str))))
             or (kind == "a whole number" and (isinstance(value, (bool, float)))))
    if wrong:
        raise InputError(f"{origin}: {value!r} is not a valid value for {name} (it takes {kind})")
    try:
        if name == "pace_wpm":
            return float(value)
        if name == "jobs":
            jobs = int(value)
            if jobs < 1:
                raise ValueError(value)
            return jobs
        if name in ("base_url", "endpoint_url"):
            from urllib.parse import urlsplit

            text = str(value).strip()
            parts = urlsplit(text)
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                raise InputError(f"{origin}: {value!r} is not a valid value for {name} "
                                 "(it takes an http:// or https:// address)")
            return text
        if name in ("mono", "music", "explicit"):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if name == "lexicon":
            return load_lexicon(Path(str(value)).expanduser())
        if name == "article_language":
            from .languages import normalise_tag

            tag = normalise_tag(str(value))
            if tag is None:
                raise InputError(f"{origin}: {value!r} is not a language tag (de, fr-CA, pt-BR)")
            return tag
        if name in ("intro", "outro", "out_dir", "cover"):
            return Path(str(value)).expanduser() if str(value) else None
        return str(value)
    except (TypeError, ValueError):
        raise InputError(f"{origin}: {value!r} is not a valid value for {name}") from None


def _lexicon_table(data: Mapping[str, Any], origin: str) -> dict[str, str]:
    table = data.get("lexicon", data)
    if not isinstance(table, dict):
        raise InputError(f"{origin}: [lexicon] must be a table of word = \"how to say it\"")
    out: dict[str, str] = {}
    for word, said in table.items():
        if isinstance(said, dict) and table is data:
            continue  # another table in a settings-style file
        if not isinstance(said, str) or not word.strip():
            raise InputError(f"{origin}: lexicon entry {word!r} must map to a string")
        out[word.strip()] = said
    return out


def load_lexicon(path: Path) -> dict[str, str]:
    """Read a lexicon file: TOML with word = "how to say it" pairs, at the top level or under [lexicon]."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"{path}: no such lexicon file") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    return _lexicon_table(data, str(path))


# articast.toml's tables and the keys each takes: the settings' keys, and the ones read elsewhere.
_TABLES: dict[str, set[str]] = {"show": set(), "produce": set(), "cluster": set(), "voices": set(ROLES),
                                "lexicon": set(), "engine_options": set(), "follow": {"source", "kind", "max_new"}}
for _setting in setting_keys().values():
    _TABLES[_setting.table].add(_setting.key)

_warned: set[str] = set()


def _warn_unknown(data: Mapping[str, Any], path: Path) -> None:
    """A warning (once) for each table and key articast.toml has that articast does not know, naming
    the nearest it does: a misspelled key is otherwise silently ignored."""
    def near(word: str, choices: set[str]) -> str:
        import difflib  # (only for a key that is not known)

        close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
        return f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(sorted(choices))}"

    notes = []
    for table, value in data.items():
        if table not in _TABLES:
            notes.append(f"{path}: unknown table [{table}], ignored{near(table, set(_TABLES))}")
        elif table not in ("lexicon", "voices", "engine_options") and isinstance(value, dict):
            notes += [f"{path}: unknown key {key!r} in [{table}], ignored{near(key, _TABLES[table])}"
                      for key in value if key not in _TABLES[table]]
        elif table == "follow" and isinstance(value, list):
            notes += [f"{path}: unknown key {key!r} in [[follow]], ignored{near(key, _TABLES[table])}"
                      for entry in value if isinstance(entry, dict) for key in entry if key not in _TABLES[table]]
    for note in notes:
        warn_once(note)


def warn_once(note: str) -> None:
    """A warning line, said once however often the settings are read."""
    if note not in _warned:
        _warned.add(note)
        log.warning("%s", note)


def load_settings_file(out_dir: Path) -> dict[str, Any]:
    """Read the show folder's articast.toml; a missing file is an empty one."""
    path = Path(out_dir) / SETTINGS_FILE
    if not path.is_file():
        return {}
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text; save it as UTF-8 (TOML files are UTF-8)") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    _warn_unknown(data, path)
    return data


WORKER_MB = 400
"""What one speech worker may take at most (the voice and onnxruntime's working memory)."""


def _available_mb() -> int | None:
    """Memory the system can give without swapping (Linux's MemAvailable), in MB; None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 1_000_000
    except (ValueError, OSError, AttributeError):
        return None


def usable_jobs(requested: int) -> tuple[int, str | None]:
    """``requested`` speech workers bounded by the cores (more only take turns) and the memory (each
    needs up to WORKER_MB); with a line saying so when it was more than that."""
    cores = os.cpu_count() or 1
    memory = _available_mb()
    bound = min(cores, max(1, memory // WORKER_MB)) if memory is not None else cores
    if requested <= bound:
        return requested, None
    why = f"{cores} core{'s' if cores != 1 else ''}"
    if memory is not None and memory // WORKER_MB < cores:
        why += f", {memory / 1000:.1f} GB free at {WORKER_MB} MB a worker"
    return bound, f"{requested} speech workers is more than this machine can run at once; using {bound} ({why})"


def resolve_settings(flags: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Settings:
    """Merge flags (None means not given), environment and the settings file over the defaults.

    ``flags`` are by Settings field; the ENGINE_OPTION_KEYS may be given there too, and join the
    engine options given as ``engine_options``.
    """
    env = os.environ if env is None else env
    out_flag = flags.get("out_dir")
    out_dir = Path(out_flag) if out_flag else Path(env.get(OUT_DIR.variable) or DEFAULT_OUT)
    data = load_settings_file(out_dir)
    where = out_dir / SETTINGS_FILE
    values: dict[str, Any] = {"out_dir": out_dir}
    # The lexicon merges: the show's [lexicon] table, then a lexicon file named by flag or variable.
    lexicon = _lexicon_table(data["lexicon"], f"{where}") if isinstance(data.get("lexicon"), dict) else {}
    given = flags.get("lexicon") or env.get("ARTICAST_LEXICON") or _table(data, "produce").get("lexicon")
    if given:
        lexicon.update(_convert("lexicon", given, "--lexicon"))
    values["lexicon"] = lexicon
    voices = _table(data, "voices")
    from .languages import normalise_tag

    languages = {normalise_tag(k) or k: str(v) for k, v in voices.items()
                 if k.strip().lower() not in ROLES and normalise_tag(k)}
    roles = {normalise_role(k, f"{where} [voices]"): str(v) for k, v in voices.items()
             if normalise_tag(k) not in languages}
    values["role_voices"] = roles | (flags.get("role_voices") or {})
    values["language_voices"] = languages
    engine_options = {str(k): _option(v, f"{where} [engine_options] {k}")
                      for k, v in _table(data, "engine_options").items()}
    for name, setting in setting_keys().items():
        if name == "lexicon":
            continue
        flag = flags.get(name)
        if flag is not None:
            value = _convert(name, flag, setting.flag)
        elif env.get(setting.variable, "") != "":
            value = _convert(name, env[setting.variable], setting.variable)
        elif isinstance(data.get(setting.table), dict) and setting.key in data[setting.table]:
            value = _convert(name, data[setting.table][setting.key], f"{where} [{setting.table}] {setting.key}")
        else:
            continue
        if name in ENGINE_OPTION_KEYS:
            engine_options[name] = value
        else:
            values[name] = value
    values["engine_options"] = engine_options | dict(flags.get("engine_options") or {})
    if values.get("jobs") and _speaks_here(values.get("engine", Settings.engine)):
        values["jobs"], note = usable_jobs(values["jobs"])
        if note:
            warn_once(note)
    return Settings(**values)


def _speaks_here(engine: str) -> bool:
    """Whether ``engine``'s jobs are this machine's work (bounded by its cores and memory), not
    requests a server answers."""
    from .speech import BUILT_IN, engine_class

    if engine in BUILT_IN:  # (without importing it)
        return not BUILT_IN[engine].concurrent
    try:
        return not engine_class(engine).CONCURRENT
    except InputError:  # an unknown engine: refused where it is loaded, with the list of engines
        return True


def _table(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A table of articast.toml; empty when it is missing or not a table."""
    table = data.get(name)
    return table if isinstance(table, dict) else {}


def _option(value: Any, origin: str) -> str:
    """An engine option's value from articast.toml: text, a number or true/false, given to the engine as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise InputError(f"{origin}: {value!r} is not a valid value for an engine option (it takes text or a number)")


def parse_engine_options(values: list[str] | None) -> dict[str, str]:
    """``--engine-option KEY=VALUE`` flags as a mapping; a value without ``=`` is an error."""
    options: dict[str, str] = {}
    for value in values or []:
        key, sep, said = value.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--engine-option: {value!r} is not KEY=VALUE")
        options[key.strip()] = said
    return options


AUDIO_MEMO = "audio"
"""The folder, beside the segments in the cache, of remembered audio work (see articast.audio.memo)."""


def default_cache_dir() -> Path:
    """``ARTICAST_CACHE_DIR`` when set, else the user's cache folder (platformdirs)."""
    env = os.environ.get("ARTICAST_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("articast", appauthor=False)) / "segments"


def voices_dir() -> Path:
    """Where downloaded Piper voices live: ``ARTICAST_VOICES_DIR``, else the user's data folder (platformdirs)."""
    env = os.environ.get("ARTICAST_VOICES_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("articast", appauthor=False)) / "voices"
