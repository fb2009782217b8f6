"""The real command line, run as a user runs it."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from articast.pipeline import Progress
from articast.progress import ProgressBar

from .conftest import DATA

ARTICAST = [sys.executable, "-m", "articast"]


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*ARTICAST, *args], input=stdin, capture_output=True, cwd=cwd, timeout=300)


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "articast"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("articast ")


@pytest.mark.slow
def test_produce_prints_the_mp3_path_last(tmp_path: Path):
    out = tmp_path / "show"
    result = run("produce", str(DATA / "qa-article.txt"), "--out", str(out), "--no-music", "--mono")
    assert result.returncode == 0, result.stderr
    printed = result.stdout.decode().strip().splitlines()
    stem = out / "how-do-bees-find-their-way-home"
    assert printed == [f"{stem}.vtt", f"{stem}.srt", f"{stem}.chapters.json", f"{stem}.mp3"]
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(Path(p).name for p in printed)
    assert Path(printed[-1]).stat().st_size > 10_000
    assert b"Traceback" not in result.stderr
    assert b".srt" in run("produce", "--help").stdout


@pytest.mark.parametrize(("args", "line"), [
    ((), "error: articast produce: the following arguments are required: ARTICLE; see 'articast produce --help'"),
    (("x.md", "--pace", "fast"),
     "error: articast produce: argument --pace: invalid float value: 'fast'; see 'articast produce --help'"),
    (("a.md", "--nonsense"), "error: articast produce: unrecognized arguments: --nonsense; see 'articast produce --help'"),
])
def test_a_usage_error_is_one_line_with_a_hint_and_exit_2(args, line):
    result = run("produce", *args)
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [line]
    assert result.stdout == b""


@pytest.mark.slow
def test_default_show_folder_is_output_in_the_working_directory(tmp_path: Path):
    result = run("produce", "-", "--title", "From stdin", "--no-music", cwd=tmp_path,
                 stdin=b"A short note read from standard input. It has two sentences.\n")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "from-stdin.mp3").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("case", ["missing", "empty", "binary", "folder", "blank"])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, case: str):
    paths = {
        "missing": tmp_path / "missing.md",
        "empty": tmp_path / "empty.txt",
        "binary": tmp_path / "photo.txt",
        "folder": tmp_path / "a-folder",
        "blank": tmp_path / "blank.txt",
    }
    paths["empty"].write_bytes(b"")
    paths["binary"].write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 64)
    paths["folder"].mkdir()
    paths["blank"].write_text("\n   \n\t\n")
    out = tmp_path / "show"
    result = run("produce", str(paths[case]), "--out", str(out))
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert not out.exists()


def test_traceback_flag_shows_the_stack(tmp_path: Path):
    result = run("--traceback", "produce", str(tmp_path / "missing.md"))
    assert result.returncode == 2
    assert b"Traceback" in result.stderr and b"error: " in result.stderr


def test_help_explains_the_options():
    result = run("produce", "--help")
    text = result.stdout.decode()
    for option in ("--out", "--title", "--pace", "--intro", "--outro", "--no-music", "--mono"):
        assert option in text
    assert run("--help").stdout.decode().count("articast produce") >= 1


@pytest.mark.slow
def test_ctrl_c_exits_130_and_leaves_nothing_half_written(tmp_path: Path):
    article = tmp_path / "long.txt"
    paragraph = "This sentence is here to keep the voice busy for a while longer. " * 6
    article.write_text("A Long Read\n\n" + "\n\n".join([paragraph] * 40))
    out = tmp_path / "show"
    cache = tmp_path / "cache"
    proc = subprocess.Popen([*ARTICAST, "produce", str(article), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "ARTICAST_CACHE_DIR": str(cache)})
    deadline = time.monotonic() + 60
    while not list(cache.glob("*/*.seg")) and time.monotonic() < deadline:  # synthesis under way
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, stderr = proc.communicate(timeout=30)
    # At most 2 s waiting for the segment being spoken, then the exit (longer on a machine that is busy
    # with other tests).
    assert time.monotonic() - sent < 4
    assert proc.returncode == 130
    assert stderr.decode().strip().splitlines()[-1].startswith("error: interrupted")
    assert b"Traceback" not in stderr
    leftovers = list(out.iterdir()) if out.exists() else []
    assert leftovers == []
    # What was spoken before Ctrl-C is kept for the next run.
    assert len(list(cache.glob("*/*.seg"))) >= 1


def test_progress_bar_draws_only_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = ProgressBar(stream)
        bar(Progress("speech", 3, 10))
        bar.close()
    assert "3/10 segments" in tty.getvalue()
    assert pipe.getvalue() == ""


def test_article_bar_counts_articles_on_a_terminal_and_names_each_elsewhere():
    from articast.progress import ArticleBar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    plain = io.StringIO()
    bar = ArticleBar(plain, 3)
    bar.start(1, "a.md")
    bar.finish()
    assert plain.getvalue() == "[1/3] a.md\n"
    screen = Terminal()
    bar = ArticleBar(screen, 3)
    bar.start(1, "a.md")
    bar.start(2, "b.md")
    bar.finish()
    assert screen.getvalue().split("\r")[-1].startswith("articles [##########....................] 1/3 done, 1 in hand")
    bar.clear()
    assert screen.getvalue().endswith("\r")


@pytest.mark.slow
def test_ctrl_c_at_any_moment_of_start_up_exits_130_without_a_traceback(tmp_path):
    import signal
    import time

    article = tmp_path / "a.md"
    article.write_text("# A title\n\nA sentence or two to read, so that the command has work to do.\n")
    # From the moment Python itself is up: a signal before the interpreter runs articast's first line
    # is Python's to handle (measured here as its own start-up, best of three).
    started = []
    for _ in range(3):
        begin = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        started.append(time.perf_counter() - begin)
    python_s = min(started)
    interrupted: list[float] = []
    for delay_s in (python_s + 0.015, python_s + 0.03, python_s + 0.06, 0.12, 0.2, 0.4):
        proc = subprocess.Popen([sys.executable, "-m", "articast", "script", str(article)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay_s)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        if proc.returncode == 0:
            continue  # it had finished already
        if proc.returncode != 130 and "/articast/" not in err.replace("\\", "/"):
            continue  # on a busy machine the signal came during Python's own start-up, no articast code yet
        assert proc.returncode == 130, (delay_s, err)
        assert "Traceback" not in err, (delay_s, err)
        interrupted.append(delay_s)
    assert len(interrupted) >= 2, interrupted  # the check was made, not skipped at every moment
