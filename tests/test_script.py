"""Script: sentences, segment sizes, pauses, and no word lost."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articast.models import Article, Pause, Section
from articast.script import MAX_CHARS, build_script, group_sentences, split_sentences, to_spoken


def test_sentences_split_at_stops_not_at_abbreviations_or_decimals():
    text = "Dr. Smith paid $1.25 billion in the U.S. market. Was it worth it? Yes! The end."
    assert split_sentences(text) == [
        "Dr. Smith paid $1.25 billion in the U.S. market.", "Was it worth it?", "Yes!", "The end."]


def test_segments_are_whole_sentences_grouped_to_a_target():
    paragraph = " ".join(f"Sentence number {i} is here and it is of a middling length." for i in range(12))
    groups = group_sentences(paragraph)
    assert len(groups) > 2
    for g in groups:
        assert g.endswith(".") and len(g) <= MAX_CHARS


def test_run_on_text_without_stops_is_split_between_words():
    words = [f"word{i}" for i in range(400)]
    groups = group_sentences(" ".join(words))
    assert all(len(g) <= MAX_CHARS for g in groups)
    assert " ".join(groups).split() == words


def test_pauses_follow_the_text():
    article = Article(title="Title", sections=(
        Section(None, ("One. Two.", "Three.")),
        Section("Second", ("Four.",)),
    ))
    script = build_script(article)
    assert [c.title for c in script.chapters] == ["Title", "Second"]
    roles = [(s.role, s.pause_after) for s in script.segments]
    assert roles == [("title", Pause.PARAGRAPH), ("body", Pause.SENTENCE), ("body", Pause.PARAGRAPH),
                     ("body", Pause.CHAPTER), ("heading", Pause.PARAGRAPH), ("body", Pause.END)]


def test_spoken_form_drops_decoration_and_says_ampersand():
    assert to_spoken("Salt & pepper 🎉 **now**") == "Salt and pepper now"


_words = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=30)
_punct = st.sampled_from(["", "", "", ",", ".", "?", "!", ";", ":"])


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_words, _punct), min_size=1, max_size=300))
def test_every_word_survives_segmentation_and_no_segment_is_too_long(tokens):
    paragraph = " ".join(w + p for w, p in tokens)
    groups = group_sentences(paragraph)
    assert all(0 < len(g) <= MAX_CHARS for g in groups)
    assert re.sub(r"\s+", "", "".join(groups)) == re.sub(r"\s+", "", paragraph)


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
_sentence = st.lists(_word, min_size=1, max_size=40).map(lambda ws: " ".join(ws).capitalize() + ".")
_paragraph = st.lists(_sentence, min_size=1, max_size=8).map(" ".join)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.lists(_paragraph, min_size=1, max_size=6))
def test_every_word_of_a_plain_text_article_is_spoken_in_order(paragraphs):
    from articast.ingest import parse_article

    text = "\n\n".join(paragraphs)
    script = build_script(parse_article(text, kind="text"))
    spoken_words = " ".join(s.text for s in script.segments).replace(".", " ").split()
    assert spoken_words == text.replace(".", " ").split()
    assert all(len(s.text) <= MAX_CHARS for s in script.segments)


_VOCABULARY = st.sampled_from("harbour library river council market garden station bridge museum orchard "
                              "opened changed welcomed measured repaired painted counted".split())
_plain_sentence = st.lists(_VOCABULARY, min_size=2, max_size=30).map(lambda ws: " ".join(ws).capitalize() + ".")


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(st.lists(_plain_sentence, min_size=2, max_size=10), st.data())
def test_editing_one_sentence_changes_its_segment_and_no_other(sentences, data):
    """What the cache relies on: after an edit, every other sentence is spoken from the cache."""
    where = data.draw(st.integers(0, len(sentences) - 1))
    added = data.draw(st.lists(_VOCABULARY, min_size=1, max_size=12))
    edited = list(sentences)
    edited[where] = f"{edited[where][:-1]} {' '.join(added)}."

    def spoken(paragraph_sentences: list[str]) -> list[str]:
        article = Article(title=None, sections=(Section(None, (" ".join(paragraph_sentences),)),))
        return [segment.spoken for segment in build_script(article).segments]

    before, after = spoken(sentences), spoken(edited)
    assert len(before) == len(after) == len(sentences)
    assert [i for i, (a, b) in enumerate(zip(before, after)) if a != b] == [where]


@pytest.mark.slow
def test_produce_speaks_exactly_the_script(tmp_path, monkeypatch):
    import numpy as np

    from articast import Settings, load_script, pipeline
    from articast.models import Clip

    spoken: list[str] = []

    class RecordingEngine:
        NAME = "recording"
        OFFLINE = True
        PARALLEL = False
        CONCURRENT = False
        OPTIONS: dict = {}
        threads = None

        def cache_key(self) -> dict:
            return {"engine": self.NAME}

        def synthesize(self, text: str) -> Clip:
            spoken.append(text)
            t = np.arange(int(len(text.split()) * 0.35 * 22050)) / 22050  # a plausible length
            return Clip((0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32), 22050)

    monkeypatch.setattr("articast.speech.schedule.get_engine", lambda name, options: RecordingEngine())
    from .conftest import DATA

    source = DATA / "news-page.html"
    pipeline.produce(source, Settings(out_dir=tmp_path, music=False))
    assert spoken == [s.spoken for s in load_script(source).segments]
