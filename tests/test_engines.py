"""A third-party engine, installed as its own distribution with an entry point, speaks an episode."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3

from .helpers import decode

pytestmark = pytest.mark.slow

PLUGIN = Path(__file__).parent / "data" / "plugin" / "articast_hum.py"


def install_plugin(site: Path) -> None:
    """The plug-in as pip leaves an installed distribution: its module and its .dist-info folder."""
    site.mkdir()
    shutil.copy(PLUGIN, site / "articast_hum.py")
    info = site / "articast_hum-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: articast-hum\nVersion: 1.0\n"
                                   "Requires-Dist: articast\n")
    (info / "entry_points.txt").write_text("[articast.engines]\nhum = articast_hum:HumEngine\n")
    (info / "top_level.txt").write_text("articast_hum\n")
    (info / "RECORD").write_text("articast_hum.py,,\narticast_hum-1.0.dist-info/METADATA,,\n")


def run(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(site))
    return subprocess.run([sys.executable, "-m", "articast", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_an_engine_from_another_distribution_produces_an_episode(tmp_path: Path):
    site = tmp_path / "site"
    install_plugin(site)
    article = tmp_path / "hum.md"
    article.write_text("# Humming along\n\nThe first sentence has seven words in it. And a second one.\n\n"
                       "## Later\n\nA last sentence hums at the same pitch.\n")
    listed = run(site, "voices", "--engine", "hum")
    assert listed.returncode == 0, listed.stderr
    assert "hum (offline)" in listed.stdout and "options (--engine-option KEY=VALUE):" in listed.stdout
    assert "    pitch                    the hum's pitch in hertz (default 440)" in listed.stdout

    show = tmp_path / "show"
    made = run(site, "produce", str(article), "--engine", "hum", "--engine-option", "pitch=330", "--no-music",
               "--out", str(show))
    assert made.returncode == 0, made.stderr
    mp3 = Path(made.stdout.strip().splitlines()[-1])
    assert mp3 == show / "humming-along.mp3"
    tags = ID3(mp3)
    assert str(tags["TIT2"]) == "Humming along"
    assert len(tags.getall("CHAP")) == 2
    samples = decode(mp3, 1)[:, 0]
    # 19 words of a quarter second each, with the pauses between sentences and chapters
    assert 5 < len(samples) / 44100 < 15
    start = int(np.argmax(np.abs(samples) > 0.05)) + 4410  # 0.1 s into the title's hum (0.5 s long)
    window = samples[start:start + 13230]  # 0.3 s: bins 3.3 Hz apart
    spectrum = np.abs(np.fft.rfft(window * np.hanning(len(window))))
    assert abs(np.argmax(spectrum) * 44100 / len(window) - 330) < 5  # the option reached the engine

    wrong = run(site, "produce", str(article), "--engine", "hum", "--engine-option", "pich=330", "--out",
                str(tmp_path / "other"))
    assert wrong.returncode == 2
    assert wrong.stderr == "error: --engine-option: hum has no option 'pich'; it takes: pitch\n"
    assert not (tmp_path / "other").exists()

    without = subprocess.run([sys.executable, "-m", "articast", "produce", str(article), "--engine", "hum",
                              "--out", str(tmp_path / "none")], capture_output=True, text=True, timeout=300)
    assert without.returncode == 2 and "unknown speech engine 'hum'; choose one of: gtts, openai, piper" in without.stderr
