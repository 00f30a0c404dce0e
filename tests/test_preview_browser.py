"""The preview of the shipped content in a real browser: Debian's chromium, headless, offline.

`./dev.sh test` installs chromium when it is missing (as root, with apt-get); playwright drives it
and downloads no browser of its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, sync_playwright

from dialogs import Content, load_content
from dialogs.preview import build_preview
from tests.conftest import SHIPPED

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed: ./dev.sh test installs it (apt-get, as root)")
    return found


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "profile",  # a fresh --user-data-dir
            executable_path=chromium(),
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def watched(page: Page) -> list[str]:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    return problems


def in_viewport(page: Page, selector: str) -> bool:
    top: float = page.eval_on_selector(selector, "e => e.getBoundingClientRect().top")
    return 0 <= top < page.viewport_size["height"] if page.viewport_size else False


def test_a_button_leads_to_its_step_in_the_shipped_preview(
    tmp_path: Path, browser: BrowserContext
) -> None:
    result = load_content(SHIPPED)
    content: Content | None = result.content
    assert content is not None
    build_preview(result, SHIPPED, tmp_path / "site", first_name="Ales")
    page = browser.pages[0] if browser.pages else browser.new_page()
    problems = watched(page)
    page.goto((tmp_path / "site" / "index.html").as_uri())
    assert page.title() == "All flows · volnyja-bot preview"

    menu_start = content.flows["menu"].start
    page.click(f'#flow-menu a.chip[href="flow-menu.html#{menu_start}"]')
    page.wait_for_url(f"**/flow-menu.html#{menu_start}")
    assert in_viewport(page, f"#{menu_start}")

    button = page.locator(f'#{menu_start} .phone[data-locale="en"] a.button.goto').first
    target = button.get_attribute("href")
    assert target is not None
    words = button.inner_text()
    button.click()
    flow_page, step = target.split("#")
    page.wait_for_url(f"**/{flow_page}#{step}")
    assert page.locator(f"#{step}").is_visible()
    assert in_viewport(page, f"#{step}"), f"pressing {words!r} did not show step {step}"
    assert page.evaluate("location.hash") == f"#{step}"

    page.uncheck('.lang-toggle[value="ru"]')  # the inline script hides a language's column
    assert not page.locator(f'#{step} .phone[data-locale="ru"]').is_visible()
    assert page.locator(f'#{step} .phone[data-locale="en"]').is_visible()

    shot = tmp_path / "step.png"
    page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000
    assert problems == []
