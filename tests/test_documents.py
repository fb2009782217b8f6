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


HARBOUR = [
    ("The Harbour Report", ["The Harbour Report", "For forty years the harbour was kept by one family.",
                            "Their notebook survives."]),
    ("Weather before breakfast", ["Weather before breakfast",
                                  "Every morning began with three lines about the wind and the swell.",
                                  "On calm days the entries are short.", "On stormy days they grow long."]),
    ("The ships that passed", ["The ships that passed",
                               "Most pages list the ships that passed the cape, with the hour they were seen."]),
]
"""What the harbour report says, as the .docx and the .odt are built: comments, deleted text and notes not in it."""


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
    assert chapters_of(script) == HARBOUR
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
    (b"%PDF-1.7\n" + b"\0" * 200, "is not a PDF that can be read (a damaged file?)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "is an old Word .doc or a password-protected document; "
                                                        "save it as .docx without a password"),
])
def test_a_document_that_cannot_be_read_is_one_line(tmp_path, content, said):
    path = tmp_path / "draft.docx"
    path.write_bytes(content)
    result = subprocess.run([*ARTICAST, "script", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {path}: {said}"


# -- e-books ---------------------------------------------------------------------------------------------


CHAPTERS = [
    ("Chapter One: The Cape", ["The lighthouse stood on the northern cape for a hundred years.",
                               "Its keepers wrote down every ship they saw."]),
    ("Chapter Two: The Storm", ["The storm came in October and lasted nine days.",
                                "On the tenth morning the sea was flat and grey."]),
    ("Chapter Three: The Light", ["When the light went out for good, the café at the quay kept the notebook."]),
]


def _xhtml(title: str, body: str, kind: str | None = None) -> str:
    typed = f' epub:type="{kind}"' if kind else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
            f'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{title}</title></head>'
            f"<body{typed}>{body}</body></html>")


def build_epub(path: Path, version: int, *, drm: bool = False) -> Path:
    """A book as an EPUB packager writes one: the mimetype first and stored, a container, a package
    document, and (EPUB 3) a navigation document with landmarks or (EPUB 2) an NCX with a guide. It has
    a cover, a title page and a copyright page before its chapters, the second chapter in two files
    (the contents name only the first), notes outside the reading order and an index after them."""
    import zipfile

    files = {
        "cover.xhtml": _xhtml("Cover", '<img src="cover.png" alt="The Keeper"/>', "cover"),
        "title.xhtml": _xhtml("Title", "<h1>The Keeper</h1><p>A novel, by Ada Fielding.</p>",
                              "titlepage" if version == 3 else None),
        "copyright.xhtml": _xhtml("Copyright", "<p>Copyright 2026 Ada Fielding. All rights reserved.</p>",
                                  "copyright-page" if version == 3 else None),
        "notes.xhtml": _xhtml("Notes", "<p>A note that is read only when a reader follows its mark.</p>"),
        "index.xhtml": _xhtml("Index", "<p>Cape, 1. Storm, 2. Light, 3.</p>", "index" if version == 3 else None),
    }
    spine = ["cover", "title", "copyright"]
    # A footnote as each version marks one: EPUB 3 by epub:type, EPUB 2 (XHTML 1.1) only by the links
    # between the mark and the note, as pandoc writes them.
    if version == 3:
        mark = '<a epub:type="noteref" href="#n1">1</a>'
        note = '<aside epub:type="footnote" id="n1"><p>The notebook is in the county archive.</p></aside>'
    else:
        mark = '<a href="#fn1" id="fnref1">1</a>'
        note = '<div><ol><li id="fn1"><p>The notebook is in the county archive.<a href="#fnref1">back</a></p></li></ol></div>'
    for number, (title, paragraphs) in enumerate(CHAPTERS, start=1):
        body = f"<section epub:type='chapter'><h1>{title}</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs[:1])
        files[f"ch{number}.xhtml"] = _xhtml(title, body + "</section>")
        spine.append(f"ch{number}")
        rest = "".join(f"<p>{p}</p>" for p in paragraphs[1:])
        if number == 1:
            rest = rest.replace(".</p>", f".{mark}</p>", 1) + note
        if number == 2:
            files["ch2b.xhtml"] = _xhtml(title, "<h2>The tenth morning</h2>" + rest)
            spine.append("ch2b")
        elif rest:
            files[f"ch{number}.xhtml"] = _xhtml(title, body + rest + "</section>")
    spine += ["notes", "index"]
    # The contents name the title page as the book, first (pandoc's EPUB 2 does; nothing else says what it is).
    toc = [("title.xhtml", "The Keeper")] + [(f"ch{n}.xhtml", title) for n, (title, _) in enumerate(CHAPTERS, 1)]
    manifest = "".join(f'<item id="{stem}" href="text/{stem}.xhtml" media-type="application/xhtml+xml"/>'
                       for stem in spine)
    outside = ' linear="no"'
    itemrefs = "".join(f'<itemref idref="{stem}"{outside if stem == "notes" else ""}/>' for stem in spine)
    metadata = ('<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Keeper</dc:title>'
                '<dc:creator>Ada Fielding</dc:creator><dc:language>en</dc:language>'
                '<dc:identifier id="id">urn:uuid:0b4c6e2a-1d55-4e7b-9f0e-3a1c2b5d7e90</dc:identifier>'
                "<dc:date>2026-03-14</dc:date></metadata>")
    if version == 3:
        nav = _xhtml("Contents", '<nav epub:type="toc"><h1>Contents</h1><ol>' + "".join(
            f'<li><a href="{href}">{title}</a></li>' for href, title in toc) + "</ol></nav>"
            '<nav epub:type="landmarks"><ol><li><a epub:type="cover" href="cover.xhtml">Cover</a></li>'
            '<li><a epub:type="copyright-page" href="copyright.xhtml">Copyright</a></li>'
            '<li><a epub:type="bodymatter" href="ch1.xhtml">Start</a></li></ol></nav>')
        files["nav.xhtml"] = nav
        manifest += '<item id="nav" href="text/nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        package = (f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">{metadata}'
                   f"<manifest>{manifest}</manifest><spine>{itemrefs}</spine></package>")
    else:
        points = "".join(f'<navPoint id="p{n}" playOrder="{n}"><navLabel><text>{title}</text></navLabel>'
                         f'<content src="text/{href}"/></navPoint>' for n, (href, title) in enumerate(toc, 1))
        files["../toc.ncx"] = ('<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
                               f"<head/><docTitle><text>The Keeper</text></docTitle><navMap>{points}</navMap></ncx>")
        manifest += '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        guide = ('<guide><reference type="cover" href="text/cover.xhtml" title="Cover"/>'
                 '<reference type="copyright-page" href="text/copyright.xhtml" title="Copyright"/>'
                 '<reference type="index" href="text/index.xhtml" title="Index"/></guide>')
        package = (f'<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">{metadata}'
                   f'<manifest>{manifest}</manifest><spine toc="ncx">{itemrefs}</spine>{guide}</package>')
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")  # first, and stored
        book.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" '
                      'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile '
                      'full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
                      "</container>", compress_type=zipfile.ZIP_DEFLATED)
        book.writestr("OEBPS/content.opf", package, compress_type=zipfile.ZIP_DEFLATED)
        for name, text in files.items():
            where = "OEBPS/toc.ncx" if name == "../toc.ncx" else f"OEBPS/text/{name}"
            book.writestr(where, text, compress_type=zipfile.ZIP_DEFLATED)
        if drm:
            book.writestr("META-INF/encryption.xml", "<encryption/>")
    return path


@pytest.mark.parametrize("version", [3, 2])
def test_an_epub_is_read_chapter_by_chapter_in_spine_order_without_front_or_back_matter(tmp_path, version):
    script = script_of(str(build_epub(tmp_path / "keeper.epub", version)))
    assert (script["title"], script["author"], script["language"]) == ("The Keeper", "Ada Fielding", "en")
    chapters = chapters_of(script)
    assert [title for title, _ in chapters] == [title for title, _ in CHAPTERS]
    for number, ((title, said), (_, written)) in enumerate(zip(chapters, CHAPTERS)):
        # The book's title opens the first; each chapter's heading, then every paragraph (the second
        # chapter's continuation in its own file, with its subheading, included; no note mark).
        subheading = ["The tenth morning."] if number == 1 else []
        assert said == ["The Keeper"] * (number == 0) + [title, written[0], *subheading, *written[1:]]
    everything = json.dumps(script)
    for left_out in ("Copyright 2026", "All rights reserved", "A novel, by", "Cape, 1.", "follows its mark",
                     "county archive"):
        assert left_out not in everything


def test_an_epub_with_drm_is_one_line(tmp_path):
    path = build_epub(tmp_path / "locked.epub", 3, drm=True)
    result = subprocess.run([*ARTICAST, "script", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"error: {path}: is protected by DRM (META-INF/encryption.xml); "
                                     "articast reads only books without it")


# -- OpenDocument ----------------------------------------------------------------------------------------


def harbour_odt(path: Path) -> Path:
    """The report as LibreOffice keeps it, made with odfdo: headings, a comment, a tracked deletion
    and insertion, a footnote and a list."""
    from lxml import etree
    from odfdo import Document, Header, Paragraph

    document = Document("text")
    body = document.body
    body.clear()
    document.meta.title = "The Harbour Report"
    document.meta.initial_creator = "Ada Fielding"
    document.meta.language = "en-GB"
    body.append(Header(1, "The Harbour Report"))
    body.append(Paragraph("For forty years the harbour was kept by one family. Their notebook survives."))
    body.append(Header(2, "Weather before breakfast"))
    commented = Paragraph("Every morning began with three lines about the wind and the swell.")
    body.append(commented)
    commented.insert_annotation(after="three", body="Check this against the logbook, please.", creator="Editor")
    body.append(Paragraph("On calm days the entries are short."))
    body.append(Header(2, "The ships that passed"))
    body.append(Paragraph("Most pages list the ships that passed the cape, with the hour they were seen."))
    document.save(path)
    # What odfdo has no call for, written as LibreOffice writes it: a tracked deletion (its text kept
    # outside the flow) and insertion, and a footnote.
    import zipfile

    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info.filename) for info in package.infolist()}
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    office_ns = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    content = etree.fromstring(parts["content.xml"])
    office_text = content.find(f"{{{office_ns}}}body/{{{office_ns}}}text")
    tracked = etree.fromstring(
        f'<text:tracked-changes xmlns:text="{text_ns}" xmlns:office="{office_ns}" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><text:changed-region text:id="ct1"><text:deletion>'
        "<office:change-info><dc:creator>Editor</dc:creator><dc:date>2026-01-05T10:00:00</dc:date>"
        "</office:change-info><text:p>Nobody read them twice.</text:p></text:deletion></text:changed-region>"
        '<text:changed-region text:id="ct2"><text:insertion><office:change-info><dc:creator>Editor</dc:creator>'
        "<dc:date>2026-01-05T10:00:00</dc:date></office:change-info></text:insertion></text:changed-region>"
        "</text:tracked-changes>")
    office_text.insert(0, tracked)
    calm = [p for p in office_text.iter(f"{{{text_ns}}}p") if (p.text or "").startswith("On calm days")][0]
    change = etree.fromstring(f'<text:change xmlns:text="{text_ns}" text:change-id="ct1"/>')
    start = etree.fromstring(f'<text:change-start xmlns:text="{text_ns}" text:change-id="ct2"/>')
    start.tail = " On stormy days they grow long."
    end = etree.fromstring(f'<text:change-end xmlns:text="{text_ns}" text:change-id="ct2"/>')
    note = etree.fromstring(
        f'<text:note xmlns:text="{text_ns}" text:id="ftn1" text:note-class="footnote"><text:note-citation>1'
        "</text:note-citation><text:note-body><text:p>The logbook is in the county archive.</text:p>"
        "</text:note-body></text:note>")
    note.tail = ""
    calm.extend([change, start, end, note])
    parts["content.xml"] = etree.tostring(content, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(path, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), parts.pop("mimetype"))
        for name, data in parts.items():
            package.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_an_odt_is_read_with_its_headings_as_chapters_and_no_comment_deletion_or_note(tmp_path):
    script = script_of(str(harbour_odt(tmp_path / "report.odt")))
    assert (script["title"], script["author"], script["language"]) == ("The Harbour Report", "Ada Fielding", "en-GB")
    assert chapters_of(script) == HARBOUR
    said = json.dumps(script)
    assert "logbook" not in said and "Nobody read them" not in said and "county archive" not in said


def test_a_short_note_is_read_whole_in_its_own_script(tmp_path):
    """A document has no page clutter to tell from the article: eight words are an article (the web
    path's reader refuses fewer than twenty), and a title in Cyrillic names the file."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Мороз и солнце"
    document.add_paragraph("Мороз и солнце; день чудесный! Ещё ты дремлешь, друг прелестный.")
    document.save(tmp_path / "note.docx")
    result = subprocess.run([*ARTICAST, "script", str(tmp_path / "note.docx"), "--json", "--language", "ru"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    script = json.loads(result.stdout)
    assert script["title"] == "Мороз и солнце" and script["language"] == "ru"
    assert [s["text"] for c in script["chapters"] for s in c["segments"]] == [
        "Мороз и солнце", "Мороз и солнце; день чудесный!", "Ещё ты дремлешь, друг прелестный."]


def test_split_chapters_makes_one_episode_a_chapter_numbered_with_the_book_as_their_season(tmp_path):
    import feedparser
    from mutagen.id3 import ID3

    book = build_epub(tmp_path / "lighthouse.epub", 3)
    show = tmp_path / "show"
    result = subprocess.run([*ARTICAST, "produce", str(book), "--split", "chapters", "--out", str(show),
                             "--no-music", "--publish", "--base-url", "https://example.org/show/"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "The Keeper: 3 chapters, one episode each" in result.stderr
    mp3s = sorted(show.glob("*.mp3"))
    assert len(mp3s) == 3
    tags = sorted((str(ID3(mp3)["TRCK"]), str(ID3(mp3)["TIT2"]), str(ID3(mp3)["TXXX:SERIES"])) for mp3 in mp3s)
    assert tags == [(f"{n}/3", f"The Keeper, {n}: {title}", "The Keeper")
                    for n, (title, _) in enumerate(CHAPTERS, start=1)]
    feed = feedparser.parse(str(show / "feed.xml"))
    assert not feed.bozo
    items = sorted(feed.entries, key=lambda entry: int(entry.itunes_episode))
    assert [(entry.title, entry.itunes_season, entry.itunes_episode) for entry in items] == [
        (f"The Keeper, {n}: {title}", "1", str(n)) for n, (title, _) in enumerate(CHAPTERS, start=1)]
    season = (show / "feed.xml").read_text(encoding="utf-8")
    assert season.count('<podcast:season name="The Keeper">1</podcast:season>') == 3
    # Without --split: one episode with a chapter mark a chapter.
    whole = subprocess.run([*ARTICAST, "produce", str(book), "--out", str(tmp_path / "one"), "--no-music"],
                           capture_output=True, text=True, timeout=600)
    assert whole.returncode == 0, whole.stderr
    (mp3,) = (tmp_path / "one").glob("*.mp3")
    assert [str(chap.sub_frames["TIT2"]) for chap in sorted(ID3(mp3).getall("CHAP"), key=lambda c: c.start_time)] \
        == [title for title, _ in CHAPTERS]
