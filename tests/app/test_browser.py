"""End to end in a real browser: Debian's Chromium, headless, driven by Playwright over CDP.

Opens the app, types a prompt, clicks Generate and waits until two generators' outputs appear;
then completes an image. Screenshots go to $GENCOMP_TEST_OUTPUT (default: pytest's tmp dir).
Without a Chromium the test is skipped, unless GENCOMP_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

import os
import shutil
import socket
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    # nothing leaves the machine: no update checks, sync, metrics, field trials or safe browsing
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--metrics-recording-only",
    "--no-first-run", "--no-default-browser-check", "--disable-features=Translate,OptimizationHints,MediaRouter",
]


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    if os.environ.get("GENCOMP_REQUIRE_BROWSER") == "1":
        pytest.fail("GENCOMP_REQUIRE_BROWSER=1 but no Chromium is installed (apt-get install chromium)")
    pytest.skip("no Chromium installed (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    from gencomp.app.handlers import AppConfig
    from gencomp.app.ui import launch

    port = free_port()
    app = launch(AppConfig(), port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.fixture(scope="module")
def page(app_url):
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(app_url, wait_until="networkidle", timeout=60_000)
        yield page
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("GENCOMP_TEST_OUTPUT") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_text_generation_shows_two_generators(page, shots):
    page.get_by_role("tab", name="Text").click()
    prompt = page.locator("#text-prompt textarea")
    prompt.fill("The old harbour of the town was")
    page.locator("#text-generators").get_by_label("mix:small-v3", exact=True).uncheck()  # gzip and cm stay
    page.locator("#text-generate").click()
    outputs = page.locator(".generator-output textarea")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.generator-output')]
                 .filter(o => o.offsetParent !== null && o.innerText.includes('80 bytes · ')
                                                     && o.innerText.includes('known words')).length >= 2""",
        timeout=120_000)
    page.screenshot(path=str(shots / "text.png"), full_page=True)
    visible = [t.input_value() for t in outputs.all() if t.is_visible()]
    assert len(visible) == 2 and all(visible)
    assert not any("\ufffd" in text for text in visible)  # text-safe by default: no broken characters
    labels = page.locator(".generator-output").all_inner_texts()
    assert any("gzip" in label and "bits/byte (judge)" in label and "UTF-8 100%" in label and "the prompt itself: " in label
               for label in labels)


def test_image_completion_shows_a_grid(page, shots):
    page.get_by_role("tab", name="Image").click()
    page.locator("#image-complete").click()
    page.wait_for_function(
        "() => (document.querySelector('#image-caption')?.innerText || '').includes('done.')", timeout=120_000)
    grid = page.locator("#image-grid img")
    grid.wait_for(state="visible", timeout=120_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / "image.png"), full_page=True)
    box = grid.bounding_box()
    assert box and box["width"] > 2 * box["height"]  # original plus at least two completions side by side
    caption = page.locator("#image-caption").inner_text()
    assert all(f"{g}: " in caption for g in ("gzip", "cm", "image", "own rows")) and "bits/pixel" in caption, caption


def test_audio_continuation_plays_each_default_generator_with_its_judge_figure(page, shots):
    page.get_by_role("tab", name="Audio").click()
    page.locator("#audio-continue").click()
    page.wait_for_function(
        "() => (document.querySelector('#audio-caption')?.innerText || '').includes('bits/sample')", timeout=120_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / "audio.png"), full_page=True)
    caption = page.locator("#audio-caption").inner_text()
    assert "cm: " in caption and "audio: " in caption and "real continuation: " in caption, caption
    assert page.get_by_text("bits/sample (judge)").count() >= 2  # one labelled player a default generator


def test_an_empty_prompt_is_a_message_not_a_traceback(page, shots):
    page.get_by_role("tab", name="Text").click()
    page.locator("#text-prompt textarea").fill("")
    page.locator("#text-generate").click()
    message = page.get_by_text("type a prompt first")
    message.first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(shots / "error.png"), full_page=True)
    assert "Traceback" not in page.content()
