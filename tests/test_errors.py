"""Ordinary failures are one line a user can act on, never 'unexpected': a real full disk and a real
read-only folder (tmpfs mounts), a bad port, a feed nested 200,000 deep, an OPML file with a DOCTYPE."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import DATA


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "articast", *args], capture_output=True, text=True, timeout=300,
                          input=stdin)


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if not line.startswith(("warning:", "note:"))]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "unexpected" not in lines[0] and "Traceback" not in result.stderr
    return lines[0]


@contextlib.contextmanager
def small_disk(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` (root only; CI runs as root)."""
    where.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs for the full-disk test: {mounted.stderr.strip()}")
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.slow
def test_a_full_disk_and_a_read_only_folder(tmp_path: Path):
    with small_disk(tmp_path / "disk", "200k") as disk:
        show = disk / "show"
        full = cli("produce", str(DATA / "short-article.md"), "--out", str(show), "--mono", "--no-music")
        assert full.returncode == 1
        assert one_line(full).startswith("error: the disk is full") and "--out" in full.stderr
        assert not show.exists() or not [p for p in show.iterdir() if p.name != ".articast.lock"]
        assert full.stdout == ""

        made = cli("produce", str(DATA / "short-article.md"), "--out", str(tmp_path / "made"), "--mono",
                   "--no-music")
        assert made.returncode == 0, made.stderr
        show.mkdir(exist_ok=True)
        for path in (tmp_path / "made").iterdir():
            if path.suffix != ".mp3":
                (show / path.name).write_bytes(path.read_bytes())
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        read_only = cli("produce", str(DATA / "short-article.md"), "--out", str(show), "--mono", "--no-music")
        assert read_only.returncode == 1
        assert "the disk is read-only; choose another folder with --out" in one_line(read_only)
        follow = cli("follow", str(DATA / "short-article.md"), "--out", str(show))
        assert follow.returncode in (1, 2) and "unexpected" not in follow.stderr


def test_a_port_out_of_range_is_a_usage_error():
    served = cli("serve", "--port", "99999")
    assert served.returncode == 2
    assert one_line(served) == ("error: articast serve: argument --port: 99999 is not a port number (0 to 65535); "
                                "see 'articast serve --help'")


def test_a_json_feed_nested_200000_deep_is_refused_in_one_line(tmp_path: Path):
    feed = tmp_path / "deep.json"
    feed.write_text('{"version": "https://jsonfeed.org/version/1.1", "items": ' + "[" * 200_000 + "]" * 200_000 + "}")
    followed = cli("follow", str(feed), "--out", str(tmp_path / "show"))
    assert followed.returncode == 2
    assert one_line(followed) == f"error: {feed}: is JSON nested too deeply to be a feed"
    assert not (tmp_path / "show" / "articast.toml").exists()


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE opml>',
    '<!DOCTYPE opml PUBLIC "-//Example//DTD OPML 2.0//EN" "http://example.org/opml.dtd">',
    '<!DOCTYPE opml [\n  <!ENTITY site "https://example.org">\n]>',
])
def test_an_opml_file_with_a_doctype_is_read_as_opml(tmp_path: Path, doctype: str):
    opml = tmp_path / "subscriptions.opml"
    opml.write_text(f'<?xml version="1.0"?>\n{doctype}\n<opml version="2.0"><head><title>Feeds</title></head><body>'
                    '<outline text="A" xmlUrl="https://example.org/a.xml"/>'
                    '<outline text="B" xmlUrl="https://example.org/b.xml"/></body></opml>\n')
    followed = cli("follow", str(opml), "--out", str(tmp_path / "show"))
    assert followed.returncode == 0, followed.stderr
    assert "following an OPML file" in followed.stderr and "2 feeds" in followed.stderr
