"""Piper's voice catalogue through a mirror served here: list, download, resume, check, sample, produce."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mutagen.mp3 import MP3

from .helpers import decode, ffmpeg_loudness
from .voicemirror import A, B, MirrorServer, build_mirror

ARTICAST = [sys.executable, "-m", "articast"]

INTERVIEW = """\
# An interview about gardens

## Why do you grow tomatoes?

Because they taste better than anything from the shop, and the plants are easy to keep alive on a sunny balcony.

## What is the hardest part?

Watering them every evening in July, when the soil dries out in a single afternoon and the leaves curl.
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*ARTICAST, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def mirror_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mirror")
    build_mirror(folder)
    return folder


@pytest.fixture
def mirror(mirror_folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A running mirror, a fresh catalogue cache and an empty voices folder for each test."""
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    with MirrorServer(mirror_folder) as server:
        monkeypatch.setenv("ARTICAST_VOICES_URL", server.url)
        yield server


def _catalogue_requests(server: MirrorServer) -> int:
    return sum(1 for path, _ in server.log.requests if path == "voices.json")


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_available_lists_the_catalogue_and_fetches_it_once_a_day(mirror: MirrorServer, tmp_path: Path):
    listed = run("voices", "--available")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines() if line.startswith("  ")}
    assert set(rows) == {A, B, "en_US-broken-medium", "en_US-gone-medium"}
    assert re.search(r"English \(Great Britain\)\s+low\s+2 speakers\s+63\.2 MB", rows[B])
    assert re.search(r"English \(United States\)\s+medium\s+1 speaker\s+63\.2 MB", rows[A])
    assert "installed" not in listed.stdout.replace("install one", "")
    assert _catalogue_requests(mirror) == 1

    only_gb = run("voices", "--available", "--lang", "en_GB")
    assert [line.split()[0] for line in only_gb.stdout.splitlines() if line.startswith("  ")] == [B]
    assert _catalogue_requests(mirror) == 1  # the cached copy, under a day old

    cached = tmp_path / "cache" / "voices.json"
    data = json.loads(cached.read_text())
    data["fetched_at"] -= 25 * 3600
    cached.write_text(json.dumps(data))
    assert run("voices", "--available").returncode == 0
    assert _catalogue_requests(mirror) == 2  # older than a day: fetched again

    assert run("voices", "--download", A).returncode == 0
    again = run("voices", "--available")
    assert re.search(rf"{A}\s.*\binstalled$", again.stdout, re.M)
    none = run("voices", "--available", "--lang", "fr")
    assert none.returncode == 2 and none.stderr.startswith("error: no voice in the catalogue speaks 'fr'")


@pytest.mark.slow
def test_without_a_network_the_cached_catalogue_or_the_installed_voices_are_shown(mirror_folder: Path, tmp_path,
                                                                                 monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    with MirrorServer(mirror_folder) as server:
        monkeypatch.setenv("ARTICAST_VOICES_URL", server.url)
        assert run("voices", "--available").returncode == 0
    cached = tmp_path / "cache" / "voices.json"
    data = json.loads(cached.read_text())
    data["fetched_at"] -= 3 * 24 * 3600
    cached.write_text(json.dumps(data))

    offline = run("voices", "--available")  # the server is gone
    assert offline.returncode == 0
    assert offline.stderr.startswith("note: cannot reach the voice catalogue")
    assert "showing the copy from 72 hours ago" in offline.stderr and len(offline.stderr.splitlines()) == 1
    assert A in offline.stdout and B in offline.stdout

    cached.unlink()
    bare = run("voices", "--available")
    assert bare.returncode == 0
    assert bare.stderr.startswith("note: cannot reach the voice catalogue") and "installed voices only" in bare.stderr
    assert [line.split()[0] for line in bare.stdout.splitlines()] == ["joe"]
    failed = run("voices", "--download", A)
    assert failed.returncode == 1 and failed.stderr.startswith("error: cannot reach the voice catalogue")
    assert "Traceback" not in failed.stderr


@pytest.mark.slow
def test_download_installs_both_files_checked_and_the_voice_is_then_listed(mirror: MirrorServer, tmp_path):
    done = run("voices", "--download", A, B)
    assert done.returncode == 0, done.stderr
    voices = tmp_path / "voices"
    assert done.stdout.splitlines() == [
        f"installed {A} (63.2 MB; MD5 checked): {voices / f'{A}.onnx'}",
        f"installed {B} (63.2 MB; MD5 checked): {voices / f'{B}.onnx'}"]
    assert sorted(p.name for p in voices.iterdir() if not p.name.endswith(".lock")) == [
        f"{B}.onnx", f"{B}.onnx.json", f"{A}.onnx", f"{A}.onnx.json"]
    catalogue = json.loads((mirror.folder / "voices.json").read_text())
    for name in (A, B):
        for path, listed in catalogue[name]["files"].items():
            local = voices / (name + (".onnx.json" if path.endswith(".json") else ".onnx"))
            assert _md5(local) == listed["md5_digest"] and local.stat().st_size == listed["size_bytes"]

    shown = run("voices")
    assert re.search(rf"{A}\s+en_US, medium quality \(downloaded\)", shown.stdout)
    assert re.search(rf"{B}\s+en_GB, low quality, 2 speakers \(downloaded\)", shown.stdout)

    before = len(mirror.log.requests)
    again = run("voices", "--download", A)
    assert again.returncode == 0 and again.stdout.startswith(f"{A} is already installed")
    assert [p for p, _ in mirror.log.requests[before:]] == []  # the catalogue is cached; no file fetched


@pytest.mark.slow
def test_a_checksum_mismatch_installs_nothing(mirror: MirrorServer, tmp_path):
    bad = run("voices", "--download", "en_US-broken-medium")
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1] == (
        "error: en_US-broken-medium.onnx does not match the catalogue's checksum (MD5); it was removed and "
        "nothing was installed")
    assert [p.name for p in (tmp_path / "voices").iterdir()] == [".en_US-broken-medium.lock"]  # no model, config, part


@pytest.mark.slow
def test_a_file_missing_from_the_server_or_a_download_already_running_is_one_line(mirror: MirrorServer, tmp_path):
    from filelock import FileLock

    gone = run("voices", "--download", "en_US-gone-medium")
    assert gone.returncode == 1
    assert gone.stderr.strip().splitlines()[-1].startswith(
        "error: the catalogue lists en_US-gone-medium.onnx.json, but its server answers HTTP 404 for http://")
    with FileLock(tmp_path / "voices" / f".{A}.lock"):  # another articast downloading the same voice
        busy = run("voices", "--download", A)
    assert busy.returncode == 1
    assert busy.stderr.strip() == f"error: {A} is being downloaded by another articast; wait for it"
    assert run("voices", "--download", A).returncode == 0


def test_the_download_bar_draws_on_a_terminal_and_names_each_file_elsewhere():
    import io

    from articast.progress import DownloadBar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    bar = DownloadBar(shown)
    bar("v.onnx", 0, 1_000_000)
    bar("v.onnx", 1_000_000, 1_000_000)
    bar.close()
    assert "\rv.onnx" in shown.getvalue() and "[" + "#" * 30 + "] 1.0 MB / 1.0 MB" in shown.getvalue()
    plain = io.StringIO()
    bar = DownloadBar(plain)
    bar("v.onnx", 500_000, 1_000_000)
    bar("v.onnx", 1_000_000, 1_000_000)
    assert plain.getvalue() == "downloading v.onnx (1.0 MB, resuming at 500 kB)\n"


@pytest.mark.slow
def test_an_interrupted_download_leaves_nothing_installed_and_is_resumed(mirror: MirrorServer, tmp_path):
    model_path = json.loads((mirror.folder / "voices.json").read_text())[A]["files"]
    model_path = next(p for p in model_path if p.endswith(".onnx"))
    mirror.log.cut_once[model_path] = 20_000_000
    cut = run("voices", "--download", A)
    assert cut.returncode == 1
    assert cut.stderr.strip().splitlines()[-1].startswith(
        f"error: the download of {A}.onnx stopped at 20.0 of 63.2 MB")
    assert "run the same command again to resume" in cut.stderr and "Traceback" not in cut.stderr
    voices = tmp_path / "voices"
    assert not (voices / f"{A}.onnx").exists()
    assert (voices / f".{A}.onnx.part").stat().st_size == 20_000_000
    assert A not in run("voices").stdout
    article = tmp_path / "a.md"
    article.write_text(INTERVIEW)
    refused = run("produce", str(article), "--voice", A)
    assert refused.returncode == 2
    assert refused.stderr.strip() == f"error: voice '{A}' is not installed; install it with: articast voices --download {A}"

    resumed = run("voices", "--download", A)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed after 20.0 MB" in resumed.stdout
    assert mirror.log.requests[-1] == (model_path, "bytes=20000000-")
    listed = json.loads((mirror.folder / "voices.json").read_text())[A]["files"][model_path]
    assert _md5(voices / f"{A}.onnx") == listed["md5_digest"]
    assert not list(voices.glob("*.part"))


@pytest.mark.slow
def test_a_voice_named_but_not_installed_is_one_line_and_downloads_nothing(mirror: MirrorServer, tmp_path):
    article = tmp_path / "a.md"
    article.write_text(INTERVIEW)
    for args in (["--voice", B], ["--voice", f"answer={B}"]):
        result = run("produce", str(article), "--out", str(tmp_path / "out"), *args)
        assert result.returncode == 2
        assert result.stderr == (f"error: voice '{B}' is not installed; install it with: "
                                 f"articast voices --download {B}\n")
    unknown = run("produce", str(article), "--voice", "lessac")
    assert unknown.returncode == 2 and "unknown Piper voice 'lessac'" in unknown.stderr
    assert mirror.log.requests == []
    assert not (tmp_path / "voices").exists()


def _high_band_db(samples: np.ndarray, start: float, end: float) -> float:
    """Energy between 8.5 and 11 kHz against 0.1-11 kHz, in dB, over one cue: joe reaches up to 11 kHz;
    voice B plays joe's samples at 16 kHz, so nothing of it lies above 8 kHz."""
    piece = samples[int(start * 44100):int(end * 44100), 0]
    power = np.abs(np.fft.rfft(piece)) ** 2
    freqs = np.fft.rfftfreq(len(piece), 1 / 44100)
    high = power[(freqs > 8500) & (freqs < 11000)].sum()
    return float(10 * np.log10(high / power[(freqs > 100) & (freqs < 11000)].sum() + 1e-12))


def _cues(vtt: Path) -> list[tuple[float, float, str]]:
    found = []
    for match in re.finditer(r"(\d+):(\d+):([\d.]+) --> (\d+):(\d+):([\d.]+)\n(.+)", vtt.read_text()):
        h1, m1, s1, h2, m2, s2 = (float(x) for x in match.groups()[:6])
        found.append((h1 * 3600 + m1 * 60 + s1, h2 * 3600 + m2 * 60 + s2, match.group(7)))
    return found


@pytest.mark.slow
def test_produce_with_two_downloaded_voices_by_role_speaks_questions_and_answers_apart(mirror, tmp_path):
    assert run("voices", "--download", A, B).returncode == 0
    out = tmp_path / "show"
    out.mkdir()
    (out / "articast.toml").write_text(f'[voices]\nquestion = "{B}"\n')  # one role from the show's settings
    article = tmp_path / "interview.md"
    article.write_text(INTERVIEW)
    made = run("produce", str(article), "--out", str(out), "--voice", f"answer={A}", "--no-music")
    assert made.returncode == 0, made.stderr
    mp3 = Path(made.stdout.strip().splitlines()[-1])
    samples = decode(mp3, 1)
    bands = {text: _high_band_db(samples, start, end) for start, end, text in _cues(mp3.with_suffix(".vtt"))}
    questions = [db for text, db in bands.items() if text.endswith("?") or text == "An interview about gardens"]
    answers = [db for text, db in bands.items() if text.startswith(("Because", "Watering"))]
    assert len(questions) == 3 and len(answers) == 2, bands
    assert max(questions) + 10 < min(answers), bands  # B has nothing above 8 kHz; A does


@pytest.mark.slow
def test_sample_speaks_two_sentences_into_an_mp3_in_each_speaker(mirror, tmp_path):
    assert run("voices", "--download", B).returncode == 0
    north = run("voices", "--sample", B, "--speaker", "north")
    assert north.returncode == 0, north.stderr
    assert north.stdout.strip() == f"{B}-sample.mp3"  # in the current folder
    south = run("voices", "--sample", B, "--speaker", "south", "-o", str(tmp_path / "south.mp3"))
    assert south.returncode == 0, south.stderr
    lengths = {}
    for name, path in (("north", tmp_path / f"{B}-sample.mp3"), ("south", tmp_path / "south.mp3")):
        audio = MP3(path)
        lengths[name] = audio.info.length
        assert audio.info.sample_rate == 44100 and audio.info.channels == 2
        lufs, peak = ffmpeg_loudness(path)
        assert -17.5 < lufs < -14.5 and peak < -0.5, (name, lufs, peak)
    assert 6 < lengths["north"] < 20
    assert lengths["south"] > 1.15 * lengths["north"], lengths  # speaker 1 speaks more slowly
    wrong = run("voices", "--sample", B, "--speaker", "east")
    assert wrong.returncode == 2 and "has no speaker 'east'; choose one of: north, south" in wrong.stderr
    missing = run("voices", "--sample", "en_GB-other-low")
    assert missing.returncode == 2 and "articast voices --download en_GB-other-low" in missing.stderr


def test_the_voices_folder_follows_platformdirs_unless_set(monkeypatch):
    from articast.config import voices_dir

    monkeypatch.delenv("ARTICAST_VOICES_DIR")
    assert voices_dir().parts[-2:] == ("articast", "voices")
    monkeypatch.setenv("ARTICAST_VOICES_DIR", "~/v")
    assert voices_dir() == Path(os.path.expanduser("~/v"))


def test_the_default_catalogue_is_piper_s_own(monkeypatch):
    from piper.download_voices import VOICES_JSON

    from articast.speech.catalogue import catalogue_url

    monkeypatch.delenv("ARTICAST_VOICES_URL")
    assert catalogue_url() == VOICES_JSON
    monkeypatch.setenv("ARTICAST_VOICES_URL", "https://mirror.example.org/piper")
    assert catalogue_url() == "https://mirror.example.org/piper/voices.json"


@pytest.mark.slow
def test_update_speaks_in_the_downloaded_voice_the_show_names(mirror, tmp_path):
    assert run("voices", "--download", B).returncode == 0
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "garden.md").write_text(INTERVIEW)
    show = tmp_path / "show"
    show.mkdir()
    (show / "articast.toml").write_text(f'[produce]\nvoice = "{B}"\nmusic = false\n')
    assert run("follow", str(drafts), "--out", str(show)).returncode == 0
    updated = run("update", "--out", str(show))
    assert updated.returncode == 0, updated.stderr
    mp3 = show / "an-interview-about-gardens.mp3"
    samples = decode(mp3, 1)
    cues = _cues(mp3.with_suffix(".vtt"))
    assert len(cues) == 5 and all(_high_band_db(samples, start, end) < -55 for start, end, _ in cues), \
        [_high_band_db(samples, start, end) for start, end, _ in cues]  # every cue in B: nothing above 8 kHz
