"""Voices by role: questions and headings in one voice, answers in another; `articast voices`."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from articast import InputError, Settings, pipeline
from articast.commands.options import split_voices as _voice_flags
from articast.config import resolve_settings
from articast.models import Clip

from .conftest import DATA


class VoiceEngine:
    NAME = "fake"
    OFFLINE = True
    PARALLEL = False
    CONCURRENT = False
    OPTIONS: dict = {}
    threads = None

    def __init__(self, voice, log):
        self.voice, self.log = voice, log

    def cache_key(self):
        return {"engine": self.NAME, "voice": self.voice}

    def synthesize(self, text):
        self.log.append((self.voice, text))
        n = int(len(text.split()) * 0.37 * 22050)
        return Clip((0.3 * np.sin(np.arange(n) * 0.05)).astype(np.float32), 22050)


@pytest.fixture
def spoken(monkeypatch, tmp_path):
    log: list[tuple[str | None, str]] = []
    built: dict[str | None, VoiceEngine] = {}

    def get_engine(name, options):
        built.setdefault(options.voice, VoiceEngine(options.voice, log))
        return built[options.voice]

    monkeypatch.setattr("articast.speech.schedule.get_engine", get_engine)
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    return log


@pytest.mark.slow
def test_questions_and_answers_get_their_own_voices(tmp_path, spoken):
    settings = Settings(out_dir=tmp_path, music=False, role_voices={"question": "Q", "answer": "A"})
    pipeline.produce(DATA / "qa-article.txt", settings)
    by_voice = {v: [t for vv, t in spoken if vv == v] for v in ("Q", "A")}
    assert by_voice["Q"] == ["How do bees find their way home?", "Why do bees dance?",
                             "What This Means for Gardeners"]
    assert all(not t.endswith("?") for t in by_voice["A"]) and len(by_voice["A"]) >= 3


@pytest.mark.slow
def test_one_voice_stays_one_voice(tmp_path, spoken):
    pipeline.produce(DATA / "qa-article.txt", Settings(out_dir=tmp_path, music=False))
    assert {v for v, _ in spoken} == {None}


def test_voice_flags_and_settings_file(tmp_path):
    assert _voice_flags(["joe"]) == ("joe", {})
    assert _voice_flags(["question=en:co.uk", "body=en:com.au"]) == (None, {"question": "en:co.uk",
                                                                           "answer": "en:com.au"})
    assert _voice_flags(["/voices/a=b.onnx"]) == ("/voices/a=b.onnx", {})
    with pytest.raises(InputError, match="unknown role 'narrator'"):
        _voice_flags(["narrator=x"])
    (tmp_path / "articast.toml").write_text('[voices]\nheading = "Q"\nanswer = "A"\n')
    s = resolve_settings({"out_dir": tmp_path, "role_voices": {"answer": "B"}}, env={})
    assert s.role_voices == {"question": "Q", "answer": "B"}


@pytest.mark.slow
def test_voices_command_lists_both_engines_and_says_which_work_offline():
    result = subprocess.run([sys.executable, "-m", "articast", "voices"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "piper (offline, default)" in result.stdout
    assert "gtts (online: needs the network)" in result.stdout
    assert "* joe" in result.stdout and "en:co.uk" in result.stdout
