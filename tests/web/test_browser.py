"""One real browser through the whole life of a subscriber: headless Debian Chromium driven by Selenium with
Debian's chromium-driver (same version by construction; nothing is downloaded), against `govmon serve`'s app under
uvicorn on loopback, with an aiosmtpd sink as the mail server.

subscribe → the confirmation mail arrives → follow its link, confirm → change preferences → a digest arrives → its
one-click unsubscribe (RFC 8058 POST, as a mailbox provider sends it) works → no further digest, while another
subscriber does get one for the same new report.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine

from monitor.channels.outbox import SmtpTransport
from monitor.config import Settings
from monitor.ops.jobs import send_due_digests
from monitor.service.catalogue import load_catalogue
from monitor.service.subscriptions import Choices, add_subscriber
from monitor.web import create_app
from tests.smtp import Inbox, free_port, smtp_server
from tests.web.conftest import report, store

pytestmark = pytest.mark.slow
READER = "reader@example.org"


def _binaries() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    reason = "Debian's chromium and chromium-driver are needed: apt-get install -y chromium chromium-driver"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = _binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    flags = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--no-first-run")  # fmt: skip
    for flag in (*flags, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def mail() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as sink:
        yield sink


@pytest.fixture
def served(settings: Settings, mail: tuple[Inbox, int]) -> Iterator[Settings]:
    """`govmon serve`'s app under uvicorn on a free loopback port; the settings it runs with."""
    port = free_port()
    live = settings.replace(base_url=f"http://127.0.0.1:{port}", smtp_host="127.0.0.1", smtp_port=mail[1],
                            mail_dir="")  # fmt: skip
    server = uvicorn.Server(uvicorn.Config(create_app(live), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield live
    server.should_exit = True
    thread.join(10)


def wait_for(inbox: Inbox, count: int, seconds: float = 20) -> list[EmailMessage]:
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox.messages) >= count, [m["Subject"] for m in inbox.messages]
    return inbox.messages


def shows(browser: object, css: str, text: str) -> bool:
    """Wait until the element at `css` holds `text` (a click navigates: the old page may still be there, and an
    element found on it may be gone by the time its text is read — Chromium then answers "Node with given id does
    not belong to the document", a plain WebDriverException rather than a stale reference)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def found(driver: object) -> bool:
        try:
            return text in driver.find_element(By.CSS_SELECTOR, css).text  # type: ignore[attr-defined]
        except WebDriverException:  # not there yet, stale, or of the page being left: look again
            return False

    WebDriverWait(browser, 20, ignored_exceptions=(StaleElementReferenceException,)).until(found)
    return True


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def to(inbox: Inbox, address: str) -> list[EmailMessage]:
    return [m for m, env in zip(inbox.messages, inbox.envelopes, strict=True) if address in env[1]]


def test_a_subscriber_signs_up_confirms_tunes_reads_and_leaves(browser, served: Settings, mail: tuple[Inbox, int],
                                                               db: Engine) -> None:  # fmt: skip
    from selenium.webdriver.common.by import By

    inbox, _ = mail
    base = served.base_url
    # 1. the sign-up form
    browser.get(f"{base}/subscribe")
    browser.find_element(By.NAME, "email").send_keys(READER)
    browser.find_element(By.CSS_SELECTOR, "input[name=regions][value='示例市']").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=cadence][value=immediate]").click()
    browser.find_element(By.CSS_SELECTOR, "form.settings button[type=submit]").click()
    assert shows(browser, "h1", "请查收确认邮件")
    # 2. the confirmation mail, and nothing else
    (confirmation,) = wait_for(inbox, 1)
    assert confirmation["To"] == READER and confirmation["Auto-Submitted"] == "auto-generated"
    found = re.search(r"(http://127\.0\.0\.1:\d+/confirm\?token=[\w.\-]+)", text_of(confirmation))
    assert found
    # 3. follow its link and confirm
    browser.get(found.group(1))
    browser.find_element(By.CSS_SELECTOR, "button[value=confirm]").click()
    assert shows(browser, ".notice", "订阅已确认") and "/preferences?token=" in browser.current_url
    # 4. change preferences: only R&D intensity
    browser.find_element(By.CSS_SELECTOR, "input[name=metrics][value=rd_intensity]").click()
    browser.find_element(By.CSS_SELECTOR, "button[value=save]").click()
    assert shows(browser, ".notice", "设置已保存")
    assert browser.find_element(By.CSS_SELECTOR, "input[name=metrics][value=rd_intensity]").is_selected()
    # 5. a digest arrives, with only what they follow
    report_ = send_due_digests(db, served, SmtpTransport(served), now=datetime.now(UTC))
    assert report_.sent == 1, report_.errors
    digest = wait_for(inbox, 2)[1]
    body = text_of(digest)
    assert "研发经费投入强度" in body and "4.3%左右 → 4.5%左右" in body and "5.5%以上" not in body
    assert f"{base}/preferences?token=" in body
    # 6. its one-click unsubscribe, as a mailbox provider sends it
    url = str(digest["List-Unsubscribe"]).strip().split(",")[0].strip("<> ")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    request = urllib.request.Request(url, data=b"List-Unsubscribe=One-Click", method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    browser.get(url)  # the link in the browser now says so, and offers to come back
    assert shows(browser, ".notice", "已退订")
    # 7. a new report: someone else gets a digest, the reader none
    control, _ = add_subscriber(db, served, load_catalogue(db, served), "control@example.org",
                             Choices(metrics=["rd_intensity"], cadence="immediate"))  # fmt: skip
    assert control.status == "active"
    text = report(2024).text.replace("4.5%左右", "4.8%左右")
    store(db, replace(report(2024), url="https://www.example.gov.cn/示例市/2025.html", report_year=2025,
                      title="2025年示例市政府工作报告", text=text, raw=text.encode()))  # fmt: skip
    later = send_due_digests(db, served, SmtpTransport(served), now=datetime.now(UTC))
    assert later.sent == 1
    wait_for(inbox, 3)
    time.sleep(0.5)
    assert len(to(inbox, READER)) == 2 and len(to(inbox, "control@example.org")) == 1
