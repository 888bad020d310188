"""Measure (the Target's `kind`): what a number measures, and the qualifier around it.

level (a stock or a value at a point), increment (added within the period: 新增/新建/新培育), growth (增长x%),
share (比重, 占, 率, 强度), reduction (下降/降低x%), cap (控制在…以内, 不超过) and cumulative (累计, over
several years). Cue words decide; a figure with none takes its metric's usual measure from the catalogue.
"""

from __future__ import annotations

import re

from monitor.extract.metrics import Metric
from monitor.extract.model import Kind
from monitor.extract.units import CURRENCIES as _MONEY

_SUFFIX_QUALIFIER = {
    "左右": "左右",
    "上下": "左右",
    "以上": "以上",
    "以内": "以内",
    "以下": "以下",
    "多": "余",
    "余": "余",
}
_PREFIX_QUALIFIER = re.compile(r"(不到|不低于|不少于|不超过|不高于|超过|突破|大约|约|近|逾|高于|低于|超|最高)$")
_PREFIX_NORMAL = {"不少于": "不低于", "不高于": "不超过", "逾": "超过", "超": "超过", "大约": "约"}

_CAP_VERB = re.compile(r"控制在|控制|不超过|不高于|(?<!不)低于")  # 不低于 is a floor
# 压缩至1个工作日以内, 缩短到3天以内: brought down to at most
_DOWN_TO = re.compile(r"(?:压缩|缩短|压减|降低|下降|减少|降)(?:至|到)$")
_RAISE_FIRST = re.compile(r"(?:次年|当年|今年|明年|每年)?(?:提高|提升|增加|扩大)(?!到|至)")
_DOING = re.compile(r"(?:实行|实现|开展|纳入|接入|完成)[\u4e00-\u9fff]{2,8}$")
_CUT_LAST = re.compile(r"(?:压缩|精简|下降|降低|减少|减量|压减)$")  # 审批时限压缩: a subject that ends with its cut
_BARE = re.compile(r"(?:约|近|逾|超过|大约)?")  # verbs that are only a qualifier
_CAP_QUALIFIERS = frozenset({"以内", "不超过"})
# a grant (补助, 奖励, 支持资金 …): an amount given, at most 最高 (最高1000万元支持: the cap of each grant)
GRANTS = "补助|奖励|补贴|贴息|资助|奖补"  # what a support measure gives (支持 is a grant only where it ends a phrase)
_GRANT_NAME = re.compile(rf"(?:{GRANTS}|支持资金|支持)$")
_REDUCTION = re.compile(r"下降|降低|减少|压减|缩减|下调|削减|回落|压降|压缩|精简|减量|减轻|降")
_CUT_FIRST = re.compile(r"(?:淘汰|取消|压减|精简|减轻|削减|关停|关闭|化解|退出|压缩|清理|撤并)")
_GROWTH = re.compile(r"增长|增速|增幅|涨幅|上涨|提高|提升|上升|增加|扩大|加快")
_RATE_NOUN = re.compile(r"增速|增幅|涨幅")  # 增速达到73.1%: a growth rate, whatever verb reaches it
_TO_LEVEL = re.compile(r"(?:到|至|为)(?:(?:19|20)\d\d年(?:底|末)?的?)?(?:近|约|超过|突破|逾|超|不到)?$")
_NEW = re.compile(
    r"新增|新建|净增|新培育|新认定|新开工|新引进|新发展|新落地|新组建|新设立|新招引|新获批|新获|新入选|新授权|新登记|"
    r"新注册|新开通|新创建|新设|新选派|新遴选|引进|招引|入选|打造|培育|建成|建设|创建|认定|组建|设立|获批|布局|扩充|加装|改扩建|引育|"
    r"新备案|募集|开发储备"
)
# things done within the period, counted (开工亿元以上项目60个, 竣工投产19个, 每年遴选重点企业10家, 评价入库1175家):
# added, unless the verbs say the total reached (入库数量达到215家, 入驻企业达到96家)
# a verb of new things used as a noun's modifier (省重点建设项目1500个, 引进项目资金23亿元): not what the figure does
# building up what exists (升级建设40所乡村温馨校园, 高质量建设15个主平台): no new things
_UPGRADE = re.compile(r"(?:高质量|高标准|升级|提质|提档|提升)建设")
_NOUN_USE = re.compile(r"(?<![新再])(?:建设|改造|引进|招引)(?=项目)")
_FLOW = re.compile(r"遴选|入库|入驻|开通|开工|竣工|投产|争创|启动")
_REACHED = re.compile(r"达到|达|突破|超过|总数|总量|数量")
_SHARE = re.compile(r"比重|占比|占|比例|之比|强度|率$|率达|指数$|的$")  # …的80%: a percentage of a base
SHARE_OF_WHOLE = re.compile(r"占[^，,。；;]{0,12}?(?:比重|比例)|占比")
_CUMULATIVE = re.compile(r"累计|五年来共|期间共")


def qualifier_of(suffix: str | None, before: str) -> str | None:
    """左右, 以上, 以内, 以下, 不低于, 不超过, 超过, 突破, 约, 近, 余 … from the words around the figure."""
    if suffix:
        return _SUFFIX_QUALIFIER[suffix]
    if (m := _PREFIX_QUALIFIER.search(before)) is not None:
        return _PREFIX_NORMAL.get(m.group(1), m.group(1))
    return None


def measure_of(subject: str, verbs: str, unit: str | None, qualifier: str | None, metric: Metric | None) -> Kind:
    """The measure of a figure from the verbs before it, its subject, unit and qualifier."""
    moves = not _TO_LEVEL.search(verbs)
    if _CAP_VERB.search(verbs) or (qualifier in _CAP_QUALIFIERS and unit in ("%", "‰")):
        return "cap"
    if unit in _MONEY and (qualifier == "最高" or (_GRANT_NAME.search(subject) and "最高" in subject + verbs)):
        return "cap"  # 最高奖励500万元, 每项最高支持500万元: the most one grant gives
    if qualifier in _CAP_QUALIFIERS and _DOWN_TO.search(subject + verbs):
        return "cap"  # 审批时间压缩至30个工作日以内: at most, whatever the unit
    if unit in _MONEY and (verbs.endswith("规模") or subject.endswith("规模")):
        return "level"  # 设立规模10亿元的基金: the size of a fund set up, not an amount added
    if unit in _MONEY and _GRANT_NAME.search(subject):
        return "level"
    if moves and _REDUCTION.search(verbs) and unit is not None:
        return "reduction"
    if moves and unit not in (None, "%", "‰", "个百分点") and (_CUT_FIRST.match(subject) or _CUT_FIRST.match(verbs)):
        return "reduction"  # 淘汰落后产能450项, 取消311项行政审批事项: what is cut, counted
    if (
        moves
        and unit is not None
        and _BARE.fullmatch(verbs)
        and (_REDUCTION.match(subject) or _CUT_LAST.search(subject))
    ):
        return "reduction"  # 降低利息负担约2000亿元, 审批时限压缩30%: the verb left inside the subject
    percent = unit in ("%", "‰", "个百分点", "倍")
    if unit in ("%", "‰", "倍") and verbs.endswith("的") and not _GROWTH.search(verbs):
        return "share"  # 完成年度任务的113%, 是上年的1.6倍: a ratio to a base
    rate_named = subject.endswith(("增速", "增幅", "涨幅")) or _RATE_NOUN.search(verbs) is not None
    if percent and ((_GROWTH.search(verbs) and moves) or rate_named):
        return "growth"
    if _CUMULATIVE.search(verbs) or _CUMULATIVE.search(subject):
        return "cumulative" if not percent else "growth"
    named, doing = _NOUN_USE.sub("", _UPGRADE.sub("", subject)), _UPGRADE.sub("", verbs)
    if not percent and (_NEW.search(named) or _NEW.search(doing) or (_GROWTH.search(verbs) and moves)):
        return "increment"
    if not percent and moves and _BARE.fullmatch(verbs) and _RAISE_FIRST.match(subject):
        return "increment"  # 提高大病保险最高支付限额3800元, 增加深松土地1.5亿亩: the verb left inside the subject
    if not percent and _FLOW.search(subject + verbs) and not _REACHED.search(subject + verbs):
        return "increment"
    if percent and unit != "倍" and SHARE_OF_WHOLE.search(subject + verbs):
        return "share"  # 地区生产总值占全市比重达到18.6%: a share of the whole, whatever the aggregate's own measure
    if unit == "%" and not verbs and _DOING.search(subject):
        return "share"  # 95%以上实行备案管理: the share of the things that do it
    if metric is not None and metric.measure is not None:
        return metric.measure  # type: ignore[return-value]
    if percent and unit != "倍" and (_SHARE.search(subject) or _SHARE.search(subject + verbs)):
        return "share"
    if unit == "倍" and verbs.endswith("的"):
        return "share"  # 不低于当地低保标准的1.6倍: a ratio to a base
    return "growth" if unit in ("倍", "个百分点") else "level"
