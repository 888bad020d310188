"""What the bundled demo site holds: five list columns (TRS and 大汉 JCMS markup) and their documents.

The site under `monitor/demo/site/` is generated from this catalogue and the texts in `monitor/demo/texts/` by
`python -m monitor.demo.build` (a development tool; the output is committed). The demo registry is derived from
the same catalogue, so the two cannot drift apart. Items without a text are notices (招聘, 公示, 节假日) that the
crawler must skip: they are listed but have no page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Item:
    title: str
    published: date
    number: int = 0
    text: str = ""  # texts/<text>.txt; empty for a notice the crawler must skip
    encoding: str = "utf-8"  # "gbk": served without any charset
    pdf: bool = False  # linked straight from the list as a PDF file


@dataclass(frozen=True)
class Column:
    source_id: str
    name: str
    region: str
    level: str
    cms: str  # "trs" or "jcms"
    root: str  # URL path of the site's section
    site_name: str
    column_name: str
    items: tuple[Item, ...]  # newest first, as the list shows them
    per_page: int = 10
    column_id: int = 0  # JCMS column and unit ids
    unit_id: int = 0

    @property
    def list_path(self) -> str:
        return f"/{self.root}/index.html" if self.cms == "trs" else f"/{self.root}/col/col{self.column_id}/index.html"

    def item_path(self, item: Item) -> str:
        d = item.published
        if self.cms == "trs":
            name = f"W0{d:%Y%m%d}{item.number}.pdf" if item.pdf else f"t{d:%Y%m%d}_{item.number}.html"
            return f"/{self.root}/{d:%Y%m}/{name}"
        name = f"W0{d:%Y%m%d}{item.number}.pdf" if item.pdf else f"art_{self.column_id}_{item.number}.html"
        return f"/{self.root}/art/{d.year}/{d.month}/{d.day}/{name}"


NOTE = "演示站点：文字由 govmon 为演示编写，主要数字取自公开发布的政府工作报告；示例市为虚构地区。"

COLUMNS = (
    Column(
        "demo-national", "中央人民政府 政府工作报告（演示）", "全国", "national", "trs", "gov/zhengce/gzbg",
        "中华人民共和国中央人民政府", "政府工作报告",
        (
            Item("2025年政府工作报告", date(2025, 3, 12), 5001, "national-2025"),
            Item("国务院办公厅关于2025年部分节假日安排的通知", date(2024, 11, 12), 4902),
            Item("2024年政府工作报告", date(2024, 3, 12), 4001, "national-2024"),
        ),
    ),
    Column(
        "demo-shanghai", "上海市人民政府 政府工作报告（演示）", "上海市", "province", "trs", "shanghai/zfgzbg",
        "上海市人民政府", "政府工作报告",
        (
            Item("2025年上海市政府工作报告", date(2025, 1, 21), 2201, "shanghai-2025"),
            Item("2025年度上海市公务员录用考试招聘公告", date(2024, 11, 1), 2104),
            Item("2024年上海市政府工作报告", date(2024, 1, 30), 1101, "shanghai-2024", encoding="gbk"),
        ),
        per_page=2,
    ),
    Column(
        "demo-guangdong", "广东省人民政府 政府工作报告（演示）", "广东省", "province", "jcms", "guangdong",
        "广东省人民政府", "政府工作报告",
        (
            Item("2025年广东省政府工作报告", date(2025, 1, 24), 801, "guangdong-2025"),
            Item("关于2024年度省级文明单位拟认定名单的公示", date(2024, 12, 10), 766),
            Item("2024年广东省政府工作报告", date(2024, 1, 29), 701, "guangdong-2024"),
        ),
        column_id=2001, unit_id=3001,
    ),
    Column(
        "demo-zhejiang", "浙江省人民政府 政府工作报告（演示）", "浙江省", "province", "jcms", "zhejiang",
        "浙江省人民政府", "政府工作报告",
        (
            Item("2025年浙江省政府工作报告", date(2025, 1, 20), 902, "zhejiang-2025"),
            Item("浙江省2025年度公开遴选公务员公告", date(2024, 12, 2), 873),
            Item("2024年浙江省政府工作报告", date(2024, 1, 29), 901, "zhejiang-2024", pdf=True),
        ),
        per_page=2, column_id=1544, unit_id=4001,
    ),
    Column(
        "demo-bureau", "示例市科学技术局 规划计划（演示）", "示例市", "bureau", "trs", "kjj/ghjh",
        "示例市科学技术局", "规划计划",
        (
            Item("示例市科学技术局2025年工作要点", date(2025, 2, 18), 3502, "bureau-plan-2025"),
            Item("示例市科学技术局2024年工作总结和2025年工作思路", date(2025, 1, 9), 3501, "bureau-summary-2024"),
            Item("关于2024年度示例市科技企业孵化器认定结果的公示", date(2024, 12, 16), 3488),
            Item("示例市科学技术局2024年工作要点", date(2024, 2, 20), 3402, "bureau-plan-2024"),
            Item("示例市科学技术局2023年工作总结和2024年工作思路", date(2024, 1, 10), 3401, "bureau-summary-2023"),
            Item("示例市科学技术局2024年公开招聘编外工作人员公告", date(2023, 12, 20), 3377),
        ),
        per_page=3,
    ),
)  # fmt: skip


def documents() -> list[tuple[Column, Item]]:
    """Every (column, item) that is a document the crawler should store."""
    return [(column, item) for column in COLUMNS for item in column.items if item.text]
