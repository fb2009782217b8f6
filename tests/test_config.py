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
