"""scripts/listen_check.py works after the Quick start's plain install: no test extra needed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # subprocesses, servers, the browser or the real voice throughout

SCRIPT = Path(__file__).parent.parent / "scripts" / "listen_check.py"


def test_listen_check_measures_an_episode_without_pyloudnorm(stereo_episode):
    # pyloudnorm comes with the test extra only: make it unimportable, as after `pip install -e .`.
    code = ("import runpy, sys; sys.modules['pyloudnorm'] = None; sys.argv = ['listen_check', sys.argv[1]]; "
            f"runpy.run_path({str(SCRIPT)!r}, run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code, str(stereo_episode.mp3_path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loudness = re.search(r"loudness\s+(-?[\d.]+) LUFS integrated, true peak (-?[\d.]+) dBTP", result.stdout)
    assert loudness, result.stdout
    assert -17.0 < float(loudness.group(1)) < -15.0 and float(loudness.group(2)) <= -1.0
    assert re.search(r"pace\s+\d+ words in [\d.]+ s = \d+\.\d wpm", result.stdout)
    assert "chapter" in result.stdout
