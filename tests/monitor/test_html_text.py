"""The HTML converter whose output is stored and hashed: table cells keep apart, and text that was already right
stays byte for byte what it was (a changed text is a new version of every stored document)."""

from __future__ import annotations

import pytest

from monitor.extract import extract
from monitor.vocabulary.html_text import html_to_text

ROW = "<tr><td>研发经费投入强度（%）</td><td>2.62</td><td>3.1</td><td>预期性</td></tr>"


def test_cells_written_without_white_space_stay_apart() -> None:
    text = html_to_text(f"<table><tr><th>指标</th><th>2025年</th><th>2030年</th><th>属性</th></tr>{ROW}</table>")
    assert text.splitlines() == ["指标 2025年 2030年 属性", "研发经费投入强度（%） 2.62 3.1 预期性"]


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<table>\n<tr>\n<td>新增就业</td>\n<td>1.2万人</td>\n</tr>\n</table>", "新增就业\n1.2万人"),
        ("<tr><td>新增就业</td> <td>1.2万人</td></tr>", "新增就业 1.2万人"),
        ("<td>全年<b>新增</b>就业1.2万人</td>", "全年新增就业1.2万人"),
        ("<p>生产总值增长<span>5%</span>左右</p><p>收入同步增长</p>", "生产总值增长5%左右\n收入同步增长"),
    ],
)
def test_text_that_was_right_is_unchanged(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_an_html_indicator_table_reads_as_the_plan_s_figures() -> None:
    page = (
        "<html><body><h1>沙河市“十五五”生态环境保护规划</h1><p>到2030年，生态环境质量持续改善。</p><table>"
        "<tr><th>序号</th><th>指标名称</th><th>2025年基期值</th><th>2030年目标值</th><th>属性</th></tr>"
        "<tr><td>1</td><td>森林覆盖率（%）</td><td>41.2</td><td>43</td><td>约束性</td></tr></table></body></html>"
    )
    found = extract(page, region="沙河市", year=2026, doc_type="plan", title="沙河市“十五五”生态环境保护规划")
    assert [(t.value, t.unit, t.status, t.year, t.term) for t in found.targets if "森林覆盖率" in t.metric] == [
        (41.2, "%", "achieved", 2025, None),
        (43.0, "%", "target", 2030, (2026, 2030)),
    ]


def test_a_pretty_printed_html_indicator_table_reads_as_the_plan_s_figures() -> None:
    rows = [("序号", "指标名称", "2025年基期值", "2030年目标值", "属性"),
            ("1", "森林覆盖率（%）", "41.2", "43", "约束性"),
            ("2", "污水处理厂（座）", "36", "45", "预期性")]  # fmt: skip
    table = "\n".join(
        "<tr>\n" + "\n".join(f"  <t{'h' if i == 0 else 'd'}>{c}</t{'h' if i == 0 else 'd'}>" for c in row) + "\n</tr>"
        for i, row in enumerate(rows)
    )
    page = (
        "<html><body><h1>沙河市“十五五”生态环境保护规划</h1>\n<p>到2030年，生态环境质量持续改善。</p>\n"
        f"<table>\n{table}\n</table>\n</body></html>"
    )
    found = extract(page, region="沙河市", year=2026, doc_type="plan", title="沙河市“十五五”生态环境保护规划")
    assert "\n41.2\n43\n" in found.text  # the stored text keeps one cell per line
    assert [(t.metric, t.value, t.unit, t.status, t.year, t.term) for t in found.targets] == [
        ("森林覆盖率", 41.2, "%", "achieved", 2025, None),
        ("森林覆盖率", 43.0, "%", "target", 2030, (2026, 2030)),
        ("污水处理厂", 36.0, "座", "achieved", 2025, None),
        ("污水处理厂", 45.0, "座", "target", 2030, (2026, 2030)),
    ]
    assert all(found.text[t.span[0] : t.span[1]] == t.raw for t in found.targets)
