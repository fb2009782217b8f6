"""Web pages shaped like real ones (tests/data/pages), read whole: tables, lists, steps, captions,
boxes and headings in the script, once each, and the page's furniture left out."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from articast.ingest.html import parse_html
from articast.ingest.markdown import MAX_TABLE_CELLS, parse_markdown

from .conftest import DATA

PAGES = DATA / "pages"


def spoken(name: str) -> list[str]:
    """What `articast script --json` says of a page: chapter titles and segments, in order."""
    result = subprocess.run([sys.executable, "-m", "articast", "script", "--json", str(PAGES / name)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    lines = []
    for chapter in doc["chapters"]:
        lines.append(chapter["title"])
        lines.extend(segment["text"] for segment in chapter["segments"])
    return lines


def said(lines: list[str], text: str) -> int:
    """How many times ``text`` is said (within one segment)."""
    return sum(line.count(text) for line in lines)


@pytest.mark.slow
def test_a_comparison_article_reads_its_tables_caption_box_and_figure_once():
    lines = spoken("comparison.html")
    joined = " ".join(lines)
    assert "Wanderer: Monthly fee, 3 GBP; Foreign fee, 0.5%." in joined  # row, then header and value
    assert "Atlas Card: Monthly fee, None; Foreign fee, 2.99%." in joined
    caption = joined.index("Cash withdrawals")  # the caption before its rows
    assert caption < joined.index("1 GBP withdrawal: Globe Plus, Free; Wanderer, 1 GBP.")
    assert "Our test cards on a café table in Lisbon." in joined  # a figure caption
    assert "Tip: always pay in the local currency" in joined  # a highlighted box
    assert said(lines, "where the cards really differ") == 1  # the pull quote repeats a paragraph
    assert "Which one are we looking forward to next?" in lines  # a heading ending in "?"
    for furniture in ("Share on Facebook", "Related articles", "Best savings accounts", "lives in Leeds",
                      "Great article", "Cookie settings", "Copyright"):
        assert furniture not in joined, furniture


@pytest.mark.slow
def test_a_recipe_reads_its_times_ingredients_every_step_and_its_note():
    joined = " ".join(spoken("recipe.html"))
    for text in ("Prep time: 20 minutes.", "Serves: 16 bars.", "Juice of 4 lemons.",
                 "Serve warm or cool.", "Store covered in refrigerator.", "a glass dish bakes more slowly"):
        assert text in joined, text
    assert joined.index("Heat the oven") < joined.index("Store covered in refrigerator.")
    for furniture in ("We use cookies", "You may also like", "Lemon drizzle", "newsletter", "delicious",
                      "All rights reserved", "Log in"):
        assert furniture not in joined, furniture


@pytest.mark.slow
def test_an_interview_keeps_every_question_and_reads_its_pull_quote_once():
    lines = spoken("interview.html")
    for question in ("What did a normal day look like?", "Were you ever afraid?",
                     "What are you looking forward to next?"):
        assert question in lines, question
    assert said(lines, "the light had never gone out") == 1
    joined = " ".join(lines)
    for furniture in ("features writer", "Share this", "Read next", "The last ferry", "Subscribe"):
        assert furniture not in joined, furniture


@pytest.mark.slow
def test_an_infobox_is_read_as_facts_and_the_site_around_it_is_not():
    lines = spoken("wiki.html")
    joined = " ".join(lines)
    for fact in ("Location: Gull Point, northern cape.", "Constructed: 1872.", "Height: 24 metres.",
                 "Automated: 2024."):
        assert fact in joined, fact
    assert joined.index("Constructed: 1872.") < joined.index("is a lighthouse on the northern cape")
    assert "converted to paraffin in 1901" in joined
    for furniture in ("Main page", "Random article", "last edited", "Privacy policy"):
        assert furniture not in joined, furniture


def test_a_big_table_is_announced_and_a_layout_table_is_read_as_text():
    rows = "".join(f"<tr><td>Town {n}</td><td>{n * 3}</td><td>{n * 7}</td></tr>" for n in range(40))
    prose = ("A paragraph of the story comes first, long enough to be an article on its own, with a few "
             "sentences about the towns along the coast and how their numbers changed over the years. ")
    layout = ("<table><tr><td><p>" + prose + "</p></td><td><p>" + prose.replace("first", "second") +
              "</p></td></tr></table>")
    page = (f"<html><body><article><h1>Towns</h1><p>{prose}</p><table><tr><th>Town</th><th>People</th>"
            f"<th>Houses</th></tr>{rows}</table>{layout}</article></body></html>")
    article = parse_html(page)
    paragraphs = [p for section in article.sections for p in section.paragraphs]
    assert "A table with 40 rows is not read here." in paragraphs
    assert not any("Town 12" in p for p in paragraphs)
    assert any("A paragraph of the story comes second" in p for p in paragraphs)


@pytest.mark.parametrize("cells", [MAX_TABLE_CELLS, MAX_TABLE_CELLS + 3])
def test_a_markdown_table_is_read_up_to_the_limit(cells: int):
    rows = cells // 3 - 1
    table = "| City | Rain | Sun |\n|---|---|---|\n" + "".join(f"| C{n} | {n} mm | {n} h |\n" for n in range(rows))
    article = parse_markdown(f"# Weather\n\nThe month in numbers.\n\n{table}")
    paragraphs = [p for section in article.sections for p in section.paragraphs]
    if (rows + 1) * 3 <= MAX_TABLE_CELLS:
        assert "C1: Rain, 1 mm; Sun, 1 h." in paragraphs
    else:
        assert paragraphs[-1] == f"A table with {rows} rows is not read here."


def test_markdown_of_only_code_and_a_big_table_has_nothing_to_read(tmp_path):
    rows = "".join(f"| C{n} | {n} mm | {n} h |\n" for n in range(30))
    only = tmp_path / "numbers.md"
    only.write_text(f"```\nprint('hello')\n```\n\n| City | Rain | Sun |\n|---|---|---|\n{rows}")
    result = subprocess.run([sys.executable, "-m", "articast", "script", str(only)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {only}: has only code or tables, no prose to read"
