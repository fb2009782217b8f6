"""Measure a Piper voice's native speaking rate (words a minute of trimmed speech at length_scale 1).

Usage: python scripts/measure_pace.py [ARTICLE]   (default: the shipped example article)
The figure printed is what articast.speech.piper.JOE_NATIVE_WPM holds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from articast.ingest import read_article
from articast.script import build_script
from articast.speech.piper import PiperEngine

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples" / "welcome-to-articast.md"
    script = build_script(read_article(source))
    engine = PiperEngine(pace_wpm=100.0, native_wpm=100.0)  # length_scale 1.0
    words = 0
    seconds = 0.0
    started = time.perf_counter()
    for segment in script.segments:
        clip = engine.synthesize(segment.spoken)
        words += len(segment.text.split())
        seconds += clip.duration_ms / 1000
    wall = time.perf_counter() - started
    print(f"words {words}  speech {seconds:.1f} s  native pace {words / seconds * 60:.1f} wpm  rtf {wall / seconds:.3f}")


if __name__ == "__main__":
    main()
