"""The article's language: from its marks, else from its text; a voice of that language speaks it,
or the article is refused with the command that installs one; tags, page and feed say the language."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html
from mutagen.id3 import ID3

from articast.ingest import read_article
from articast.ingest.html import parse_html
from articast.ingest.language import detect
from articast.ingest.markdown import parse_markdown

from .voicemirror import DE, DE_LOW, ES, MirrorServer, build_mirror

PARAGRAPHS = {
    "de": "Am 3. März 2025 stellte die Regierung in Berlin den neuen Haushalt vor. Er sieht Ausgaben von 476,8 "
          "Mrd. Euro vor, deutlich mehr als im Vorjahr. Die Bahn kündigte an, dass die Züge zwischen Hamburg und "
          "München ab dem Sommer häufiger fahren sollen.",
    "fr": "Le 2e arrondissement de Paris accueille depuis lundi une exposition consacrée aux photographes de rue. "
          "Selon l'Insee, le taux de chômage a reculé de 0,3 point au troisième trimestre.",
    "es": "El Gobierno aprobó ayer un plan de 1.200 millones de euros para modernizar los hospitales públicos. Los "
          "vecinos se reunieron a las 10:15 en la plaza mayor para protestar contra el cierre de la escuela.",
    "it": "Il Comune di Milano ha annunciato che le nuove linee del tram entreranno in servizio entro la fine "
          "dell'anno. Secondo l'Istat, l'inflazione è scesa all'1,8 per cento nel mese di ottobre.",
    "pt": "O governo anunciou nesta terça-feira um pacote de medidas para conter a alta dos preços dos alimentos. "
          "Em Lisboa, os moradores queixam-se do aumento das rendas e da falta de habitação acessível.",
    "nl": "De gemeente Amsterdam wil het aantal toeristen in de binnenstad de komende jaren flink terugdringen. "
          "Volgens het CBS groeide de Nederlandse economie in het derde kwartaal met 0,4 procent.",
    "pl": "Rząd przyjął w czwartek projekt budżetu na przyszły rok, który zakłada wyższe wydatki na obronność. "
          "Według GUS inflacja w październiku spadła do 4,9 procent w ujęciu rocznym.",
    "en": "The council voted on Tuesday to close the old library and open a new one near the station. Prices rose "
          "by 3.2 percent in the year to October, the statistics office said.",
}

ARTICASTS = [sys.executable, "-m", "articast"]


@pytest.mark.parametrize("language", sorted(PARAGRAPHS))
def test_the_language_is_told_from_real_paragraphs(language: str):
    assert detect(PARAGRAPHS[language]) == language


def test_a_few_words_are_not_enough_to_tell():
    assert detect("Am 3. März 2025") is None


def _page(body: str, head: str = "", html_attrs: str = "") -> str:
    return (f"<!DOCTYPE html><html{html_attrs}><head><title>Der Haushalt</title>{head}</head><body><article>"
            f"<h1>Der Haushalt</h1><p>{body}</p><p>{body}</p></article></body></html>")


def test_the_source_marks_come_before_the_text(tmp_path: Path):
    german = PARAGRAPHS["de"]
    assert parse_html(_page(german, html_attrs=' lang="fr-CA"')).language == "fr-CA"  # the page says so
    assert parse_html(_page(german, head='<meta property="og:locale" content="de_AT">')).language == "de_AT"
    page = tmp_path / "page.html"
    page.write_text(_page(german, head='<meta property="og:locale" content="de_AT">'))
    assert read_article(page).language == "de-AT"  # as a BCP 47 tag
    assert parse_markdown(f"---\nlang: es\n---\n\n# Título\n\n{german}\n").language == "es"


def test_a_page_without_marks_is_told_from_its_text(tmp_path: Path):
    for language in ("de", "fr", "es", "it", "pt", "nl", "pl"):
        page = tmp_path / f"{language}.html"
        page.write_text(_page(PARAGRAPHS[language]))
        assert read_article(page).language == language


def test_the_server_content_language_is_a_mark(tmp_path: Path):
    body = _page(PARAGRAPHS["de"]).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Language", "de-CH")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        article = read_article(f"http://127.0.0.1:{server.server_address[1]}/haushalt")
    finally:
        server.shutdown()
        server.server_close()
    assert article.language == "de-CH"


def test_the_flag_and_the_show_language_come_in_order(tmp_path: Path):
    from articast.pipeline import load_script

    note = tmp_path / "note.txt"
    note.write_text("Kurz\n\nNur drei Worte.\n")  # too short to tell
    assert load_script(note).language is None
    assert load_script(note, fallback_language="de").language == "de"  # the show's
    article = tmp_path / "article.txt"
    article.write_text("Haushalt\n\n" + PARAGRAPHS["de"])
    assert load_script(article, fallback_language="fr").language == "de"  # its text, over the show's
    assert load_script(article, language="es", fallback_language="fr").language == "es"  # --language, over all


def _voices_folder(folder: Path, voices: dict[str, tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (code, quality) in voices.items():
        (folder / f"{name}.onnx").write_bytes(b"")
        (folder / f"{name}.onnx.json").write_text(json.dumps({"language": {"code": code},
                                                                "audio": {"quality": quality}}))


def test_an_installed_voice_of_the_language_is_chosen_region_first_then_quality(tmp_path: Path, monkeypatch):
    from articast.speech import EngineOptions
    from articast.speech.piper import PiperEngine

    monkeypatch.setenv("ARTICAST_VOICES_DIR", str(tmp_path / "voices"))
    _voices_folder(tmp_path / "voices", {"de_DE-a-low": ("de_DE", "low"), "de_DE-b-high": ("de_DE", "high"),
                                         "de_AT-c-x_low": ("de_AT", "x_low"), "fr_FR-d-medium": ("fr_FR", "medium")})
    options = EngineOptions()
    assert PiperEngine.voice_for("de", options) == "de_DE-b-high"
    assert PiperEngine.voice_for("de-AT", options) == "de_AT-c-x_low"  # the article's own region first
    assert PiperEngine.voice_for("fr-CA", options) == "fr_FR-d-medium"
    assert PiperEngine.voice_for("en", options) == "joe"
    assert PiperEngine.voice_for("es", options) is None
    assert PiperEngine.voice_language("fr_FR-d-medium", options) == "fr-FR"


def test_the_show_names_a_voice_for_a_language(tmp_path: Path):
    from articast.config import resolve_settings
    from articast.speech.choice import choose_voices

    (tmp_path / "articast.toml").write_text('[voices]\nde = "de_DE-mine-medium"\nquestion = "joe"\n')
    settings = resolve_settings({"out_dir": tmp_path}, env={})
    assert settings.language_voices == {"de": "de_DE-mine-medium"} and settings.role_voices == {"question": "joe"}
    assert choose_voices(settings, "de-AT").voice == "de_DE-mine-medium"


@pytest.fixture(scope="module")
def language_mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mirror")
    build_mirror(folder, languages=True)
    return folder


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ARTICASTS, *args], capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_german_article_is_refused_then_spoken_by_the_german_voice_once_installed(
        language_mirror: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    article = tmp_path / "haushalt.md"
    article.write_text("# Der neue Haushalt\n\n" + PARAGRAPHS["de"] + "\n")
    show = tmp_path / "show"
    with MirrorServer(language_mirror) as mirror:
        monkeypatch.setenv("ARTICAST_VOICES_URL", mirror.url)
        refused = run("produce", str(article), "--out", str(show))
        assert refused.returncode == 2
        assert refused.stderr == ("error: the article is in German (de), and no piper voice of that language is "
                                  f"installed; install one with: articast voices --download {DE}\n")
        assert not show.exists()  # nothing written
        assert run("voices", "download", DE).returncode == 0
        assert run("voices", "download", DE_LOW).returncode == 0  # a lower quality: the medium one is chosen

    said = json.loads(run("script", str(article), "--json").stdout)
    assert said["language"] == "de"
    assert {s["voice"] for chapter in said["chapters"] for s in chapter["segments"]} == {DE}
    assert said["chapters"][0]["segments"][1]["spoken"].startswith("Am dritten März zweitausendfünfundzwanzig")

    made = run("produce", str(article), "--out", str(show), "--no-music")
    assert made.returncode == 0, made.stderr
    assert "warning" not in made.stderr
    mp3 = Path(made.stdout.splitlines()[-1])
    tags = ID3(mp3)
    assert str(tags["TLAN"]) == "deu"
    assert tags.getall("COMM")[0].lang == "deu" and tags.getall("USLT")[0].lang == "deu"
    published = run("publish", "--out", str(show))
    assert published.returncode == 0, published.stderr
    feed = feedparser.parse(str(show / "feed.xml"))
    assert feed.feed.language == "de"  # no show language set: its episodes'
    page = lxml_html.parse(str(show / "index.html")).getroot()
    assert page.get("lang") == "de"
    assert b'language="de"' in (show / "feed.xml").read_bytes()  # the transcripts' language

    forced = run("produce", str(article), "--out", str(tmp_path / "other"), "--no-music", "--voice", "joe")
    assert forced.returncode == 0, forced.stderr
    warnings = [line for line in forced.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: voice 'joe' speaks English (en-US); the article is in German (de)"]


@pytest.mark.slow
def test_the_voice_phonemizes_its_own_language(language_mirror: Path, tmp_path: Path, monkeypatch):
    from articast.speech import EngineOptions, get_engine

    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    with MirrorServer(language_mirror) as mirror:
        monkeypatch.setenv("ARTICAST_VOICES_URL", mirror.url)
        assert run("voices", "download", ES).returncode == 0
    spanish = get_engine("piper", EngineOptions(voice=ES))
    english = get_engine("piper", EngineOptions())
    for engine in (spanish, english):
        engine.load()
    said_es = "".join(spanish._voice.phonemize("Zaragoza")[0])
    said_en = "".join(english._voice.phonemize("Zaragoza")[0])
    assert said_es != said_en
    assert "θ" in said_es  # Castilian z, as espeak's Spanish says it; English says z


@pytest.mark.slow
def test_update_records_an_article_no_voice_can_read_as_failed_with_the_same_line(tmp_path: Path):
    from articast.config import resolve_settings
    from articast.follow import follow_source
    from articast.follow.update import update_show

    show = tmp_path / "show"
    show.mkdir()
    (show / "articast.toml").write_text("[produce]\nmono = true\nmusic = false\n")
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "haushalt.md").write_text("# Der neue Haushalt\n\n" + PARAGRAPHS["de"] + "\n")
    (drafts / "library.md").write_text("# The night library\n\n" + PARAGRAPHS["en"] + "\n")
    follow_source(show, str(drafts))
    result = update_show(resolve_settings({"out_dir": show}), report=lambda event: None)
    assert [p.name for p in result.mp3_paths] == ["the-night-library.mp3"]
    assert [failure.why for failure in result.failures] == [
        "the article is in German (de), and no piper voice of that language is installed; find one with: "
        "articast voices --available --lang de"]  # (no catalogue reachable here: the command that lists them)


def test_a_language_that_is_not_a_tag_is_one_line(tmp_path: Path):
    from articast import InputError
    from articast.config import resolve_settings

    with pytest.raises(InputError, match=r"^--language: '\.\./etc' is not a language tag \(de, fr-CA, pt-BR\)$"):
        resolve_settings({"out_dir": tmp_path, "article_language": "../etc"}, env={})
    with pytest.raises(InputError, match="ARTICAST_ARTICLE_LANGUAGE: 'de DE' is not a language tag"):
        resolve_settings({"out_dir": tmp_path}, env={"ARTICAST_ARTICLE_LANGUAGE": "de DE"})
