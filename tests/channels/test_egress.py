"""The egress guard in front of channel URLs: schemes, private and metadata addresses, DNS answers, allowances."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest

from monitor.channels import ChannelError, make_channel
from monitor.channels.http import HttpSender, parse_origins, pin
from monitor.channels.webhook import render
from monitor.config import Settings
from tests.channels.receiver import running
from tests.render.samples import shanghai_digest

TOKEN = "Zq81tokenXy77"


def sender(*origins: str) -> HttpSender:
    return HttpSender(3.0, "govmon-test", parse_origins(",".join(origins)))


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://localhost/hook", "loopback"),
        ("http://app.localhost:9000/hook", "loopback"),
        ("http://0x7f000001/hook", "loopback"),
        ("http://127.1/hook", "loopback"),
        ("http://[::1]:8080/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::ffff:169.254.169.254]/latest/meta-data/", "link-local"),
        ("http://100.100.100.200/latest/meta-data/", "address"),
        ("http://10.0.0.5/hook", "private"),
        ("http://192.168.1.10/hook", "private"),
        ("http://[fd00::1]/hook", "private"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("ftp://hooks.example.org/hook", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("https://hooks.example.org:99999/hook", "malformed"),
        ("https:///hook", "no host"),
    ],
)
@pytest.mark.parametrize("kind", ["webhook", "wecom", "dingtalk", "feishu"])
def test_private_metadata_and_non_web_urls_are_refused(kind: str, url: str, words: str) -> None:
    with pytest.raises(ChannelError, match="refused") as refused:
        make_channel(kind, f"{url}?key={TOKEN}" if "//" in url else url, http=sender())
    message = str(refused.value)
    assert words in message and TOKEN not in message and "\n" not in message


def test_a_loopback_receiver_needs_its_own_host_and_port_listed() -> None:
    with pytest.raises(ChannelError, match="GOVMON_CHANNEL_PRIVATE_ORIGINS"):
        make_channel("webhook", "http://127.0.0.1:8901/hook", http=sender())
    with pytest.raises(ChannelError, match="loopback"):  # another port of the same host stays shut
        make_channel("webhook", "http://127.0.0.1:8902/hook", http=sender("127.0.0.1:8901"))
    channel = make_channel("webhook", "http://127.0.0.1:8901/hook", http=sender("127.0.0.1:8901"))
    assert channel.describe() == "webhook http://127.0.0.1:8901/hook"
    assert make_channel("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/t", http=sender()).kind == "feishu"


def test_allowances_come_from_settings_and_a_malformed_one_is_refused() -> None:
    settings = Settings(channel_private_origins=" 127.0.0.1:8901, Hooks.Intranet.:443 ", channel_timeout=2.5)
    http = HttpSender.from_settings(settings)
    assert http.trusted == {("127.0.0.1", 8901), ("hooks.intranet", 443)} and http.timeout == 2.5
    with pytest.raises(ChannelError, match=re.escape("'127.0.0.1' is not host:port")):
        parse_origins("127.0.0.1")
    with pytest.raises(ChannelError, match="unknown channel 'slack'"):
        make_channel("slack", "https://hooks.example.org/x", http=http)


def resolver(answers: dict[str, str]) -> Any:
    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        family = socket.AF_INET6 if ":" in answers[host] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    return resolve


def test_a_name_that_resolves_to_a_private_address_is_refused_at_send_time() -> None:
    http = HttpSender(3.0, "govmon-test", resolver=resolver({"hooks.example.org": "169.254.169.254"}))
    channel = make_channel("webhook", f"https://hooks.example.org/h/{TOKEN}", http=http)  # a public-looking name
    [payload] = render(shanghai_digest(), "k" * 64)
    outcome = channel.send(payload)
    assert outcome.status == "failed" and "resolves to link-local address 169.254.169.254" in outcome.reason
    assert TOKEN not in outcome.reason


def test_a_name_that_does_not_resolve_is_retry() -> None:
    http = HttpSender(3.0, "govmon-test", resolver=resolver({}))
    channel = make_channel("webhook", "https://gone.example.org/hook", http=http)
    [payload] = render(shanghai_digest(), "k" * 64)
    outcome = channel.send(payload)
    assert outcome.status == "retry" and "cannot resolve" in outcome.reason


def test_pin_takes_a_public_answer_and_skips_private_ones() -> None:
    mixed = resolver({"hooks.example.org": "2001:4860:4860::8888"})
    assert pin("hooks.example.org", 443, frozenset(), mixed) == "2001:4860:4860::8888"
    assert pin("10.1.2.3", 443, frozenset(), mixed) == "10.1.2.3"  # a literal was judged by check_url already


def test_a_listed_intranet_name_is_reached_at_the_address_it_resolved_to_with_its_own_host_header() -> None:
    with running(lambda _: (204, {}, b"")) as receiver:
        names = resolver({"hooks.intranet": "127.0.0.1"})
        http = HttpSender(3.0, "govmon-test", parse_origins(f"hooks.intranet:{receiver.port}"), resolver=names)
        channel = make_channel("webhook", f"http://hooks.intranet:{receiver.port}/hook", http=http)
        [payload] = render(shanghai_digest(), "k" * 64)
        outcome = channel.send(payload)
    assert outcome.status == "sent", outcome.reason
    [request] = receiver.received
    assert request.headers["host"] == f"hooks.intranet:{receiver.port}" and request.path == "/hook"
