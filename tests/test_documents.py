"""Documents that are not web pages, built inside the tests with real tools and read with the real
command: Word (.docx, made with python-docx, with the tracked changes Word writes)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .feedserver import FeedServer

ARTICAST = [sys.executable, "-m", "articast"]


def _tracked(paragraph, deleted: str, inserted: str) -> None:
    """A tracked deletion and a tracked insertion at the end of ``paragraph``, as Word writes them."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for tag, text_tag, text in (("w:del", "w:delText", deleted), ("w:ins", "w:t", inserted)):
        change = OxmlElement(tag)
        change.set(qn("w:id"), str(len(tag)))
        change.set(qn("w:author"), "Editor")
        change.set(qn("w:date"), "2026-01-05T10:00:00Z")
        run, words = OxmlElement("w:r"), OxmlElement(text_tag)
        words.text = text
        words.set(qn("xml:space"), "preserve")
        run.append(words)
        change.append(run)
        paragraph._p.append(change)


def harbour_docx(path: Path, *, properties: bool) -> Path:
    """A report with a Title, two Heading 1 chapters, a comment, a tracked change and a picture."""
    import docx
    from docx.shared import Inches
    from PIL import Image

    document = docx.Document()
    if properties:
        document.core_properties.title = "The Harbour Report"
        document.core_properties.author = "Ada Fielding"
        document.core_properties.language = "en-GB"
    else:
        document.core_properties.title = ""
    document.add_paragraph("The Harbour Report", style="Title")
    document.add_paragraph("For forty years the harbour was kept by one family. Their notebook survives.")
    document.add_heading("Weather before breakfast", 1)
    commented = document.add_paragraph("Every morning began with three lines about the wind and the swell.")
    document.add_comment(commented.runs, text="Check this against the logbook, please.", author="Editor")
    changed = document.add_paragraph("On calm days the entries are short. ")
    _tracked(changed, "Nobody read them twice. ", "On stormy days they grow long.")
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(picture, "PNG")
    document.add_picture(picture, width=Inches(1))
    document.add_heading("The ships that passed", 1)
    document.add_paragraph("Most pages list the ships that passed the cape, with the hour they were seen.")
    document.save(path)
    return path


def script_of(source: str) -> dict:
    result = subprocess.run([*ARTICAST, "script", source, "--json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def chapters_of(script: dict) -> list[tuple[str, list[str]]]:
    return [(chapter["title"], [segment["text"] for segment in chapter["segments"]])
            for chapter in script["chapters"]]


def test_a_word_document_is_read_with_its_headings_as_chapters_and_no_comment_or_deletion(tmp_path):
    script = script_of(str(harbour_docx(tmp_path / "report.docx", properties=True)))
    assert (script["title"], script["author"], script["language"]) == ("The Harbour Report", "Ada Fielding", "en-GB")
    assert chapters_of(script) == [
        ("The Harbour Report", ["The Harbour Report", "For forty years the harbour was kept by one family.",
                                "Their notebook survives."]),
        ("Weather before breakfast", ["Weather before breakfast",
                                      "Every morning began with three lines about the wind and the swell.",
                                      "On calm days the entries are short.", "On stormy days they grow long."]),
        ("The ships that passed", ["The ships that passed",
                                   "Most pages list the ships that passed the cape, with the hour they were seen."]),
    ]
    said = json.dumps(script)
    assert "logbook" not in said and "Nobody read them" not in said


def test_a_word_document_without_properties_takes_its_title_style_and_one_served_over_http_is_read(tmp_path):
    path = harbour_docx(tmp_path / "no-properties.docx", properties=False)
    script = script_of(str(path))
    assert script["title"] == "The Harbour Report"
    assert [title for title, _ in chapters_of(script)][1:] == ["Weather before breakfast", "The ships that passed"]
    server = FeedServer().start()
    try:
        server.routes["/report"] = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                    path.read_bytes())
        served = script_of(f"{server.url}/report")
    finally:
        server.stop()
    assert chapters_of(served) == chapters_of(script)


@pytest.mark.parametrize("content, said", [
    (b"PK\x03\x04" + b"\0" * 200, "is not a Word document that can be read (a damaged .docx?)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "is an old Word .doc or a password-protected document; "
                                                        "save it as .docx without a password"),
])
def test_a_document_that_cannot_be_read_is_one_line(tmp_path, content, said):
    path = tmp_path / "draft.docx"
    path.write_bytes(content)
    result = subprocess.run([*ARTICAST, "script", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {path}: {said}"
