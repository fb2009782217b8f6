"""publish --to, against real servers started here: moto's S3 server over HTTP, an asyncssh SFTP
server, and a file:// folder. Every remote feed is read back with feedparser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import feedparser
import pytest
from moto.server import ThreadedMotoServer

from articast import ArticastError, Settings, produce
from articast.publish import publish_show
from articast.publish.remote import MANIFEST, upload_show

from .conftest import DATA
from .sftpserver import SftpServer

BASE = "https://pod.example.org/reading"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing-key", "AWS_SECRET_ACCESS_KEY": "testing-secret",
               "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3():
    """moto's S3 server on a free port, answering real HTTP; yields its endpoint URL."""
    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def episodes(tmp_path_factory) -> Path:
    """Three real episodes (mono, to be quick) in a folder the tests copy from."""
    folder = tmp_path_factory.mktemp("episodes")
    short = DATA / "short-article.md"
    produce(DATA / "short-article.md", Settings(out_dir=folder, mono=True))
    produce(DATA / "qa-article.txt", Settings(out_dir=folder, mono=True))
    produce(short, Settings(out_dir=folder, mono=True), title="A Second Reading", slug="a-second-reading")
    return folder


def show_with(episodes: Path, tmp_path: Path, *slugs: str) -> Path:
    folder = tmp_path / "show"
    folder.mkdir(exist_ok=True)
    for path in episodes.iterdir():
        if path.name.split(".")[0] in slugs:
            shutil.copy2(path, folder / path.name)
    return folder


def slugs_of(episodes: Path) -> list[str]:
    return sorted({p.stem for p in episodes.glob("*.mp3")})


def bucket(endpoint: str, name: str):
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket=name)
    return client


def objects(client, name: str, prefix: str) -> dict[str, dict]:
    listing = client.list_objects_v2(Bucket=name, Prefix=prefix + "/").get("Contents", [])
    return {item["Key"][len(prefix) + 1:]: item for item in listing}


def named_files(feed_bytes: bytes) -> set[str]:
    """The show's file names a feed points at: enclosures, transcripts, chapters, the cover."""
    names = set()
    parsed = feedparser.parse(feed_bytes)
    assert not parsed.bozo, parsed.bozo_exception
    for entry in parsed.entries:
        for link in entry.enclosures:
            names.add(link.href)
    text = feed_bytes.decode("utf-8")
    import re

    names.update(re.findall(r'(?:url|href)="([^"]+)"', text))
    return {urlsplit(url).path.rsplit("/", 1)[-1] for url in names if url.startswith(BASE + "/")}


def publish(folder: Path, url: str, endpoint: str | None = None, report=None, dry_run: bool = False):
    result = publish_show(Settings(out_dir=folder, base_url=BASE, owner_email="ada@example.org"))
    return upload_show(folder, result.upload_groups, url, endpoint_url=endpoint, dry_run=dry_run, report=report)


def feed_never_dangles(client, name: str, prefix: str):
    """A report that lists the bucket before every change: any feed there names only objects there."""
    seen: list[tuple[str, str]] = []

    def report(action: str, file: str) -> None:
        present = objects(client, name, prefix)
        if "feed.xml" in present:
            body = client.get_object(Bucket=name, Key=f"{prefix}/feed.xml")["Body"].read()
            missing = named_files(body) - set(present)
            assert not missing, f"before {action} {file}, the feed names missing {missing}"
        seen.append((action, file))

    return report, seen


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "articast", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


@pytest.mark.slow
def test_s3_order_headers_republish_and_removal(s3, episodes: Path, tmp_path: Path):
    client = bucket(s3, "order")
    first, qa, short = slugs_of(episodes)  # a-second-reading, the Q&A, the short article
    folder = show_with(episodes, tmp_path, qa, short)
    (folder / ".articast.lock").write_text("")  # the show's lock file: never uploaded
    report, seen = feed_never_dangles(client, "order", "pod")
    sent = publish(folder, "s3://order/pod", s3, report)
    assert seen[-1] == ("upload", "feed.xml")  # the feed last
    assert [file for _, file in seen].index("index.html") > max(
        i for i, (_, file) in enumerate(seen) if file.endswith(".mp3"))

    present = objects(client, "order", "pod")
    feed = client.get_object(Bucket="order", Key="pod/feed.xml")["Body"].read()
    named = named_files(feed)
    assert {f"{qa}.mp3", f"{short}.mp3", f"{qa}.vtt", f"{qa}.chapters.json", "cover.jpg"} <= named
    assert named <= set(present)
    assert ".articast.lock" not in present and "articast.toml" not in present
    assert set(sent.uploaded) == set(present) - {MANIFEST}
    types = {"mp3": "audio/mpeg", "xml": "application/rss+xml", "vtt": "text/vtt", "json": "application/json",
             "html": "text/html"}
    for key in present:
        head = client.head_object(Bucket="order", Key=f"pod/{key}")
        suffix = key.rsplit(".", 1)[-1]
        if suffix in types and key != MANIFEST:
            assert head["ContentType"].startswith(types[suffix]), key
    assert "max-age=2592000" in client.head_object(Bucket="order", Key=f"pod/{qa}.mp3")["CacheControl"]
    assert "max-age=300" in client.head_object(Bucket="order", Key="pod/feed.xml")["CacheControl"]

    again = publish(folder, "s3://order/pod", s3)  # nothing changed: nothing sent
    assert again.uploaded == [] and again.deleted == [] and again.unchanged == len(sent.uploaded)

    for path in folder.glob(f"{short}.*"):  # an episode leaves the show, another joins it
        path.unlink()
    for path in episodes.glob(f"{first}.*"):
        shutil.copy2(path, folder / path.name)
    report, seen = feed_never_dangles(client, "order", "pod")
    third = publish(folder, "s3://order/pod", s3, report)
    assert not any(name.endswith(".mp3") for name in third.uploaded if not name.startswith(first))
    deletions = [i for i, (action, _) in enumerate(seen) if action == "delete"]
    assert deletions and min(deletions) > seen.index(("upload", "feed.xml"))  # removed after the new feed
    present = objects(client, "order", "pod")
    assert not [key for key in present if key.startswith(short)]
    feed = client.get_object(Bucket="order", Key="pod/feed.xml")["Body"].read()
    titles = [entry.title for entry in feedparser.parse(feed).entries]
    assert "A Second Reading" in titles and len(titles) == 2
    assert named_files(feed) <= set(present)


@pytest.mark.slow
def test_a_publish_stopped_midway_is_completed_by_the_next(s3, episodes: Path, tmp_path: Path):
    client = bucket(s3, "stopped")
    folder = show_with(episodes, tmp_path, *slugs_of(episodes))
    calls = []

    def stop_at_the_third(action: str, name: str) -> None:
        calls.append(name)
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C, or the process killed, in the middle of the MP3s

    with pytest.raises(KeyboardInterrupt):
        publish(folder, "s3://stopped/show", s3, stop_at_the_third)
    present = objects(client, "stopped", "show")
    assert "feed.xml" not in present and set(present) == {calls[0], calls[1], MANIFEST}  # and no feed
    report, seen = feed_never_dangles(client, "stopped", "show")
    rest = publish(folder, "s3://stopped/show", s3, report)
    assert calls[0].endswith(".mp3") and calls[0] not in rest.uploaded  # an MP3 that is up is not sent again
    assert calls[2] in rest.uploaded and rest.uploaded[-1] == "feed.xml"
    feed = client.get_object(Bucket="stopped", Key="show/feed.xml")["Body"].read()
    assert len(feedparser.parse(feed).entries) == 3
    assert named_files(feed) <= set(objects(client, "stopped", "show"))


@pytest.mark.slow
def test_cli_dry_run_missing_bucket_and_unreachable_endpoint(s3, episodes: Path, tmp_path: Path):
    client = bucket(s3, "dry")
    folder = show_with(episodes, tmp_path, *slugs_of(episodes)[:1])
    env = {**CREDENTIALS, "ARTICAST_BASE_URL": BASE}
    dry = cli("publish", "--out", str(folder), "--to", "s3://dry/pod", "--endpoint-url", s3, "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "would upload feed.xml" in dry.stderr and "s3://dry/pod: would upload" in dry.stderr
    assert objects(client, "dry", "pod") == {}  # nothing sent
    real = cli("publish", "--out", str(folder), "--to", "s3://dry/pod", env={**env, "AWS_ENDPOINT_URL": s3})
    assert real.returncode == 0, real.stderr
    assert "feed.xml" in objects(client, "dry", "pod")
    assert real.stdout.splitlines()[-1] == str(folder / "feed.xml")

    missing = cli("publish", "--out", str(folder), "--to", "s3://no-such-bucket/pod", "--endpoint-url", s3, env=env)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines()[-1] == "error: cannot publish to s3://no-such-bucket/pod: " \
                                                      "the bucket does not exist"
    assert "Traceback" not in missing.stderr

    closed = cli("publish", "--out", str(folder), "--to", "s3://dry/pod", "--endpoint-url", "http://127.0.0.1:9",
                 env=env)
    assert closed.returncode == 1
    last = closed.stderr.strip().splitlines()[-1]
    assert last.startswith("error: cannot publish to s3://dry/pod: cannot reach it") and "Traceback" not in closed.stderr
    assert CREDENTIALS["AWS_SECRET_ACCESS_KEY"] not in closed.stderr + missing.stderr + dry.stderr


@pytest.mark.slow
def test_sftp_publish_atomic_names_republish_and_refused_password(episodes: Path, tmp_path: Path, monkeypatch):
    root = tmp_path / "server"
    root.mkdir()
    folder = show_with(episodes, tmp_path, *slugs_of(episodes)[:2])
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with SftpServer(root) as server:
        server.trust(tmp_path / "home")
        sent = publish(folder, server.url("/srv/podcast"))
        remote = root / "srv" / "podcast"
        assert sorted(p.name for p in remote.iterdir()) == sorted([*sent.uploaded, MANIFEST])
        assert not [p for p in remote.iterdir() if ".part-" in p.name]
        feed = (remote / "feed.xml").read_bytes()
        assert named_files(feed) <= {p.name for p in remote.iterdir()}
        for name in sent.uploaded:
            assert (remote / name).read_bytes() == (folder / name).read_bytes(), name
        assert publish(folder, server.url("/srv/podcast")).uploaded == []
        (remote / ".feed.xml.part-0123abcd").write_bytes(b"left by a stopped copy")
        cleaned = publish(folder, server.url("/srv/podcast"))
        assert cleaned.deleted == [".feed.xml.part-0123abcd"] and cleaned.uploaded == []

        wrong = cli("publish", "--out", str(folder), "--to", server.url("/srv/podcast", password="wrong-guess"),
                    env={"ARTICAST_BASE_URL": BASE})
        assert wrong.returncode == 1
        last = wrong.stderr.strip().splitlines()[-1]
        assert last.startswith(f"error: cannot publish to sftp://pod@127.0.0.1:{server.port}/srv/podcast: "
                               "the credentials were refused"), last
        assert "wrong-guess" not in wrong.stderr + wrong.stdout
        port = server.port
    gone = cli("publish", "--out", str(folder), "--to", f"sftp://pod@127.0.0.1:{port}/srv/podcast",
               env={"ARTICAST_BASE_URL": BASE})
    assert gone.returncode == 1 and "cannot reach it" in gone.stderr.strip().splitlines()[-1]


@pytest.mark.slow
def test_file_target_and_publish_to_setting(episodes: Path, tmp_path: Path):
    folder = show_with(episodes, tmp_path, *slugs_of(episodes)[:1])
    site = tmp_path / "site" / "podcast"
    (folder / "articast.toml").write_text(f'[show]\nbase_url = "{BASE}"\npublish_to = "{site.as_uri()}"\n')
    first = cli("publish", "--out", str(folder))
    assert first.returncode == 0, first.stderr
    assert "uploaded 13" in first.stderr, first.stderr
    assert named_files((site / "feed.xml").read_bytes()) <= {p.name for p in site.iterdir()}
    second = cli("publish", "--out", str(folder))
    assert ": uploaded 0, deleted 0, 13 unchanged" in second.stderr, second.stderr
    assert json.loads((site / MANIFEST).read_text())["files"]["feed.xml"]["size"] == (site / "feed.xml").stat().st_size


@pytest.mark.slow
def test_a_missing_extra_is_named_and_the_default_path_imports_no_backend(episodes: Path, tmp_path: Path):
    folder = show_with(episodes, tmp_path, *slugs_of(episodes)[:1])
    blocked = ("import sys; sys.modules['s3fs'] = None; sys.modules['paramiko'] = None; "
               "from articast.cli import main; sys.exit(main(sys.argv[1:]))")
    for url, extra in (("s3://bucket/pod", "s3"), ("sftp://pod@127.0.0.1/srv", "sftp")):
        result = subprocess.run([sys.executable, "-c", blocked, "publish", "--out", str(folder), "--to", url],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines()[-1] == (
            f"error: publishing to {url.split(':')[0]}:// needs the {extra} extra: pip install \"articast[{extra}]\"")
    plain = ("import sys; from articast.cli import main; code = main(sys.argv[1:]); "
             "print(sorted(m for m in ('fsspec', 's3fs', 'paramiko', 'botocore') if m in sys.modules)); "
             "sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", plain, "publish", "--out", str(folder)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_upload_refuses_an_unknown_protocol(tmp_path: Path):
    with pytest.raises(ArticastError, match="Protocol not known"):
        upload_show(tmp_path, [("feed.xml",)], "nosuchproto://x/y")


@pytest.mark.slow
def test_produce_publish_copies_the_show_to_its_target(tmp_path: Path):
    folder, site = tmp_path / "show", tmp_path / "site"
    env = {"ARTICAST_PUBLISH_TO": site.as_uri(), "ARTICAST_BASE_URL": BASE}
    result = cli("produce", str(DATA / "short-article.md"), "--out", str(folder), "--mono", "--publish", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith(".mp3")  # the MP3 is still the last line
    feed = (site / "feed.xml").read_bytes()
    assert len(feedparser.parse(feed).entries) == 1
    assert named_files(feed) <= {p.name for p in site.iterdir()}


@pytest.mark.slow
def test_sftp_checks_the_host_key_and_honours_ssh_config(episodes: Path, tmp_path: Path):
    """A changed host key is refused (as OpenSSH refuses it), an unknown host is refused with the
    command that accepts it, and ~/.ssh/config's alias, Port and User are used."""
    import asyncssh

    root = tmp_path / "server"
    root.mkdir()
    folder = show_with(episodes, tmp_path, slugs_of(episodes)[0])
    home = tmp_path / "home"
    env = {"HOME": str(home), "ARTICAST_BASE_URL": BASE}
    with SftpServer(root) as server:
        url = server.url("/srv/podcast")
        unknown = cli("publish", "--out", str(folder), "--to", url, env=env)
        assert unknown.returncode == 1, unknown.stderr
        last = unknown.stderr.strip().splitlines()[-1]
        assert f"[127.0.0.1]:{server.port} is not a known host" in last and f"ssh -p {server.port} 127.0.0.1" in last
        assert not (root / "srv").exists()

        server.trust(home, key=asyncssh.generate_private_key("ssh-ed25519"))  # what a man in the middle shows
        swapped = cli("publish", "--out", str(folder), "--to", url, env=env)
        assert swapped.returncode == 1
        last = swapped.stderr.strip().splitlines()[-1]
        assert "the server's host key has changed" in last and f"ssh-keygen -R '[127.0.0.1]:{server.port}'" in last
        assert not (root / "srv").exists() and server.password not in swapped.stderr

        server.trust(home)
        (home / ".ssh" / "config").write_text(
            f"Host podhost\n  HostName 127.0.0.1\n  Port {server.port}\n  User pod\n")
        aliased = cli("publish", "--out", str(folder), "--to", f"sftp://:{server.password}@podhost/srv/podcast",
                      env=env)
        assert aliased.returncode == 0, aliased.stderr
        assert (root / "srv" / "podcast" / "feed.xml").is_file()

        keyless = cli("publish", "--out", str(folder), "--to", "sftp://podhost/srv/podcast",
                      env={**env, "SSH_AUTH_SOCK": ""})
        assert keyless.returncode == 1
        last = keyless.stderr.strip().splitlines()[-1]
        assert "no key or password to log in with" in last and "cannot reach it" not in last, last


def test_the_documented_cors_rule_is_one_an_s3_api_takes(s3: str):
    """docs/publishing.md's rule is a valid CORS configuration: boto3 accepts it and a real (moto) S3
    server keeps it as written. (moto's server answers any origin itself, so which origins a bucket
    then allows is not something it can show; `articast serve`'s own CORS is tested in test_serve.)"""
    import json
    import re

    import boto3

    docs = (Path(__file__).parent.parent / "docs" / "publishing.md").read_text()
    rule = json.loads(re.search(r"```json\n(\{\"CORSRules\".*?)```", docs, re.S).group(1))
    client = boto3.client("s3", endpoint_url=s3, region_name="us-east-1")
    client.create_bucket(Bucket="cors-show")
    client.put_bucket_cors(Bucket="cors-show", CORSConfiguration=rule)
    kept = client.get_bucket_cors(Bucket="cors-show")["CORSRules"]
    assert [{k: v for k, v in r.items() if k != "ID"} for r in kept] == rule["CORSRules"]
    assert kept[0]["AllowedMethods"] == ["GET", "HEAD"] and "Content-Range" in kept[0]["ExposeHeaders"]
