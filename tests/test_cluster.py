"""Producing on a real Ray cluster: two nodes on this machine, four short articles, a node lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from articast import Settings, produce

from .helpers import ffmpeg_loudness
from .test_batch import write_articles

pytestmark = pytest.mark.slow  # subprocesses, servers, the browser or the real voice throughout

ARTICAST = [sys.executable, "-m", "articast"]


def episode_facts(folder: Path) -> dict[str, tuple[str, str]]:
    """Each episode's transcript words and chapters, by slug."""
    facts = {}
    for vtt in sorted(folder.glob("*.vtt")):
        words = " ".join(line for line in vtt.read_text().splitlines()
                         if line and "-->" not in line and line != "WEBVTT" and not line.isdigit())
        facts[vtt.stem] = (words, [c["title"] for c in json.loads(vtt.with_suffix(".chapters.json").read_text())
                                   ["chapters"]])
    return facts


def cue_times(vtt: Path) -> list[str]:
    return [line for line in vtt.read_text().splitlines() if "-->" in line]


def test_without_ray_the_option_fails_in_one_line_and_the_default_path_never_imports_it(tmp_path: Path):
    blocker = tmp_path / "blocked"
    (blocker / "ray").mkdir(parents=True)
    (blocker / "ray" / "__init__.py").write_text("raise ImportError(\"No module named 'ray'\")\n")
    article = write_articles(tmp_path / "articles")[0]
    env = {**os.environ, "PYTHONPATH": str(blocker)}
    result = subprocess.run([*ARTICAST, "produce", str(article), "--ray", "local", "--out", str(tmp_path / "show")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == 'error: --ray needs Ray, which is not installed: pip install "articast[ray]"'
    # The default path runs with the blocker in place, and never imports ray.
    check = ("import sys, runpy; sys.argv = ['articast', 'produce', sys.argv[1], '--no-music', '--out', sys.argv[2]];"
             "import articast.cli as cli; status = cli.main();"
             "print(status, 'ray' in sys.modules, any(m.startswith('ray.') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", check, str(article), str(tmp_path / "plain")], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.stdout.strip().splitlines()[-1] == "0 False False", done.stderr


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, _session_cache: Path):
    """A head and a second node of one CPU each, on this machine, whose tasks keep their own (empty)
    synthesis cache; RAY_ADDRESS points 'auto' at it."""
    from ray.cluster_utils import Cluster

    node_cache = tmp_path / "node-cache"
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(node_cache))  # what the nodes' processes inherit
    started = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    second = started.add_node(num_cpus=1)
    started.wait_for_nodes()
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(_session_cache))
    monkeypatch.setenv("RAY_ADDRESS", started.address)
    yield started, second, node_cache
    started.shutdown()


def test_a_cluster_makes_what_a_local_run_makes_survives_a_lost_node_and_speaks_nothing_twice(
        cluster, tmp_path: Path):
    head, second, node_cache = cluster
    articles = write_articles(tmp_path / "articles")
    local = tmp_path / "local"
    for article in articles:
        produce(article, Settings(out_dir=local, music=False, mono=True))
    show = tmp_path / "show"
    command = [*ARTICAST, "produce", *map(str, articles), "--out", str(show), "--no-music", "--mono",
               "--ray", "auto"]
    # The nodes' cache is empty: they speak every article, slowly enough to lose a node mid-batch.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not list(show.glob("*.mp3")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the batch ended before a node could be lost"
    head.remove_node(second)  # the second node is lost with whatever it was making
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    assert err.strip().splitlines()[-1] == "4 produced, 0 failed"
    assert sorted(p.name for p in show.glob("*.mp3")) == sorted(p.name for p in local.glob("*.mp3"))
    assert not list(show.glob(".*.tmp"))  # every episode written once, whole
    assert episode_facts(show) == episode_facts(local)
    for mp3 in local.glob("*.mp3"):
        local_lufs, _ = ffmpeg_loudness(mp3)
        cluster_lufs, _ = ffmpeg_loudness(show / mp3.name)
        assert abs(local_lufs - cluster_lufs) <= 0.1 + 1e-9  # the meter reads in steps of 0.1
    # A second run on the cluster finds every segment in the nodes' cache: nothing new is spoken.
    spoken = sorted(p.name for p in node_cache.rglob("*.seg"))
    assert len(spoken) >= 8
    again = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in node_cache.rglob("*.seg")) == spoken


def test_one_article_on_the_cluster_takes_its_title_and_prints_each_file_once(cluster, tmp_path: Path):
    from mutagen.id3 import ID3

    article = write_articles(tmp_path / "articles")[0]
    show = tmp_path / "show"
    made = subprocess.run([*ARTICAST, "produce", str(article), "--out", str(show), "--no-music", "--mono",
                           "--ray", "auto", "--title", "Monday notes"], capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr
    files = [str(show / f"monday-notes{suffix}") for suffix in (".vtt", ".srt", ".chapters.json", ".mp3")]
    assert made.stdout.splitlines() == files  # each once, and nothing of Ray's between them
    assert str(ID3(show / "monday-notes.mp3")["TIT2"]) == "Monday notes"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_cluster_that_asks_for_a_token_is_said_in_one_line(tmp_path: Path):
    """A head with Ray's token authentication: without the token, one line naming what to set (not
    Ray's twenty warnings); with it, the episode is made."""
    import secrets
    import signal

    token = secrets.token_hex(16)
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    head_env = {**clean, "HOME": str(tmp_path / "head-home"), "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token}
    ray_cli = str(Path(sys.executable).with_name("ray"))
    head = subprocess.Popen([ray_cli, "start", "--head", "--block", f"--port={port}", "--num-cpus=1",
                             "--include-dashboard=false", "--ray-client-server-port", str(_free_port()),
                             "--node-ip-address=127.0.0.1"],
                            env=head_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        address = f"127.0.0.1:{port}"
        env = {**clean, "HOME": str(tmp_path / "client-home")}
        command = [*ARTICAST, "produce", str(write_articles(tmp_path / "articles")[0]), "--out",
                   str(tmp_path / "show"), "--no-music", "--mono", "--ray", address]
        admitted = None
        for _ in range(60):  # the head takes a few seconds to come up
            admitted = subprocess.run(command, capture_output=True, text=True, timeout=300,
                                      env={**env, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token})
            if admitted.returncode == 0:
                break
            time.sleep(1)
        assert admitted is not None and admitted.returncode == 0, admitted.stderr
        assert admitted.stdout.splitlines()[-1].endswith(".mp3")
        refused = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        assert refused.returncode == 1
        assert refused.stderr.splitlines() == [
            f"error: cannot join the Ray cluster at {address}: it asks for its token (Ray's token "
            "authentication): set RAY_AUTH_MODE=token, and RAY_AUTH_TOKEN to what 'ray get-auth-token' prints "
            "on the head (or copy the head's ~/.ray/auth_token here); see docs/cluster.md"], refused.stderr
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=5)  # (a blocking head can take half a minute over SIGTERM: killed after 5 s)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait(timeout=30)


def test_an_address_where_nothing_answers_is_said_at_once(tmp_path: Path):
    article = write_articles(tmp_path / "articles")[0]
    for address in (f"127.0.0.1:{_free_port()}", f"ray://127.0.0.1:{_free_port()}"):
        result = subprocess.run([*ARTICAST, "produce", str(article), "--ray", address, "--out", str(tmp_path / "s")],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: cannot join the Ray cluster at {address}: "
                                                       "nothing answers at 127.0.0.1:"), result.stderr
        assert "is the head running ('ray start --head')?" in lines[0]
