"""The show page's and embed.js's HTML and script as publish writes them (the browser tests in
test_page.py drive them for real)."""

from __future__ import annotations

import gzip
from pathlib import Path

import lxml.html

from articast.publish import generated_description, is_public
from articast.publish.embed import EMBED_FILE, embed_tag, render_embed
from articast.publish.feed import ShowInfo
from articast.publish.page import TranscriptCue, parse_vtt, render_page
from articast.publish.store import EpisodeRecord
from articast.publish.words import ENGLISH, TRANSLATIONS, words_for

VTT = """WEBVTT

1
00:00:01.800 --> 00:00:03.545
The Harbour

2
00:00:04.245 --> 00:00:08.690
The boats come in at dawn.

3
00:00:08.990 --> 00:00:14.114
Gulls follow them <all> the way.

4
00:00:14.814 --> 00:00:18.000
A new paragraph starts after the longer pause.

5
00:00:19.325 --> 00:00:20.840
The market

6
00:00:21.540 --> 01:00:23.915
Fish are sold by noon.
"""


def css(node, selector: str) -> list:
    """The elements a small CSS selector names: descendant steps of tag.class[attribute]."""
    path = "."
    for step in selector.split():
        tag, _, rest = step.partition(".")
        cls, _, attr = rest.partition("[")
        if "[" in tag:
            tag, _, attr = tag.partition("[")
        path += f"//{tag or '*'}"
        if cls:
            path += f"[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]"
        if attr:
            path += f"[@{attr.rstrip(']')}]"
    return node.xpath(path)


def show(language: str = "en", title: str = "Harbour Notes", **kw) -> ShowInfo:
    facts = dict(title=title, description=generated_description(title), author=title, language=language,
                 category="News", subcategory=None, explicit=False, owner_email="", base_url="https://pod.example",
                 cover_name="cover.jpg", link="https://pod.example/")
    return ShowInfo(**{**facts, **kw})


def record(**kw) -> EpisodeRecord:
    facts = dict(slug="harbour", guid="g", number=1, published="2025-03-14T00:00:00+00:00", title="The Harbour",
                 duration_s=3624, link="https://blog.example/harbour/",
                 chapters=[{"title": "The Harbour", "start": 0.0}, {"title": "The market", "start": 19.0}])
    return EpisodeRecord(**{**facts, **kw})


def page_of(*records: EpisodeRecord, info: ShowInfo | None = None, generated: bool = True):
    files = {r.slug: {"mp3": f"{r.slug}.mp3", "vtt": f"{r.slug}.vtt"} for r in records}
    html = render_page(info or show(), list(records), files, {r.slug: parse_vtt(VTT) for r in records},
                       generated_description=generated)
    return html, lxml.html.fromstring(html)


def test_vtt_cues_keep_start_and_end():
    cues = parse_vtt(VTT)
    assert cues[1] == TranscriptCue(4.245, 8.69, "The boats come in at dawn.")
    assert cues[-1].end == 3623.915 and len(cues) == 6


def test_each_sentence_is_a_link_that_plays_from_its_start_in_paragraphs_under_chapter_headings():
    html, doc = page_of(record())
    sentences = css(doc, "a.ac-s")
    assert [(s.get("data-start"), s.get("data-end")) for s in sentences][:2] == [("1.800", "3.545"),
                                                                                ("4.245", "8.690")]
    assert "Gulls follow them <all> the way." in [s.text_content() for s in sentences]  # escaped, read as text
    assert "<all>" not in html
    transcript = css(doc, ".ac-transcript")[0]
    blocks = [(child.tag, len(css(child, "a.ac-s"))) for child in transcript]
    # Chapter titles are headings; a 0.7 s pause ends a paragraph, a 0.3 s one does not.
    assert blocks == [("h3", 1), ("p", 2), ("p", 1), ("h3", 1), ("p", 1)]
    assert css(doc, "article.episode")[0].get("data-duration") == "3624"
    assert css(doc, ".ac-length")[0].text == "1:00:24"


def test_chapters_are_listed_only_when_there_are_several():
    _, doc = page_of(record())
    assert [b.get("data-start") for b in css(doc, "button.ac-chapter")] == ["0.000", "19.000"]
    _, doc = page_of(record(chapters=[{"title": "The Harbour", "start": 0.0}]))
    assert css(doc, ".ac-chapters") == [] and css(doc, "button.ac-chapter") == []


def test_controls_have_names_and_the_speeds_run_from_0_8_to_2_5():
    _, doc = page_of(record())
    names = [b.get("aria-label") for b in css(doc, ".ac-controls button[aria-label]")]
    assert names == ["Play", "Back 15 seconds", "Forward 30 seconds"]
    speeds = [float(o.get("value")) for o in css(doc, "select.ac-speed option")]
    assert speeds[0] == 0.8 and speeds[-1] == 2.5 and speeds == sorted(speeds)
    assert css(doc, "label.ac-speed-label")[0].text_content().startswith("Speed")
    assert css(doc, "audio")[0].get("controls") is not None  # the browser's own, until the script runs
    keys = css(doc, "footer.keys")[0].text_content()
    assert "Space" in keys and "\u2190" in keys and "\u2192" in keys


def test_a_show_with_nothing_set_has_no_stand_in_description_or_byline():
    _, doc = page_of(record())
    header = css(doc, "header.show")[0].text_content()
    assert "Articles read aloud" not in header and "by Harbour Notes" not in header
    _, doc = page_of(record(), info=show(description="Notes from the quay.", author="Ines Varga"), generated=False)
    header = css(doc, "header.show")[0].text_content()
    assert "Notes from the quay." in header and "Ines Varga" in header


def test_the_page_speaks_the_shows_language():
    html, doc = page_of(record(), info=show(language="de"))
    assert doc.get("lang") == "de"
    assert [b.get("aria-label") for b in css(doc, ".ac-controls button[aria-label]")] == [
        "Abspielen", "15 Sekunden zurück", "30 Sekunden vor"]
    assert css(doc, "details.ac-details summary")[0].text == "Transkript"
    assert "Folge 1" in css(doc, "p.meta")[0].text_content()
    assert '"notSaved": "Diese Folge ist nicht' in html  # the script's messages too


def test_every_translation_has_every_word_and_the_same_placeholders():
    for language, words in TRANSLATIONS.items():
        assert set(words) == set(ENGLISH), language
        for key, text in words.items():
            assert ("{0}" in text) == ("{0}" in ENGLISH[key]), (language, key)
    assert words_for("pt-BR")["play"] == "Reproduzir" and words_for("ja")["play"] == "Play"


def test_embed_is_small_self_contained_and_carries_the_shows_words():
    episodes = [record(), record(slug="hafen", number=2, language="de")]
    script = render_embed(show(), episodes)
    assert len(gzip.compress(script.encode())) <= 15 * 1024
    assert "http://" not in script.replace("http://www.w3.org/2000/svg", "")  # nothing fetched from elsewhere
    assert "https://" not in script and "document.cookie" not in script
    assert '"Listen to this article"' in script and '"Diesen Artikel anhören"' in script
    assert "attachShadow" in script and "episodes.json" in script
    assert embed_tag("https://pod.example/show/") == '<script src="https://pod.example/show/embed.js" async></script>'
    assert is_public(Path("."), EMBED_FILE)


def test_show_and_episode_text_cannot_break_out_of_the_page_or_its_script():
    hostile = '</script><script>alert("x")</script>'
    html, doc = page_of(record(title=hostile, link='javascript:alert(1)'), info=show(title=hostile))
    assert "<script>alert" not in html and html.count("</script>") == 1
    assert doc.xpath("//title")[0].text == hostile and css(doc, "article.episode")[0].get("data-title") == hostile
    assert not doc.xpath("//a[starts-with(@href, 'javascript:')]")
    script = render_embed(show(title=hostile), [record(title=hostile)])
    assert '"title": "</script><script>alert(\\"x\\")</script>"' in script  # a JSON string in a .js file
