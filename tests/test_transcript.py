"""WebVTT and Podcasting 2.0 JSON chapters."""

from __future__ import annotations

import json

from articast.models import ChapterMark, Cue
from articast.transcript import render_chapters_json, render_srt, render_vtt


def test_vtt_format():
    vtt = render_vtt([Cue(3000, 5500, "Hello there."), Cue(3_723_004, 3_725_000, "a --> b")])
    assert vtt == ("WEBVTT\n\n1\n00:00:03.000 --> 00:00:05.500\nHello there.\n\n"
                   "2\n01:02:03.004 --> 01:02:05.000\na -> b\n")


def test_chapters_json():
    doc = json.loads(render_chapters_json([ChapterMark("A", 0, 1500), ChapterMark("B", 1500, 4000)], "Ep"))
    assert doc == {"version": "1.2.0", "title": "Ep", "chapters": [
        {"startTime": 0.0, "endTime": 1.5, "title": "A"}, {"startTime": 1.5, "endTime": 4.0, "title": "B"}]}


def test_srt_format():
    assert render_srt([Cue(3000, 5500, "Hello."), Cue(6000, 7000, "Bye.")]) == (
        "1\n00:00:03,000 --> 00:00:05,500\nHello.\n\n2\n00:00:06,000 --> 00:00:07,000\nBye.\n")
