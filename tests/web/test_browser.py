"""The web app in a real headless Chromium: a whole offline session, reloads, XSS payloads.

Needs Debian's chromium and chromium-driver (`.ci/run` installs them; `apt-get install -y
chromium chromium-driver` by hand); skips with that reason when they are missing. Screenshots
of every page land in `test-artifacts/browser/`.
"""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from core.settings import Settings
from tests.web.browser_support import make_driver, needs_chromium, screenshot, serve
from web.app import make_app

pytestmark = needs_chromium

PAYLOADS = [
    "<img src=x onerror=\"window.__xss='img'\">",
    "<script>window.__xss='script'</script>",
    "[click me](javascript:window.__xss='link')",
    "<svg onload=\"window.__xss='svg'\"></svg>",
]


def settings_for(tmp_path, **overrides) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        secret_key="browser-test-secret-0123456789",
        **overrides,
    )


@pytest.fixture
def browser(tmp_path):
    driver = make_driver(tmp_path / "profile")
    yield driver
    driver.quit()


def wait(driver, seconds: float = 20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds)


def by_css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def one(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def visible_cards(driver):
    return [card for card in by_css(driver, "li.problem") if card.is_displayed()]


def interviewer_texts(driver) -> list[str]:
    return [element.text for element in by_css(driver, ".message.interviewer .text")]


def send(driver, text: str) -> None:
    """Type into the composer and press Enter (Shift+Enter would add a line instead)."""
    from selenium.webdriver.common.keys import Keys

    wait(driver).until(lambda d: one(d, "#send").is_enabled())
    box = one(driver, "#message")
    box.clear()
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def reply_count_after(driver, count: int) -> None:
    wait(driver).until(lambda d: len(interviewer_texts(d)) > count and one(d, "#send").is_enabled())


def start_from_setup(driver, base: str, problem_id: str, *, minutes: str = "45") -> str:
    driver.get(f"{base}/start/{problem_id}")
    one(driver, f'input[name="minutes"][value="{minutes}"]').click()
    one(driver, "#start").click()
    wait(driver).until(lambda d: "/interview/" in d.current_url)
    wait(driver).until(lambda d: interviewer_texts(d) and one(d, "#send").is_enabled())
    return driver.current_url.rsplit("/", 1)[-1]


def assert_nothing_executed(driver) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    assert driver.execute_script("return window.__xss === undefined"), driver.execute_script(
        "return window.__xss"
    )
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - raises when no alert is open
    # No element the payloads describe was created anywhere in the content.
    assert by_css(driver, "main img, main script, main iframe, main a[href^='javascript']") == []
    assert by_css(driver, "main svg[onload], main [onerror], main [onclick]") == []


def test_a_whole_offline_session_from_picker_to_scorecard(tmp_path, browser):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    app = make_app(settings_for(tmp_path, offline_token_delay=0.001))
    with serve(app) as base:
        browser.get(base + "/")
        wait(browser).until(lambda d: by_css(d, 'a[href="/start/url-shortener"]'))
        screenshot(browser, "01-picker")
        assert len(visible_cards(browser)) == 30
        search = one(browser, '#filters input[name="q"]')
        search.send_keys("bit.ly")
        wait(browser).until(lambda d: len(visible_cards(d)) == 1)
        assert visible_cards(browser)[0].get_attribute("data-problem-id") == "url-shortener"
        search.clear()
        search.send_keys(" ")
        category = Select(one(browser, '#filters select[name="category"]'))
        category.select_by_value("ai")
        wait(browser).until(lambda d: len(visible_cards(d)) == 20)
        category.select_by_value("")
        wait(browser).until(lambda d: len(visible_cards(d)) == 30)
        by_css(browser, 'a[href="/start/url-shortener"]')[0].click()
        wait(browser).until(lambda d: "/start/url-shortener" in d.current_url)
        assert [e.get_attribute("value") for e in by_css(browser, "#model option")] == ["offline"]
        screenshot(browser, "02-setup")
        one(browser, 'input[name="minutes"][value="30"]').click()
        one(browser, 'input[name="level"][value="staff"]').click()
        one(browser, "#start").click()
        wait(browser).until(lambda d: "/interview/" in d.current_url)
        session_id = browser.current_url.rsplit("/", 1)[-1]
        wait(browser).until(lambda d: interviewer_texts(d) and one(d, "#send").is_enabled())
        assert "Design a URL shortener" in interviewer_texts(browser)[0]
        assert len(by_css(browser, "#phases li")) == 7
        assert one(browser, "#phases li.current").get_attribute("data-phase") == "clarify"
        assert one(browser, "#clock").text.startswith(("30:00", "29:5"))

        # Shift+Enter adds a line; Enter sends.
        box = one(browser, "#message")
        box.send_keys("How many links in total?")
        box.send_keys(Keys.SHIFT, Keys.ENTER)
        box.send_keys("And how many new ones per day?")
        assert "\n" in box.get_attribute("value")
        box.send_keys(Keys.ENTER)
        reply_count_after(browser, 1)
        assert "100 billion" in interviewer_texts(browser)[-1]

        one(browser, "#notes").send_keys("graph LR\n  client --> redirect --> cache --> kv")
        one(browser, "#message").click()  # leaving the notes saves them
        wait(browser).until(lambda d: "Saved" in one(d, "#notes-status").text)
        Select(one(browser, "#notes-mode")).select_by_value("mermaid")
        wait(browser).until(lambda d: by_css(d, "#diagram svg"))
        assert "redirect" in one(browser, "#diagram").text

        one(browser, "#next-phase").click()
        wait(browser).until(
            lambda d: one(d, "#phases li.current").get_attribute("data-phase") == "requirements"
        )
        wait(browser).until(lambda d: one(d, "#send").is_enabled())
        send(browser, "Shorten and redirect; p99 redirect under 50 ms; 99.99% availability.")
        reply_count_after(browser, 3)
        one(browser, "#next-phase").click()
        wait(browser).until(
            lambda d: one(d, "#phases li.current").get_attribute("data-phase") == "estimation"
        )
        wait(browser).until(lambda d: one(d, "#send").is_enabled())
        send(
            browser,
            "100B links at 500 bytes is about 50 TB. 100M new links a day is 1.2k writes/s "
            "and 12k redirects per second at a 10:1 ratio. Base62 with 7 characters.",
        )
        reply_count_after(browser, 5)
        screenshot(browser, "03-room")

        browser.set_window_size(390, 844)  # phone width
        screenshot(browser, "03-room-phone")
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1"
        )
        browser.set_window_size(1280, 1000)

        one(browser, "#end").click()
        browser.switch_to.alert.accept()
        wait(browser).until(lambda d: "another half hour" in " ".join(interviewer_texts(d)))
        send(browser, "The id allocator and hot-key handling.")
        wait(browser).until(lambda d: not one(d, "#message").is_enabled())
        wait(browser).until(lambda d: one(d, "#after").is_displayed())

        one(browser, "#scorecard-link").click()
        wait(browser).until(lambda d: by_css(d, "#verdict"))
        screenshot(browser, "04-scorecard")
        browser.set_window_size(390, 844)
        screenshot(browser, "04-scorecard-phone")
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1"
        )
        browser.set_window_size(1280, 1000)
        assert one(browser, "#verdict .verdict-score").text.endswith("/100")
        assert len(by_css(browser, "svg.chart")) == 2
        assert len(by_css(browser, "article.dimension")) == 10
        rows = by_css(browser, "table.estimates tbody tr")
        assert rows and "right" in [
            row.find_elements("css selector", "td")[-1].text for row in rows
        ]
        quotes = by_css(browser, "a.quote")
        assert quotes, "evidence quotes link to the replay"
        href = quotes[0].get_attribute("href")
        assert f"/replay/{session_id}?t=" in href and "#turn-" in href
        turn = href.rsplit("#turn-", 1)[1]
        quoted = quotes[0].text.strip("\u201c\u201d")

        # The quote opens the replay at that moment, with the quoted message marked.
        quotes[0].click()
        wait(browser).until(lambda d: by_css(d, f"#turn-{turn}.highlight"))
        marked = one(browser, f"#turn-{turn}")
        assert marked.is_displayed() and quoted[:20] in marked.text
        assert by_css(browser, "#evidence-markers .marker")
        assert len(by_css(browser, "#phase-markers .marker")) >= 3
        screenshot(browser, "05-replay-at-evidence")
        # Keyboard: the right arrow steps forward (the URL follows the position).
        browser.execute_script("window.scrollTo(0, 0)")
        one(browser, "#scrubber").send_keys(Keys.HOME)  # the range input goes to the start
        wait(browser).until(lambda d: url_t(d.current_url) == 0)
        one(browser, "h1").click()
        one(browser, "body").send_keys(Keys.ARROW_RIGHT)
        wait(browser).until(lambda d: url_t(d.current_url) > 0)
        # Back to the start, then play at 8x: messages appear as their moments come.
        one(browser, "#scrubber").send_keys(Keys.HOME)
        wait(browser).until(lambda d: url_t(d.current_url) == 0)
        shown = len([m for m in by_css(browser, "#transcript .message") if m.is_displayed()])
        assert shown < len(by_css(browser, "#transcript .message"))
        by_css(browser, "button[data-speed]")[-1].click()  # 8x
        one(browser, "#play").click()
        wait(browser).until(
            lambda d: (
                len([m for m in by_css(d, "#transcript .message") if m.is_displayed()]) > shown
            )
        )

        # Progress: the session is listed with its score, and the picker shows the best score.
        browser.get(base + "/history")
        wait(browser).until(lambda d: by_css(d, f'#sessions tr[data-session-id="{session_id}"]'))
        assert by_css(browser, "#trend svg") and by_css(browser, "#suggestion a")
        screenshot(browser, "06-history")
        browser.get(base + "/")
        card = one(browser, 'li.problem[data-problem-id="url-shortener"]')
        assert "Best:" in card.text and "/100" in card.text

        export = httpx.get(
            f"{base}/api/sessions/{session_id}/export.json", cookies=cookies(browser)
        )
        assert "client --> redirect" in export.json()["notes"]


def cookies(driver) -> dict[str, str]:
    return {cookie["name"]: cookie["value"] for cookie in driver.get_cookies()}


def test_reloading_mid_reply_neither_loses_nor_repeats_text(tmp_path, browser):
    app = make_app(settings_for(tmp_path, offline_token_delay=0.06))
    with serve(app) as base:
        session_id = start_from_setup(browser, base, "rate-limiter")
        opening = interviewer_texts(browser)[0]
        send(browser, "What is the peak request rate, and how many clients are there?")
        # Reload while the reply is still streaming in.
        wait(browser).until(lambda d: len(interviewer_texts(d)) == 2 and interviewer_texts(d)[1])
        partial = interviewer_texts(browser)[1]
        assert not one(browser, "#send").is_enabled(), "the reply should still be running"
        browser.refresh()
        wait(browser).until(
            lambda d: len(interviewer_texts(d)) == 2 and one(d, "#send").is_enabled()
        )
        screenshot(browser, "05-room-after-reload")
        stored = httpx.get(
            f"{base}/api/sessions/{session_id}/transcript", cookies=cookies(browser)
        ).json()
        replies = [m["text"] for m in stored if m["role"] == "interviewer"]
        assert interviewer_texts(browser) == [opening, replies[1]]
        assert replies[1].startswith(partial.strip()[:20])
        assert len(by_css(browser, ".message")) == 3

        # The clock after a reload is the server's: it matches /clock, and pausing stops it.
        face = httpx.get(f"{base}/api/sessions/{session_id}/clock", cookies=cookies(browser))
        shown = clock_seconds(one(browser, "#clock").text)
        assert abs(shown - face.json()["session_seconds_left"]) <= 3
        one(browser, "#pause").click()
        wait(browser).until(lambda d: one(d, "#warning").text == "Paused")
        frozen = one(browser, "#clock").text
        assert "paused" in one(browser, "#clock").get_attribute("class")  # no local countdown
        assert one(browser, "#pause").text == "Resume"
        browser.refresh()
        wait(browser).until(lambda d: one(d, "#warning").text == "Paused")
        assert abs(clock_seconds(one(browser, "#clock").text) - clock_seconds(frozen)) <= 1
        one(browser, "#pause").click()
        wait(browser).until(lambda d: one(d, "#pause").text == "Pause")


def url_t(url: str) -> float:
    from urllib.parse import parse_qs, urlparse

    return float(parse_qs(urlparse(url).query).get("t", ["0"])[0])


def clock_seconds(text: str) -> int:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


class HostileModel:
    """A mocked model that answers with XSS payloads, split across streamed tokens."""

    model_id = price_key = "openai:hostile-test"
    offline = False

    async def stream_reply(self, context):
        for payload in PAYLOADS:
            half = len(payload) // 2
            yield payload[:half]
            yield payload[half:]
            yield " and then "
            await asyncio.sleep(0)
        yield "**bold** text."


def test_xss_payloads_never_execute_anywhere(tmp_path, browser):
    app = make_app(settings_for(tmp_path, offline_token_delay=0.0), interviewer=HostileModel())
    with serve(app) as base:
        session_id = start_from_setup(browser, base, "url-shortener")
        assert_nothing_executed(browser)
        for payload in PAYLOADS:
            count = len(interviewer_texts(browser))
            send(browser, f"My answer {payload} with 50 TB of storage.")
            reply_count_after(browser, count)
        assert_nothing_executed(browser)
        # The payloads are shown as text, and the model's Markdown still renders.
        page_text = one(browser, "#transcript").text
        assert "<img src=x" in page_text and "<script>" in page_text
        assert by_css(browser, ".message.interviewer .text strong")
        from selenium.webdriver.support.ui import Select

        Select(one(browser, "#notes-mode")).select_by_value("mermaid")
        notes = one(browser, "#notes")
        notes.clear()
        notes.send_keys(
            'graph LR\n  a["<img src=x onerror=window.__xss=1>"] --> '
            'b["<script>window.__xss=2</script>"]'
        )
        wait(browser).until(
            lambda d: (
                "img src" in one(d, "#diagram").get_attribute("textContent")
                or one(d, "#diagram-error").get_attribute("textContent")
            )
        )
        assert_nothing_executed(browser)
        screenshot(browser, "06-xss-room")
        browser.refresh()
        wait(browser).until(lambda d: len(interviewer_texts(d)) >= 5)
        assert_nothing_executed(browser)

        one(browser, "#end").click()
        browser.switch_to.alert.accept()
        # The room knows the interview ended, and the closing reply has been stored.
        wait(browser).until(lambda d: one(d, "#after").is_displayed())
        wait(browser).until(lambda d: one(d, "#send").is_enabled())
        browser.get(f"{base}/scorecard/{session_id}")
        wait(browser).until(lambda d: by_css(d, "#verdict"))
        assert_nothing_executed(browser)
        screenshot(browser, "07-xss-scorecard")

        # Jump to the end so every message, payloads included, is on screen.
        browser.get(f"{base}/replay/{session_id}?t=100000")
        wait(browser).until(
            lambda d: len([m for m in by_css(d, "#transcript .message") if m.is_displayed()]) >= 9
        )
        assert "<script>" in one(browser, "#transcript").text
        assert_nothing_executed(browser)
        screenshot(browser, "08-xss-replay")

        jar = cookies(browser)
        markdown = httpx.get(f"{base}/api/sessions/{session_id}/scorecard.md", cookies=jar)
        assert markdown.status_code == 200
        assert "<img" not in markdown.text and "<script" not in markdown.text
        # A Markdown viewer sees an escaped bracket, not a link.
        assert re.search(r"(?<!\\)\[click me\]\(javascript:", markdown.text) is None
        page = httpx.get(f"{base}/scorecard/{session_id}", cookies=jar)
        policy = page.headers["content-security-policy"]
        script_policy = policy.split("script-src")[1].split(";")[0]
        assert "'self'" in script_policy and "unsafe-inline" not in script_policy
