"""Episode names: titles in any script, cut at a word, and never a name reused for another article."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from articast.naming import MAX_SLUG_CHARS, slugify


@pytest.mark.parametrize("title, slug", [
    ("Мороз и солнце: предупреждение о холодной волне", "moroz-i-solntse-preduprezhdenie-o-kholodnoy-volne"),
    ("Καλημέρα κόσμε", "kalimera-kosme"),
    ("東京の天気", "dong-jing-no-tian-qi"),
    ("Monday notes", "monday-notes"),
    ("Crème brûlée, à la française!", "creme-brulee-a-la-francaise"),
    ("", "episode"),
    ("???", "episode"),
])
def test_titles_in_any_script_become_readable_names(title, slug):
    assert slugify(title) == slug


def test_names_are_cut_at_a_word_never_mid_word():
    title = "Severe weather: cold wave alert takes hold of the northern regions tonight and tomorrow"
    slug = slugify(title)
    assert len(slug) <= MAX_SLUG_CHARS and slug == "severe-weather-cold-wave-alert-takes-hold-of-the-northern"
    assert slugify(title, max_length=1000).startswith(slug + "-")  # whole words, the next one left out
    arabic = slugify("تحذير من موجة برد قارس تضرب المناطق الشمالية الليلة وغدا مع تساقط الثلوج")
    assert arabic and len(arabic) <= MAX_SLUG_CHARS and arabic.isascii()
    assert all(word for word in arabic.split("-"))
    assert len(slugify("a" * 200)) == MAX_SLUG_CHARS  # one endless word is cut where it must be


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "articast", *args], capture_output=True, text=True, timeout=300)


def article(path: Path, title: str, body: str) -> Path:
    path.write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    return path


def guids(folder: Path) -> dict[str, str]:
    parsed = feedparser.parse(str(folder / "feed.xml"))
    assert not parsed.bozo, parsed.bozo_exception
    return {Path(e.enclosures[0].href).stem: e.id for e in parsed.entries}


@pytest.mark.slow
def test_another_article_never_replaces_an_episode_and_the_same_one_does(tmp_path: Path):
    show = tmp_path / "show"
    one = tmp_path / "week1" / "notes.md"
    two = tmp_path / "week2" / "notes.md"
    one.parent.mkdir()
    two.parent.mkdir()
    article(one, "Notes", "The first week was quiet. We planted beans and mended the fence by the gate.")
    article(two, "Notes", "The second week was busy. The river rose and the bridge was closed for two days.")
    flags = ("--out", str(show), "--no-music", "--mono", "--title", "Monday notes", "--jobs", "1")
    made_one = cli("produce", str(one), *flags)
    made_two = cli("produce", str(two), *flags)
    assert made_one.returncode == 0 and made_two.returncode == 0, made_one.stderr + made_two.stderr
    assert made_one.stdout.splitlines()[-1] == str(show / "monday-notes.mp3")
    assert made_two.stdout.splitlines()[-1] == str(show / "monday-notes-2.mp3")
    assert cli("publish", "--out", str(show)).returncode == 0
    first = guids(show)
    assert set(first) == {"monday-notes", "monday-notes-2"} and len(set(first.values())) == 2

    # The same article again (edited): it replaces its own episode, which keeps its GUID.
    article(one, "Notes", "The first week was quiet. We planted beans, peas and mended the fence by the gate.")
    again = cli("produce", str(one), *flags)
    assert again.returncode == 0 and again.stdout.splitlines()[-1] == str(show / "monday-notes.mp3")
    assert sorted(p.name for p in show.glob("*.mp3")) == ["monday-notes-2.mp3", "monday-notes.mp3"]
    assert cli("publish", "--out", str(show)).returncode == 0
    assert guids(show) == first



def test_two_articles_with_one_cyrillic_title_get_two_readable_names(tmp_path: Path):
    """free_slug against MP3s whose tags name their articles (the English voice cannot say Cyrillic:
    speaking such an article is issue 34's)."""
    from articast.naming import free_slug
    from articast.tags import TagInfo, write_tags

    title = "Предупреждение о холодной волне"
    wanted = slugify(title)
    taken = []
    for source in ("/news/a.html", "/news/b.html", "/news/a.html"):
        slug = free_slug(tmp_path, wanted, source)
        mp3 = tmp_path / f"{slug}.mp3"
        mp3.write_bytes(b"")
        write_tags(mp3, TagInfo(title=title, artist="x", album="y", duration_ms=1000, source=source))
        taken.append(slug)
    assert taken == [wanted, f"{wanted}-2", wanted] and wanted == "preduprezhdenie-o-kholodnoy-volne"
    assert free_slug(tmp_path, wanted, "/news/c.html", taken={f"{wanted}-3"}) == f"{wanted}-4"
    (tmp_path / "old.mp3").write_bytes(b"")  # made by an older articast: no source in its tag
    assert free_slug(tmp_path, "old", "/news/a.html") == "old-2"


@pytest.mark.slow
def test_another_sound_under_an_old_name_is_a_new_episode(tmp_path: Path):
    """An MP3 replaced by another article's (by hand, or by an older articast) never keeps the old GUID."""
    import shutil

    show = tmp_path / "show"
    first = article(tmp_path / "first.md", "Bees", "Bees find their way home by the sun and by landmarks.")
    other = article(tmp_path / "other.md", "Bees", "Ants find their way home by counting their steps.")
    flags = ("--no-music", "--mono", "--jobs", "1")
    assert cli("produce", str(first), "--out", str(show), *flags).returncode == 0
    assert cli("publish", "--out", str(show)).returncode == 0
    before = guids(show)
    elsewhere = tmp_path / "elsewhere"
    assert cli("produce", str(other), "--out", str(elsewhere), *flags).returncode == 0
    shutil.copy(elsewhere / "bees.mp3", show / "bees.mp3")
    assert cli("publish", "--out", str(show)).returncode == 0
    after = guids(show)
    assert set(after) == {"bees"} and after["bees"] != before["bees"]
