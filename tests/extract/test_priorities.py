"""Priorities: theme counts and weights from themes.yaml; keywords beyond the list."""

from __future__ import annotations

from monitor.extract import extract, keywords
from monitor.extract.priorities import find_priorities, theme_names


def test_theme_table_is_broad() -> None:
    names = set(theme_names())
    assert len(names) >= 40
    assert {"人工智能", "人工智能+", "具身智能", "低空经济", "量子科技", "生物制造", "商业航天", "6G"} <= names
    assert {"新质生产力", "数据要素", "算力", "银发经济", "新型储能", "氢能"} <= names


def test_counts_weights_and_sentences() -> None:
    text = "开展“人工智能+”行动。培育具身智能、6G等未来产业。发展人工智能。建设56G实验室。"
    found = {p.theme: p for p in find_priorities(text)}
    assert found["人工智能"].count == 2  # “人工智能+” counts for its parent too
    assert found["人工智能+"].count == 1
    assert found["具身智能"].count == 1 and found["6G"].count == 1  # 56G is not 6G
    assert found["具身智能"].sentences == ["培育具身智能、6G等未来产业。"]
    assert found["6G"].weight == round(10_000 / len(text), 3)  # mentions per 10,000 characters


def test_priorities_in_the_contract() -> None:
    data = extract("大力发展低空经济和低空经济产业。").to_dict()
    assert data["priorities"] == [{"theme": "低空经济", "weight": data["priorities"][0]["weight"], "count": 2}]


def test_keywords_are_terms_outside_the_list() -> None:
    text = "推进区块链平台建设。平台扩容，平台服务下沉。发展人工智能。" * 3
    found = keywords(text, top_k=5)
    words = [p.theme for p in found]
    assert "平台" in words and "人工智能" not in words
    assert all(p.count > 0 and p.sentences for p in found)
    assert all(p.source == "keyword" for p in extract(text, with_keywords=True).priorities[1:])
