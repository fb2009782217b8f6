"""Ingest: decoding, plain-text structure, Markdown structure, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from articast import InputError
from articast.ingest import parse_article, read_article
from articast.ingest.decode import decode_text
from articast.ingest.markdown import CODE_SKIPPED

from .conftest import DATA


def test_plain_text_questions_and_title_lines_become_sections():
    article = read_article(DATA / "qa-article.txt")
    assert article.title == "How do bees find their way home?"
    assert [s.title for s in article.sections] == [None, "Why do bees dance?", "What This Means for Gardeners"]
    assert article.sections[0].paragraphs[0].startswith("Bees use the position of the sun")
    # Web residue after the article is not read.
    text = " ".join(p for s in article.sections for p in s.paragraphs)
    assert "Leave a Reply" not in text and "Share this" not in text


def test_markdown_title_sections_and_front_matter():
    article = read_article(DATA / "short-article.md")
    assert article.title == "The Lighthouse Keeper's Notebook"
    assert article.author == "Ada Fielding"
    assert article.date == "2025-03-14"
    assert [s.title for s in article.sections] == [
        None, "Weather before breakfast", "The ships that passed", "What the notebook teaches"]


def test_markdown_code_lists_quotes_and_emphasis():
    text = ("# Guide\n\nIntro with *emphasis* and a [link](http://x.example).\n\n## Steps\n\n"
            "- first item\n- second item\n\n> A quoted line.\n\n```python\nprint('x')\n```\n\n```\nmore\n```\n")
    article = parse_article(text, kind="markdown")
    assert article.title == "Guide"
    assert article.sections[0].paragraphs == ("Intro with emphasis and a link.",)
    steps = article.sections[1]
    assert steps.title == "Steps"
    assert steps.paragraphs == ("first item.", "second item.", "A quoted line.", CODE_SKIPPED)


def test_markdown_subheadings_are_read_within_their_chapter():
    text = "# T\n\n## One\n\nAlpha text here.\n\n### Detail\n\nBeta text here.\n\n## Two\n\nGamma text.\n"
    article = parse_article(text, kind="markdown")
    assert [s.title for s in article.sections] == ["One", "Two"]
    assert article.sections[0].paragraphs == ("Alpha text here.", "Detail.", "Beta text here.")


def test_hard_wrapped_paragraphs_are_joined():
    text = ("A Title\n\nThis paragraph was wrapped at a fixed width by an editor\n"
            "so every line ends mid sentence and must be joined back\ninto one paragraph.\n")
    article = parse_article(text)
    assert article.title == "A Title"
    assert article.sections[0].paragraphs == (
        "This paragraph was wrapped at a fixed width by an editor so every line ends mid sentence "
        "and must be joined back into one paragraph.",)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252", "latin-1"])
def test_encodings_are_decoded_not_mangled(encoding):
    text = "Café society\n\nThe naïve critic ordered crème brûlée and paid in cash at the café.\n"
    assert decode_text(text.encode(encoding)) == text


def test_binary_and_empty_are_refused(tmp_path: Path):
    (tmp_path / "img.bin").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\t\n")
    (tmp_path / "symbols.txt").write_text("*** --- ### !!!\n")
    for name, message in [("img.bin", "binary"), ("empty.txt", "empty"), ("blank.txt", "empty"),
                          ("symbols.txt", "no words")]:
        with pytest.raises(InputError, match=message):
            read_article(tmp_path / name)
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "nope.md")
    with pytest.raises(InputError, match="folder"):
        read_article(tmp_path)


@pytest.mark.parametrize("text, encoding", [
    ("Café", "latin-1"),
    ("Le café était fermé. Où est le garçon? Il a mangé une crème brûlée à Noël.", "cp1252"),
    ("He said \u201cHello\u201d \u2014 and left. It\u2019s fine.", "cp1252"),
    ("¿Dónde está el niño? ¡Mañana será otro día!", "latin-1"),
    ("Die Straße war schön, und die Bäume grün.", "cp1252"),
    ("Zażółć gęślą jaźń. Pójdź kińże tę chmurność w głąb flaszy.", "cp1250"),
    ("Привет, как дела? Это тестовый текст на русском языке.", "cp1251"),
    ("Καλημέρα κόσμε, τι κάνεις σήμερα;", "cp1253"),
])
def test_legacy_code_pages_are_told_apart(text, encoding):
    from articast.ingest.decode import decode_text

    assert decode_text(text.encode(encoding)) == text
