"""Measure how Piper's length_scale sets the joe voice's pace, for articast.speech.piper's constants.

Usage: python scripts/measure_pace.py [ARTICLE ...]   (default: the shipped example article)

Seconds per word are not proportional to length_scale (pauses and some phonemes do not stretch),
so this speaks each article at two length scales and fits seconds_per_word = FIXED + SCALED * ls,
then checks the fit by asking for 150, 165 and 175 words a minute.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from articast.ingest import read_article
from articast.script import build_script
from articast.speech import EngineOptions
from articast.speech.piper import PiperEngine

ROOT = Path(__file__).resolve().parent.parent


def seconds_per_word(engine: PiperEngine, segments) -> tuple[float, float]:
    words, seconds, started = 0, 0.0, time.perf_counter()
    for segment in segments:
        clip = engine.synthesize(segment.spoken)
        words += len(segment.text.split())
        seconds += clip.duration_ms / 1000
    return seconds / words, (time.perf_counter() - started) / seconds


def engine_at(length_scale: float) -> PiperEngine:
    engine = PiperEngine(EngineOptions())
    engine.length_scale = length_scale  # bypass the pace mapping being measured
    return engine


def main() -> None:
    sources = [Path(a) for a in sys.argv[1:]] or [ROOT / "examples" / "welcome-to-articast.md"]
    for source in sources:
        segments = build_script(read_article(source)).segments
        low, rtf = seconds_per_word(engine_at(1.0), segments)
        high, _ = seconds_per_word(engine_at(1.6), segments)
        scaled = (high - low) / 0.6
        fixed = low - scaled
        print(f"{source.name}: {len(segments)} segments, rtf {rtf:.3f}; at ls 1.0 {60 / low:.1f} wpm, "
              f"at ls 1.6 {60 / high:.1f} wpm; FIXED {fixed:.4f} s, SCALED {scaled:.4f} s per word")
        for pace in (150, 165, 175):
            engine = PiperEngine(EngineOptions(pace_wpm=pace))
            spw, _ = seconds_per_word(engine, segments)
            print(f"  asked {pace} wpm: length_scale {engine.length_scale:.3f}, got {60 / spw:.1f} wpm")


if __name__ == "__main__":
    main()
