"""Security of the web face: headers on every route, no inline script or style, escaping, no administration over
HTTP, bounded bodies, and proxy headers trusted only when asked."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from monitor.service.catalogue import load_catalogue
from monitor.service.subscriptions import Choices, add_subscriber
from monitor.tokens import make_token
from tests.web.conftest import report, store

ROUTES = ("/", "/index.html", "/documents/1.html", "/regions/示例市.html", "/metrics/gdp_growth.html", "/feed.atom",
          "/archive.css", "/subscribe", "/confirm?token=x", "/unsubscribe?token=x", "/preferences?token=x",
          "/api/v1/documents", "/api/v1/documents/1", "/api/v1/openapi.json", "/healthz", "/metrics",
          "/missing")  # fmt: skip


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_sends_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert "script-src" not in csp  # no script allowed from anywhere
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in headers  # plain http here; see the https test


def test_pages_have_no_inline_script_or_style(client: TestClient, db: Engine, settings) -> None:
    row, _ = add_subscriber(db, settings, load_catalogue(db, settings), "a@example.org", Choices())
    token = make_token(row.id, row.email, settings.secret_key.encode())
    for path in ("/", "/documents/2.html", "/regions/示例市.html", "/metrics/rd_intensity.html", "/subscribe",
                 f"/preferences?token={token}", f"/unsubscribe?token={token}", "/confirm?token=bad"):  # fmt: skip
        dom = BeautifulSoup(client.get(path).text, "lxml")
        assert not dom.find_all("script") and not dom.find_all("style"), path
        assert not dom.select("[style]") and not [
            t for t in dom.find_all(True) if any(a.startswith("on") for a in t.attrs)
        ]


def test_hostile_strings_are_escaped(client: TestClient, db: Engine) -> None:
    store(db, report(2024, region="<script>alert(1)</script>"))
    for path in ("/", "/regions/script-alert-1-script.html"):
        page = client.get(path)
        assert page.status_code == 200 and "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/subscribe").text).group(1)  # type: ignore[union-attr]
    answer = client.post("/subscribe", data={"csrf_token": token, "email": '"><script>x()</script>@a.org',
                                             "regions": ["<img src=x onerror=y()>"]})  # fmt: skip
    assert answer.status_code == 400 and "<script>x()" not in answer.text and "<img src=x" not in answer.text


def test_no_administration_over_http(client: TestClient) -> None:
    for path in ("/api/v1/subscribers", "/admin", "/subscribers", "/api/v1/deliveries"):
        assert client.get(path).status_code == 404, path
    assert client.delete("/api/v1/documents/1").status_code == 405
    assert client.post("/api/v1/documents", json={}).status_code == 405


def test_oversized_bodies_are_refused(client: TestClient) -> None:
    answer = client.post("/subscribe", content=b"email=" + b"a" * 100_000,
                         headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 413


def test_https_requests_get_hsts_and_a_secure_cookie(client: TestClient) -> None:
    https = TestClient(client.app, base_url="https://testserver")
    answer = https.get("/subscribe")
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    assert "secure" in answer.headers["set-cookie"].lower() and "httponly" in answer.headers["set-cookie"].lower()
