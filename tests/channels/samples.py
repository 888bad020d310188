"""Digests for channel tests: long ones built from our own sentences, and one made of hostile scraped strings."""

from __future__ import annotations

import json
from datetime import datetime

from monitor.channels.base import Payload
from monitor.digest.selection import DigestContext, DocumentUpdate, Filters, Links, StoredChangeIn, build_digest

LINKS = Links(archive_base="https://govmon.example.org/archive", unsubscribe_url="https://govmon.example.org/u/t1")
WINDOW = (datetime(2024, 1, 29, 8, 0), datetime(2024, 1, 30, 8, 0))
NOW = datetime(2024, 1, 30, 8, 5)
FILLER = "坚持稳中求进工作总基调，统筹扩大内需和深化供给侧结构性改革，推动经济实现质的有效提升和量的合理增长，"


def figure(value: float, sentence: str, raw: str = "") -> dict[str, object]:
    return {"value": value, "value_max": None, "unit": "%", "qualifier": "左右", "sentence": sentence, "raw": raw}


def update(n: int, count: int, filler: int, **overrides: object) -> DocumentUpdate:
    """Document `n` with `count` raised targets whose sentences hold `filler` clauses each."""
    region = f"示例{n}市"
    items = tuple(
        StoredChangeIn(
            "target",
            f"指标{n}-{i}",
            f"metric_{n}_{i}",
            "raised",
            figure(4.0 + i, f"{FILLER * filler}指标{n}-{i}为{4 + i}%左右。"),
            figure(5.0 + i, f"{FILLER * filler}指标{n}-{i}提高到{5 + i}%左右。"),
            0.5,
        )
        for i in range(count)
    )
    fields: dict[str, object] = {
        "document_id": n, "version_id": n, "title": f"2024年{region}政府工作报告", "region": region,
        "doc_type": "work_report", "report_year": 2024, "url": f"https://www.example{n}.gov.cn/2024/report.html",
        "published": "2024-01-30", "is_new_document": True, "changed_since_previous_version": True,
        "compared_with": f"2023年{region}政府工作报告", "compared_year": 2023, "changes": items,
    }  # fmt: skip
    return DocumentUpdate(**(fields | overrides))  # type: ignore[arg-type]


def long_digest(documents: int, changes: int = 2, filler: int = 2) -> DigestContext:
    updates = [update(n, changes, filler) for n in range(1, documents + 1)]
    return build_digest("group", updates, Filters(), LINKS, WINDOW, NOW)


INJECTIONS = (
    "**粗体**",
    "[点我](https://evil.example/x)",
    '<font color="warning">假消息</font>',
    "<@all>",
    '<at user_id="all">所有人</at>',
    "&lt;font&gt;",
    "`code`",
    "~~删~~",
    "\u202eevil",
)


def hostile_digest() -> DigestContext:
    """Every scraped string carries markup a robot would interpret; the source URL would end a markdown link."""
    evil = "".join(INJECTIONS)
    sentence = f"{evil}\n# 假标题\n> 假引用\n指标提高到6%左右。"
    old, new = figure(5.0, sentence), figure(6.0, sentence)
    change = StoredChangeIn("target", f"指标{evil}", "metric_x", "raised", old, new, 0.5)
    hostile = update(1, 0, 0, title=f"报告{evil}\n### 假", region=f"示例市{evil}",
                     url="https://www.example.gov.cn/a)b[c]<d>.html", changes=(change,))  # fmt: skip
    script = update(2, 1, 0, url="javascript:alert(1)")
    return build_digest(f"group{evil}", [hostile, script], Filters(), LINKS, WINDOW, NOW)


# --- reading a chat payload's text back ---


def wecom_text(p: Payload) -> str:
    return str(json.loads(p.body)["markdown"]["content"])


def dingtalk_text(p: Payload) -> str:
    return str(json.loads(p.body)["markdown"]["text"])


def feishu_text(p: Payload) -> str:
    card = json.loads(p.body)["card"]
    return str(card["header"]["title"]["content"]) + "\n" + str(card["elements"][0]["text"]["content"])
