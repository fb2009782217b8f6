"""The show's page in a real headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from articast import Settings
from articast.publish import publish_show

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on this machine (apt-get install chromium); CI always runs this test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"])
        yield browser
        browser.close()


def test_page_loads_offline_and_a_chapter_click_seeks(browser, stereo_episode, tmp_path: Path):
    folder = tmp_path / "show"
    shutil.copytree(stereo_episode.mp3_path.parent, folder)
    publish_show(Settings(out_dir=folder, show="Night Reading"))
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto((folder / "index.html").as_uri())
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    assert page.title() == "Night Reading"
    assert page.locator("article h2").first.inner_text() == "The Lighthouse Keeper's Notebook"
    chapters = page.locator("ol.chapters button.seek")
    assert chapters.count() == 4
    target = float(chapters.nth(2).get_attribute("data-start"))
    assert target > 10
    chapters.nth(2).click()
    page.wait_for_function(f"Math.abs(document.querySelector('audio').currentTime - {target}) < 1.5")
    page.locator("details summary").first.click()
    assert page.locator("p.cue").count() > 5
    assert problems == []
    assert all(url.startswith("file://") for url in requests), requests  # nothing from the web
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    page.close()
