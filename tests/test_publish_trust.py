"""What a failed, a dry and a killed publish leave behind, and whether the published feed can be read:
against moto's S3 server over real HTTP, read back with boto3 and feedparser."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from articast import Settings
from articast.publish import publish_show
from articast.publish.remote import MANIFEST, upload_show

from .test_remote import CREDENTIALS, bucket, cli, episodes, objects, s3, show_with, slugs_of  # noqa: F401

pytestmark = pytest.mark.slow  # subprocesses, servers, the browser or the real voice throughout

GOOD = "https://pods.example.org/reading"
BAD = "https://no-such-bucket.example.org/reading"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()}


def test_a_failed_publish_remembers_nothing_and_a_dry_run_writes_nothing(s3, episodes: Path, tmp_path: Path):
    client = bucket(s3, "reading")
    folder = show_with(episodes, tmp_path, *slugs_of(episodes)[:2])
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": s3}
    first = cli("publish", "--out", str(folder), "--to", "s3://reading/pod", "--base-url", GOOD, env=env)
    assert first.returncode == 0, first.stderr
    before = snapshot(folder)

    failed = cli("publish", "--out", str(folder), "--to", "s3://no-such-bucket/pod", "--base-url", BAD, env=env)
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines()[-1] == ("error: cannot publish to s3://no-such-bucket/pod: "
                                                      "the bucket does not exist")
    assert "published:" not in failed.stderr and "subscribe at" not in failed.stderr and failed.stdout == ""
    assert snapshot(folder) == before  # not a byte, not a time stamp

    dry = cli("publish", "--out", str(folder), "--to", "s3://reading/elsewhere", "--base-url", BAD, "--dry-run",
              env=env)
    assert dry.returncode == 0, dry.stderr
    assert "would upload feed.xml" in dry.stderr and "nothing was changed" in dry.stderr
    assert snapshot(folder) == before and objects(client, "reading", "elsewhere") == {}

    again = cli("publish", "--out", str(folder), "--to", "s3://reading/pod", env=env)  # no --base-url
    assert again.returncode == 0, again.stderr
    feed = client.get_object(Bucket="reading", Key="pod/feed.xml")["Body"].read()
    parsed = feedparser.parse(feed)
    assert parsed.entries and all(e.enclosures[0].href.startswith(GOOD + "/") for e in parsed.entries)
    assert BAD not in feed.decode() and BAD not in (folder / "feed.xml").read_text()
    lines = again.stderr.strip().splitlines()
    assert lines.index(next(line for line in lines if line.startswith("published:"))) > \
        lines.index(next(line for line in lines if line.startswith("s3://reading/pod:")))


def test_subscribe_only_where_a_listener_can_read_the_feed(s3, episodes: Path, tmp_path: Path):
    client = bucket(s3, "public-pod")
    folder = show_with(episodes, tmp_path, slugs_of(episodes)[0])
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": s3}
    base = f"{s3}/public-pod/show"  # moto answers anonymous GETs as S3 does: 403 unless a policy allows them
    private = cli("publish", "--out", str(folder), "--to", "s3://public-pod/show", "--base-url", base, env=env)
    assert private.returncode == 0, private.stderr
    warning = [line for line in private.stderr.splitlines() if line.startswith("warning:") and "403" in line]
    assert warning and f"{base}/feed.xml answers HTTP 403" in warning[0] and "docs/publishing.md" in warning[0]
    client.put_bucket_policy(Bucket="public-pod", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public-pod/show/*"}]}))
    public = cli("publish", "--out", str(folder), "--to", "s3://public-pod/show", "--base-url", base, env=env)
    assert public.returncode == 0, public.stderr
    assert "answers HTTP" not in public.stderr and f"subscribe at {base}/feed.xml" in public.stderr


def test_a_copy_killed_after_an_mp3_landed_never_sends_it_again(s3, episodes: Path, tmp_path: Path):
    """The MP3 is in place at the target, but the manifest still says it was being sent."""
    client = bucket(s3, "killed")
    folder = show_with(episodes, tmp_path, *slugs_of(episodes)[:2])
    result = publish_show(Settings(out_dir=folder, base_url=GOOD))
    sent: list[str] = []

    class Killed(BaseException):
        pass

    def report(action: str, name: str) -> None:
        sent.append(name)
        if len([n for n in sent if n.endswith(".mp3")]) == 2:
            raise Killed  # before the second MP3 is sent; the first is recorded as being sent

    # The first MP3 lands; its manifest entry is rewritten as "sending" again, as a kill between the
    # rename and the record would leave it.
    try:
        upload_show(folder, result.upload_groups, "s3://killed/pod", endpoint_url=s3, report=report)
    except Killed:
        pass
    manifest = json.loads(client.get_object(Bucket="killed", Key=f"pod/{MANIFEST}")["Body"].read())
    first = sent[0]
    assert first.endswith(".mp3") and first in objects(client, "killed", "pod")
    manifest["files"][first]["sending"] = True
    client.put_object(Bucket="killed", Key=f"pod/{MANIFEST}", Body=json.dumps(manifest).encode())
    again: list[str] = []
    upload_show(folder, result.upload_groups, "s3://killed/pod", endpoint_url=s3,
                report=lambda action, name: again.append(name))
    assert first not in again and any(n.endswith(".mp3") for n in again), again
    manifest = json.loads(client.get_object(Bucket="killed", Key=f"pod/{MANIFEST}")["Body"].read())
    assert not any(entry.get("sending") for entry in manifest["files"].values())

    # A file of the same size that is not the one being sent (the put never happened) is sent.
    other = bytearray((folder / first).read_bytes())
    other[len(other) // 2] ^= 0xFF
    client.put_object(Bucket="killed", Key=f"pod/{first}", Body=bytes(other))
    manifest["files"][first]["sending"] = True
    client.put_object(Bucket="killed", Key=f"pod/{MANIFEST}", Body=json.dumps(manifest).encode())
    third: list[str] = []
    upload_show(folder, result.upload_groups, "s3://killed/pod", endpoint_url=s3,
                report=lambda action, name: third.append(name))
    assert third == [first]
    assert client.get_object(Bucket="killed", Key=f"pod/{first}")["Body"].read() == (folder / first).read_bytes()


def test_a_password_in_the_url_never_reaches_the_output(s3, episodes: Path, tmp_path: Path):
    folder = show_with(episodes, tmp_path, slugs_of(episodes)[0])
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": s3, "ARTICAST_BASE_URL": GOOD}
    secret = "hunter2-Pa55"
    for url in (f"s3://ada:{secret}@no-such-bucket/pod", f"s3://ada:{secret}@reading:99999/pod",
                f"sftp://ada:{secret}@127.0.0.1:9/srv", f"sftp://ada:{secret}@127.0.0.1:99999/srv",
                f"nosuchproto://ada:{secret}@host/x"):
        result = cli("publish", "--out", str(folder), "--to", url, env=env)
        assert result.returncode in (1, 2), result.stderr
        assert secret not in result.stderr + result.stdout, result.stderr
        assert "Traceback" not in result.stderr and "unexpected" not in result.stderr, result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("error: ")
