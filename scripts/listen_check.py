"""Listen-check an episode by numbers: duration, bitrate, loudness, true peak, pace, chapters, tags.

Usage: python scripts/listen_check.py OUT/slug.mp3
Needs only articast itself (no test extra). Integrated loudness and true peak come from the bundled
ffmpeg's EBU R128 meter (ebur128, true peak 4x oversampled) over the MP3 as decoded; pace counts the
words of the .vtt transcript beside the MP3 over the whole file.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from articast.ffmpeg import ffmpeg_exe


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) by ffmpeg's EBU R128 meter."""
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-af",
                             "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True, check=True)
    integrated = float(re.findall(r"I:\s+(-?[\d.]+|-inf) LUFS", result.stderr)[-1])
    peak = float(re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", result.stderr)[-1])
    return integrated, peak


def main() -> None:
    path = Path(sys.argv[1])
    audio = MP3(path)
    info = audio.info
    channels = info.channels
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-"],
                         capture_output=True, check=True).stdout
    samples = np.frombuffer(raw, dtype=np.float32).reshape(-1, channels)
    lufs, peak = loudness(path)
    vtt = path.with_suffix(".vtt")
    words = len(" ".join(line for line in vtt.read_text().splitlines()
                         if line and "-->" not in line and not line.isdigit() and line != "WEBVTT").split())
    tag = ID3(path)
    print(f"file        {path} ({path.stat().st_size} bytes), ID3v2.{tag.version[1]}")
    print(f"audio       {info.length:.3f} s, {round(info.bitrate / 1000)} kbps {info.bitrate_mode}, "
          f"{info.sample_rate} Hz, {channels} ch, decoded {len(samples) / info.sample_rate:.3f} s")
    print(f"loudness    {lufs:.2f} LUFS integrated, true peak {peak:.2f} dBTP")
    print(f"pace        {words} words in {info.length:.1f} s = {words / info.length * 60:.1f} wpm")
    print(f"tags        title={tag.get('TIT2')} artist={tag.get('TPE1')} album={tag.get('TALB')} "
          f"genre={tag.get('TCON')} TLEN={tag.get('TLEN')} date={tag.get('TDRC')} language={tag.get('TLAN')}")
    for chap in sorted(tag.getall("CHAP"), key=lambda c: c.start_time):
        print(f"chapter     {chap.start_time / 1000:8.3f}-{chap.end_time / 1000:8.3f} s  {chap.sub_frames.get('TIT2')}")
    print(f"cover       {[(p.mime, len(p.data)) for p in tag.getall('APIC')]}; "
          f"transcript {sum(len(u.text) for u in tag.getall('USLT'))} chars")


if __name__ == "__main__":
    main()
