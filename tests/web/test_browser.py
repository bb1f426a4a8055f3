"""The interview flow in a real headless Chromium against a real server.

Needs Debian's chromium and chromium-driver (`apt-get install -y chromium chromium-driver`);
skips with that reason when they are missing.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from scripts.e2e_check import free_port, running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chrome-profile'}",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


@pytest.fixture
def server():
    with tempfile.TemporaryDirectory() as tmp, running_server(Path(tmp), free_port()) as base:
        yield base


def interviewer_messages(driver):
    from selenium.webdriver.common.by import By

    return [m.text for m in driver.find_elements(By.CSS_SELECTOR, ".message.interviewer .text")]


def test_pick_a_problem_chat_and_find_the_conversation_after_reload(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 15)
    browser.get(server + "/")
    assert "Offline interviewer" in browser.find_element(By.ID, "interviewer-model").text
    browser.find_element(By.CSS_SELECTOR, 'button.start[data-problem-id="url-shortener"]').click()

    wait.until(ready.url_contains("/interview/"))
    wait.until(lambda d: d.find_element(By.ID, "send").is_enabled() and interviewer_messages(d))
    assert "Design a URL shortener" in interviewer_messages(browser)[0]
    current = browser.find_element(By.CSS_SELECTOR, "#phases li.current")
    assert current.get_attribute("data-phase") == "clarify"

    box = browser.find_element(By.ID, "message")
    box.send_keys("Do links ever expire?")
    browser.find_element(By.ID, "send").click()
    wait.until(
        lambda d: len(interviewer_messages(d)) == 2 and d.find_element(By.ID, "send").is_enabled()
    )
    assert "ten years" in interviewer_messages(browser)[1]

    before = [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".message")]
    browser.refresh()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".message")) == 3)
    after = [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".message")]
    assert after == before
    candidate = browser.find_element(By.CSS_SELECTOR, ".message.candidate .text").text
    assert candidate == "Do links ever expire?"


def test_the_room_shows_the_clock_pauses_and_ends_with_the_closing_question(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, 15)
    browser.get(server + "/")
    Select(browser.find_element(By.NAME, "minutes")).select_by_visible_text("30")
    Select(browser.find_element(By.NAME, "persona")).select_by_value("adversarial")
    browser.find_element(By.CSS_SELECTOR, 'button.start[data-problem-id="typeahead"]').click()
    wait.until(lambda d: d.find_element(By.ID, "send").is_enabled() and interviewer_messages(d))

    clock = browser.find_element(By.ID, "clock").text
    assert clock.startswith(("30:00", "29:5")), clock
    assert "left in this step" in browser.find_element(By.ID, "phase-clock").text

    browser.find_element(By.ID, "pause").click()
    wait.until(lambda d: d.find_element(By.ID, "warning").text == "Paused")
    assert browser.find_element(By.ID, "pause").text == "Resume"
    browser.find_element(By.ID, "pause").click()
    wait.until(lambda d: d.find_element(By.ID, "pause").text == "Pause")

    browser.find_element(By.ID, "end").click()
    browser.switch_to.alert.accept()
    wait.until(lambda d: "another half hour" in " ".join(interviewer_messages(d)))
    wait.until(lambda d: d.find_element(By.ID, "send").is_enabled())
    browser.find_element(By.ID, "message").send_keys("The ranking of suggestions.")
    browser.find_element(By.ID, "send").click()
    wait.until(lambda d: "end of our session" in " ".join(interviewer_messages(d)))
    wait.until(lambda d: not d.find_element(By.ID, "message").is_enabled())
    assert browser.find_element(By.ID, "phase-clock").text == "Interview over"
