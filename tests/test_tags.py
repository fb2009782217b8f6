"""ID3 writing, read back by mutagen from a real (tiny) MP3."""

from __future__ import annotations

import numpy as np
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from articast.audio import encode_mp3
from articast.models import ChapterMark
from articast.tags import TagInfo, default_cover, write_tags


def test_tags_round_trip_as_id3v23(tmp_path):
    path = tmp_path / "t.mp3"
    t = np.arange(44100 * 3) / 44100
    encode_mp3(np.stack([0.1 * np.sin(2 * np.pi * 440 * t)] * 2, axis=1).astype(np.float32), 44100, path)
    marks = (ChapterMark("Ünïcode & <specials>", 0, 1000), ChapterMark("Two", 1000, 3000))
    write_tags(path, TagInfo(title="Title ✓", artist="Ada", album="Show", duration_ms=3000, date="2025-03-14",
                             summary="A summary.", transcript="Line one.\nLine two.", chapters=marks,
                             cover=default_cover()))
    tag = ID3(path)
    assert tag.version == (2, 3, 0)
    assert str(tag["TIT2"]) == "Title ✓"
    assert str(tag["TDRC"]) == "2025-03-14"
    chaps = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, c.end_time, str(c.sub_frames["TIT2"])) for c in chaps] == [
        (0, 1000, "Ünïcode & <specials>"), (1000, 3000, "Two")]
    assert tag.getall("CTOC")[0].child_element_ids == ["chp0", "chp1"]
    assert tag.getall("USLT")[0].text == "Line one.\nLine two."
    assert abs(MP3(path).info.length - 3.0) < 0.001
    # Rewriting replaces the tag rather than piling frames up.
    write_tags(path, TagInfo(title="Again", artist="Ada", album="Show", duration_ms=3000))
    tag = ID3(path)
    assert str(tag["TIT2"]) == "Again" and not tag.getall("CHAP")
