"""gTTS offline: the `responses` library answers gTTS's real batchexecute request with real MP3 bytes."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import time
import urllib.parse

import numpy as np
import pytest
import requests
import responses

from articast import SpeechError
from articast.ffmpeg import ffmpeg_exe
from articast.speech import EngineOptions, get_engine
from articast.speech import gtts as gtts_engine

URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


@pytest.fixture(scope="module")
def piper():
    return get_engine("piper")


def mp3_of(text: str, piper) -> bytes:
    """What Google would send: real speech as a 24 kHz mono MP3."""
    clip = piper.synthesize(text)
    result = subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "f32le", "-ar", str(clip.sample_rate_hz), "-ac", "1",
                             "-i", "-", "-ar", "24000", "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "-"],
                            input=clip.samples.tobytes(), capture_output=True, check=True)
    return result.stdout


def request_text(body: str) -> tuple[str, str]:
    """The text and language gTTS put in its f.req form field."""
    freq = urllib.parse.parse_qs(body)["f.req"][0]
    rpc = json.loads(freq)
    text, lang, _speed, _ = json.loads(rpc[0][0][1])
    return text, lang


def batchexecute(mp3: bytes) -> str:
    """A well-formed batchexecute answer carrying the audio, as Google's endpoint shapes it."""
    payload = json.dumps([["wrb.fr", "jQ1olc", json.dumps([base64.b64encode(mp3).decode("ascii")]), None, None,
                           None, "generic"], ["di", 52], ["af.httprm", 51, "-2734571866281474389", 23]],
                         separators=(",", ":"))
    return f")]}}'\n\n{len(payload)}\n{payload}\n25\n[[\"e\",4,null,null,{len(payload) + 40}]]\n"


@pytest.fixture(autouse=True)
def _instant_backoff(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(gtts_engine, "_sleep", waits.append)
    return waits


@pytest.mark.slow
@responses.activate
def test_a_long_segment_goes_in_several_requests_and_comes_back_as_one_clip(piper):
    sent: list[str] = []

    def answer(request):
        text, lang = request_text(request.body)
        assert lang == "en"
        sent.append(text)
        return 200, {"Content-Type": "application/json; charset=utf-8"}, batchexecute(mp3_of(text, piper))

    responses.add_callback(responses.POST, URL, callback=answer)
    engine = get_engine("gtts")
    text = ("The night library stays open until two in the morning, and in its first month it lent more books "
            "after dark than the central library lent all summer long, which surprised everyone.")
    clip = engine.synthesize(text)
    assert len(sent) == 3 and all(len(t) <= 100 for t in sent)
    assert " ".join(sent) == text
    assert clip.sample_rate_hz == 24000
    seconds = clip.duration_ms / 1000
    assert 150 <= len(text.split()) / seconds * 60 <= 230
    assert float(np.sqrt(np.mean(clip.samples ** 2))) > 0.02


@responses.activate
def test_429_is_retried_then_succeeds(piper, _instant_backoff):
    calls = {"n": 0}

    def answer(request):
        calls["n"] += 1
        if calls["n"] == 1:
            return 429, {"Retry-After": "1"}, "Too Many Requests"
        text, _ = request_text(request.body)
        return 200, {}, batchexecute(mp3_of(text, piper))

    responses.add_callback(responses.POST, URL, callback=answer)
    clip = get_engine("gtts").synthesize("Hello from the other side.")
    assert calls["n"] == 2 and _instant_backoff == [1.0]
    assert clip.duration_ms > 800


@responses.activate
def test_persistent_5xx_fails_with_a_clear_error_after_bounded_retries(_instant_backoff):
    responses.add(responses.POST, URL, status=503, body="Service Unavailable")
    with pytest.raises(SpeechError, match=r"gtts: Google Translate answered HTTP 503 after 4 tries"):
        get_engine("gtts").synthesize("Hello.")
    assert len(responses.calls) == 4
    assert _instant_backoff == [0.5, 1.0, 2.0]


@responses.activate
def test_connection_error_fails_and_says_the_network_is_needed(_instant_backoff):
    responses.add(responses.POST, URL, body=requests.exceptions.ConnectionError("no route to host"))
    with pytest.raises(SpeechError, match="no connection to Google Translate after 4 tries.*--engine piper"):
        get_engine("gtts").synthesize("Hello.")


@responses.activate
def test_accent_goes_to_its_own_domain_and_language(piper):
    def answer(request):
        text, lang = request_text(request.body)
        assert lang == "en"
        return 200, {}, batchexecute(mp3_of(text, piper))

    responses.add_callback(responses.POST, URL.replace(".com/", ".co.uk/"), callback=answer)
    engine = get_engine("gtts", EngineOptions(voice="en:co.uk"))
    assert engine.cache_key() == {"engine": "gtts", "lang": "en", "tld": "co.uk", "tempo": 1.0}
    assert engine.synthesize("Good morning.").duration_ms > 300


@pytest.mark.slow
def test_produce_with_gtts_and_no_network_fails_fast_and_writes_nothing(tmp_path):
    """The real CLI, the real gTTS, and this machine's real lack of a route to Google."""
    out = tmp_path / "show"
    article = tmp_path / "a.txt"
    article.write_text("A Title\n\nOne sentence to say. Another one after it.\n")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "articast", "produce", str(article), "--engine", "gtts",
                             "--out", str(out)], capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "HTTPS_PROXY": "http://127.0.0.1:9",
                                 "https_proxy": "http://127.0.0.1:9"})
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.match(r"error: gtts: no connection", lines[0]), lines
    assert elapsed < 20
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.slow
@responses.activate
def test_gtts_follows_the_article_language_unless_lang_is_given(piper, tmp_path):
    from articast import Settings, produce

    languages: list[str] = []

    def answer(request):
        text, lang = request_text(request.body)
        languages.append(lang)
        return 200, {"Content-Type": "application/json; charset=utf-8"}, batchexecute(mp3_of(text, piper))

    responses.add_callback(responses.POST, URL, callback=answer)
    article = tmp_path / "haushalt.md"
    article.write_text("# Der Haushalt\n\nAm 3. März 2025 stellte die Regierung in Berlin den neuen Haushalt vor. "
                       "Er sieht Ausgaben von 476,8 Mrd. Euro vor, deutlich mehr als im Vorjahr.\n")
    produce(article, Settings(out_dir=tmp_path / "show", engine="gtts", music=False))
    assert set(languages) == {"de"}
    languages.clear()
    produce(article, Settings(out_dir=tmp_path / "other", engine="gtts", music=False,
                              engine_options={"lang": "fr"}))
    assert set(languages) == {"fr"}  # --lang fr: the user's choice, with a warning
