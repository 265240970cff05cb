"""A real headless browser for the HTML views: Debian's chromium, driven through its chromedriver.

selenium speaks WebDriver to ``/usr/bin/chromedriver`` (the ``chromium-driver`` package, installed
by ``.ci/ensure-chromium``); nothing is downloaded. The page's network traffic is read from
chromium's DevTools performance log, every request the page made, so a test can say that none
left the file. Host resolution is mapped to nothing but loopback: even a page that tried could
not reach the internet.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def available() -> str | None:
    """Why the browser cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) or shutil.which(Path(path).name)):
            return f"{path} missing: run .ci/ensure-chromium (make test does)"
    return None


@dataclass
class Loaded:
    """A page as the browser loaded it: every request it made, and the navigation's timings."""

    url: str
    requests: list[str]
    timing: dict[str, float]


class Browser:
    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def load(self, path: Path) -> Loaded:
        """Open the file and wait for its load event (WebDriver's page load strategy 'normal')."""
        self.driver.get_log("performance")  # drop what came before
        url = path.resolve().as_uri()
        self.driver.get(url)
        timing = self.driver.execute_script(
            """
            const nav = performance.getEntriesByType('navigation')[0];
            const paint = Object.fromEntries(
                performance.getEntriesByType('paint').map(p => [p.name, p.startTime]));
            return {load: nav.loadEventEnd, dom: nav.domContentLoadedEventEnd,
                    first_contentful_paint: paint['first-contentful-paint'] || null};
            """
        )
        requests: list[str] = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") != "Network.requestWillBeSent":
                continue
            params = message["params"]
            if params.get("type") == "Document" and params["request"]["url"] == url:
                requests = []  # what the browser's start page asked for came before: not this page's
            requests.append(params["request"]["url"])
        return Loaded(url, requests, timing)

    def outside_requests(self, loaded: Loaded) -> list[str]:
        """Requests other than the page itself (an inline ``data:`` URL is the page, too)."""
        return [u for u in loaded.requests if u != loaded.url and not u.startswith("data:")]

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def screenshot(self, target: Path, full_page: bool = True) -> Path:
        """A PNG of the page; ``full_page``: its whole height (DevTools' captureBeyondViewport)."""
        import base64

        params: dict[str, Any] = {"format": "png"}
        if full_page:
            height = self.js("return Math.min(document.documentElement.scrollHeight, 12000)")
            params.update(
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": 1200, "height": height, "scale": 1},
            )
        data = self.driver.execute_cdp_cmd("Page.captureScreenshot", params)["data"]
        target.write_bytes(base64.b64decode(data))
        return target


@contextmanager
def browser(width: int = 1200, height: int = 900) -> Iterator[Browser]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="cleanwire-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in CI and containers
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield Browser(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
