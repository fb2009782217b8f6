"""Settings precedence: flag > ARTICAST_* > articast.toml > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from articast import InputError
from articast.config import Settings, resolve_settings


def test_defaults(tmp_path: Path):
    s = resolve_settings({"out_dir": tmp_path}, env={})
    assert s == Settings(out_dir=tmp_path)


def test_precedence(tmp_path: Path):
    (tmp_path / "articast.toml").write_text('[show]\ntitle = "File Show"\nauthor = "File"\n'
                                            '[produce]\npace = 150\nmono = true\n')
    s = resolve_settings({"out_dir": tmp_path}, env={})
    assert (s.show, s.author, s.pace_wpm, s.mono) == ("File Show", "File", 150.0, True)
    s = resolve_settings({"out_dir": tmp_path}, env={"ARTICAST_PACE": "170", "ARTICAST_MONO": "0"})
    assert (s.pace_wpm, s.mono, s.show) == (170.0, False, "File Show")
    s = resolve_settings({"out_dir": tmp_path, "pace_wpm": 160.0}, env={"ARTICAST_PACE": "170"})
    assert s.pace_wpm == 160.0


def test_out_dir_from_environment(tmp_path: Path):
    assert resolve_settings({}, env={"ARTICAST_OUT": str(tmp_path)}).out_dir == tmp_path


def test_bad_values_name_their_source(tmp_path: Path):
    with pytest.raises(InputError, match="ARTICAST_PACE"):
        resolve_settings({"out_dir": tmp_path}, env={"ARTICAST_PACE": "fast"})
    (tmp_path / "articast.toml").write_text("not = [valid")
    with pytest.raises(InputError, match="articast.toml"):
        resolve_settings({"out_dir": tmp_path}, env={})


@pytest.mark.parametrize("toml, message", [
    ('[show]\ntitle = ["a", "b"]\n', r"\[show\] title: \['a', 'b'\] is not a valid value for show \(it takes text\)"),
    ("[produce]\njobs = 1.5\n", r"jobs: 1.5 is not a valid value for jobs \(it takes a whole number\)"),
    ("[produce]\npace = true\n", r"pace: True is not a valid value for pace_wpm \(it takes a number\)"),
    ("[show]\nauthor = 3\n", r"author: 3 is not a valid value for author"),
    ('[show]\nbase_url = "javascript:alert(1)"\n', r"it takes an http:// or https:// address"),
    ('[show]\nbase_url = "ftp://example.org/pod"\n', r"it takes an http:// or https:// address"),
])
def test_wrong_types_in_the_settings_file_are_refused(tmp_path: Path, toml: str, message: str):
    (tmp_path / "articast.toml").write_text(toml)
    with pytest.raises(InputError, match=message):
        resolve_settings({"out_dir": tmp_path}, env={})


def test_a_base_url_flag_must_be_http_too(tmp_path: Path):
    with pytest.raises(InputError, match="--base-url: 'example.org' is not a valid value"):
        resolve_settings({"out_dir": tmp_path, "base_url": "example.org"}, env={})
    assert resolve_settings({"out_dir": tmp_path, "base_url": "https://example.org/p"}, env={}).base_url == \
        "https://example.org/p"


def test_unknown_keys_and_tables_are_warned_about_with_the_nearest_known(tmp_path: Path, caplog):
    (tmp_path / "articast.toml").write_text(
        '[show]\ntitel = "Mine"\nemail = "a@example.org"\n[produse]\npace = 150\n[produce]\nvoise = "x"\n'
        '[[follow]]\nsource = "https://example.org/feed"\nmax_neu = 2\n[lexicon]\nGIF = "jif"\n')
    with caplog.at_level("WARNING", logger="articast.config"):
        settings = resolve_settings({"out_dir": tmp_path}, env={})
    said = [record.getMessage() for record in caplog.records]
    assert any("unknown key 'titel' in [show], ignored; did you mean 'title'?" in m for m in said), said
    assert any("unknown table [produse], ignored; did you mean 'produce'?" in m for m in said), said
    assert any("unknown key 'voise' in [produce], ignored; did you mean 'voice'?" in m for m in said), said
    assert any("unknown key 'max_neu' in [[follow]], ignored; did you mean 'max_new'?" in m for m in said), said
    assert not any("GIF" in m or "email" in m for m in said), said
    assert settings.owner_email == "a@example.org" and settings.lexicon == {"GIF": "jif"}


def test_a_settings_file_that_is_not_utf8_is_one_line(tmp_path: Path):
    import subprocess
    import sys

    (tmp_path / "articast.toml").write_bytes('[show]\ntitle = "Caf\u00e9"\n'.encode("latin-1"))
    with pytest.raises(InputError, match="is not UTF-8 text; save it as UTF-8"):
        resolve_settings({"out_dir": tmp_path}, env={})
    run = subprocess.run([sys.executable, "-m", "articast", "publish", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "unexpected" not in run.stderr


def test_jobs_are_bounded_by_the_cores_and_the_memory(tmp_path: Path, monkeypatch, caplog):
    import os

    from articast import config

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(config, "_available_mb", lambda: 100_000)
    with caplog.at_level("WARNING", logger="articast.config"):
        assert resolve_settings({"out_dir": tmp_path, "jobs": 1000}, env={}).jobs == 2
    assert any("1000 speech workers is more than this machine can run at once; using 2 (2 cores)" in r.getMessage()
               for r in caplog.records)
    monkeypatch.setattr(config, "_available_mb", lambda: 900)  # room for two workers of 400 MB
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert config.usable_jobs(8) == (2, "8 speech workers is more than this machine can run at once; using 2 "
                                        "(16 cores, 0.9 GB free at 400 MB a worker)")
    assert config.usable_jobs(2) == (2, None)
