#!/usr/bin/env python3
"""Generate a realistic synthetic policy tree for scale benchmarks and tests.

    python benchmarks/gen_tree.py OUT_DIR [--seed N] [--provinces 31 --cities 333 --counties 2844]
                                          [--conflicts K] [--topics T]

For each topic the tree holds one national policy (shaped like the coronary
stent notice: inputs, an enum, parameters of every statement kind, decisions
with cases, a table, a schedule, a requirement, provisions and examples), one
policy per province, city and county. Lower levels mostly make legitimate
changes: raise floors, lower ceilings, fill the blanks left to them, add
provisions, inputs, decisions and tables. `--conflicts K` plants exactly K
genuine conflicts (a floor lowered, a ceiling raised, a fixed rule changed or a bound decision loosened)
at random levels and lists them in OUT_DIR/planted.json as
{"policy": id, "code": "PL304|PL305|PL306|PL317"} entries.

Region folders are numbered nationally: cn/p07/c031/k0412/<topic>.policy.
The output is byte-identical for the same arguments (all choices come from
one seeded random generator; nothing depends on time or hash order).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
from typing import Optional

import attrs

# ---------------------------------------------------------------- names

PROVINCE_NAMES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区",
    "新疆维吾尔自治区",
]
PLACE_CHARS = "安宁平阳江山河东西南北新永丰兴华昌德州城源清泉林石水阳光明济武通海宝金川台白云龙凤庆长乐和"
CITY_SUFFIX = "市"
COUNTY_SUFFIXES = ("县", "区", "县", "县", "市", "旗")

TOPICS = [
    ("stent-2020", "冠脉支架", "51"),
    ("spine-2023", "骨科脊柱类耗材", "18"),
    ("joint-2021", "人工关节", "27"),
    ("lens-2022", "人工晶体", "33"),
    ("trauma-2022", "骨科创伤类耗材", "40"),
    ("balloon-2022", "冠脉球囊", "44"),
    ("dental-2023", "种植牙", "12"),
    ("drug-2019", "国家组织药品", "56"),
]

LEVEL_OF_DEPTH = ("national", "provincial", "municipal", "county")
# Names a level gives to what it adds, so that additions at different levels never collide.
LEVEL_PREFIX = {"provincial": "province", "municipal": "city", "county": "county"}
ACTORS = ("医疗机构", "统筹地区医保部门", "中选企业", "医保经办机构", "采购平台", "定点医疗机构")


def percent(value: int) -> str:
    return f"{value}%"


def yuan(value: int) -> str:
    return f"{value} yuan"


# ---------------------------------------------------------------- the national policy

NATIONAL = """\
# 合成数据：{topic_label}集中带量采购配套措施（国家层面），形状取自 policies/cn/stent-2020.policy。
policy "国家医疗保障局关于国家组织{topic_label}集中带量采购和使用配套措施的意见"
level national
region "全国"
issuer "国家医疗保障局"
document "医保发〔2020〕{doc}号"
issued 2020-12-15
effective 2020-12-15
summary "{topic_label}集采中选结果落地的配套措施：中选产品按中选价挂网、采购、使用和支付；医保基金预付不低于30%；次月底前结清货款。"

enum Institution "医疗机构类型" {{
    public "公立医疗机构",
    military "军队医疗机构",
    private_designated "医保定点社会办医疗机构",
    private_other "其他社会办医疗机构",
}}

input selected: bool "是否为中选产品" article "二(一)"
input selected_price: money "中选价格" article "二(一)"
input price: money "患者使用的产品价格" article "二(三)"
input reimbursement_ratio: percent "参保人医保基金支付比例" article "二(三)"
input agreed_amount: money "年度约定采购金额" article "二(二)"
input acceptance_date: date "交货验收合格日期" article "二(二)"
input payment_date: date "医疗机构结清货款日期" article "二(二)"
input institution_type: Institution "医疗机构类型" article "一"
input system_complete: bool "所用系统部件是否齐全" article "四"
input uses_outside_component: bool "是否使用了非本系统的主要部件" article "四"
input fund_savings: money optional "医保资金节约额" article "二(四)"

param selected_payment_standard_share: percent fixed 100% "中选产品支付标准占中选价的比例" article "二(三)"
    note "以中选价为支付标准，各级不得改变"
param prepayment_ratio: percent floor 30% "医保基金预付比例" article "二(二)"
    note "按不低于年度约定采购金额的30%预付：下级可以提高，不得降低"
param settlement_lag_months: count ceiling 1 "货款结清期限（交货验收合格后第几个月月底）" article "二(二)"
param nonselected_listing_cap: money ceiling 7000 yuan "非中选产品挂网价格上限" article "二(一)"
param delivery_markup: percent ceiling 5% "配送加成比例上限" article "二(一)"
param nonselected_payment_cap: money delegated "非中选产品医保支付标准高限" article "二(三)"
param highest_selected_price: money delegated to provincial "最高中选价" article "二(三)"
param retention_ratio: percent delegated at most 70% "医保资金结余留用比例" article "二(四)"
param first_year_drg_unchanged: bool default true "首年不下调病组支付标准" article "二(四)"

schedule delivery_markup "配送加成逐步取消" article "二(一)" {{
    from 2021-01-01: 3%
    from 2022-01-01: 0% "第二步"
}}

decision in_scope: bool "是否属于实施范围" article "一" =
    institution_type in {{public, military, private_designated}}

decision listing_price: money "挂网价格" article "二(一)" {{
    when selected then selected_price "中选产品按中选价格挂网"
    when price <= nonselected_listing_cap then price "非中选产品不高于挂网上限的，按实际价格挂网"
    otherwise none
}}

decision delivery_fee_max: money "配送费用上限" article "二(一)" =
    round(selected_price * delivery_markup, fen)

decision payment_standard: money "医保支付标准" article "二(三)" {{
    when selected then round(selected_price * selected_payment_standard_share, fen) "中选产品以中选价为支付标准"
    otherwise min(price, nonselected_payment_cap) "非中选产品在支付标准高限以内按实际价格"
}}

decision fund_pays: money "医保基金支付金额" article "二(三)" =
    round(min(price, payment_standard) * reimbursement_ratio, fen)

decision patient_pays: money "患者负担金额" article "二(三)" =
    price - fund_pays

decision prepayment_min: money floor "医保基金预付金额下限" article "二(二)" =
    round(agreed_amount * prepayment_ratio, fen, up)

decision settlement_deadline: date ceiling "货款结清最晚日期" article "二(二)" =
    end_of_month(add_months(acceptance_date, settlement_lag_months))

decision settlement_on_time: bool "是否按时结清货款" article "二(二)" =
    payment_date <= settlement_deadline

decision retained_surplus_max: money "医疗机构可结余留用的最高金额" article "二(四)" =
    round(fund_savings * retention_ratio, fen, down)

decision drg_standard_kept: bool "首年是否保持病组支付标准" article "二(四)" =
    first_year_drg_unchanged and in_scope

table counts_toward_agreed_volume: bool "是否记入协议采购量" article "四" {{
    columns selected, system_complete, uses_outside_component
    row false, -, - => false "非中选产品不记入协议采购量"
    row true, -, false => true "只使用本系统部件的，记入"
    row true, true, true => false "部件齐全又使用其他主要部件的，不记入"
    row true, false, true => true "部件不齐全、用其他主要部件补齐的，记入"
}}

require cap_within_highest_selected: nonselected_payment_cap <= highest_selected_price by effective_date + 2 years
    "两年内逐步调整支付标准，使其不超过最高中选价" article "二(三)"

provision company_chooses_distributor: 省级医保部门 must "严格落实由中选企业自主选择配送企业的要求" article "二(一)"
provision ensure_delivery: 中选企业 must "与所有协议采购医疗机构建立配送关系，及时配送到位" article "二(一)"
provision hospital_pays_company: 医疗机构 must "与企业及时结清货款，承担货款支付主体责任" article "二(二)"
provision direct_settlement: 医保经办机构 may "与企业直接结算" article "二(二)"
provision monitor_prepayment: 省级医保部门 must "对预付政策落实和医疗机构回款情况开展监测和督导" article "二(二)"
provision separate_budget: 统筹地区医保部门 must "对集采范围内品种实施医保资金单列预算管理" article "二(四)"
provision internal_assessment: 医疗机构 should "完善内部考核办法，鼓励合理、优先使用中选产品" article "二(四)"
provision complete_agreed_volume: 医疗机构 must "按购销合同完成中选产品协议采购量" article "三"
provision no_offline_purchase: 医疗机构 must not "线下采购等不规范采购" article "三"
provision monthly_monitoring: 地方医保部门 must "按照“每月监测、年度考核”的要求监测执行情况" article "三"

example "中选产品：按中选价挂网和支付" {{
    as_of 2021-03-01
    given selected = true
          selected_price = 469 yuan
          price = 469 yuan
          reimbursement_ratio = 80%
          agreed_amount = 100000 yuan
          acceptance_date = 2021-03-10
          payment_date = 2021-04-30
          institution_type = public
          system_complete = true
          uses_outside_component = false
    expect listing_price = 469 yuan
           payment_standard = 469 yuan
           fund_pays = 375.20 yuan
           patient_pays = 93.80 yuan
           prepayment_min = 30000 yuan
           settlement_deadline = 2021-04-30
           settlement_on_time = true
           in_scope = true
           counts_toward_agreed_volume = true
           delivery_fee_max = 14.07 yuan
}}

example "非中选产品：支付标准高限待各地填写" {{
    as_of 2022-03-01
    given selected = false
          selected_price = 469 yuan
          price = 6500 yuan
          reimbursement_ratio = 80%
          agreed_amount = 0 yuan
          acceptance_date = 2024-01-31
          payment_date = 2024-03-01
          institution_type = private_other
          system_complete = true
          uses_outside_component = true
    expect listing_price = 6500 yuan
           payment_standard needs nonselected_payment_cap
           settlement_deadline = 2024-02-29
           settlement_on_time = false
           in_scope = false
           counts_toward_agreed_volume = false
           delivery_fee_max = 0 yuan
}}
"""


# ---------------------------------------------------------------- the tree as data


@attrs.define
class Node:
    """One generated policy before it is written: its place, and the changes it makes."""

    policy_id: str
    level: str
    region: str
    parent: Optional["Node"]
    effective: dt.date
    document: str
    children: list["Node"] = attrs.Factory(list)
    # Parameter overrides: name -> rendered statement (e.g. "percent floor 35%").
    params: dict[str, str] = attrs.Factory(dict)
    because: dict[str, str] = attrs.Factory(dict)
    # Effective value after this level, for the parameters whose limits lower levels must respect.
    floor: int = 30  # prepayment_ratio, percent
    listing_cap: int = 7000  # nonselected_listing_cap, yuan
    lag: int = 1  # settlement_lag_months
    payment_cap_filled: bool = False
    retention_filled: bool = False
    extra_blocks: list[str] = attrs.Factory(list)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def descendants(self):
        stack = list(self.children)
        while stack:
            node = stack.pop()
            yield node
            stack.extend(node.children)


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """Divide `total` items into `parts` groups of at least one, unevenly (as real regions are)."""
    if parts <= 0:
        return []
    if total < parts:
        raise SystemExit(f"cannot spread {total} policies over {parts} parents: need at least one each")
    weights = [rng.uniform(0.4, 1.6) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    remainder = total - sum(counts)
    for i in range(remainder):
        counts[i % parts] += 1
    return counts


def place_name(rng: random.Random, suffix: str) -> str:
    return rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS) + suffix


def build_topic(topic: str, topic_label: str, doc: str, args, rng: random.Random) -> list[Node]:
    base = dt.date(2020, 12, 15)
    national = Node(f"cn/{topic}", "national", "全国", None, base, f"医保发〔2020〕{doc}号")
    nodes = [national]
    provinces: list[Node] = []
    for p in range(args.provinces):
        name = PROVINCE_NAMES[p % len(PROVINCE_NAMES)]
        node = Node(f"cn/p{p + 1:02d}/{topic}", "provincial", name, national,
                    base + dt.timedelta(days=rng.randint(3, 40)), f"第{p + 1:02d}省医保发〔2021〕{rng.randint(1, 99)}号")
        provinces.append(node)
    cities: list[Node] = []
    city_no = 0
    for province, count in zip(provinces, split(args.cities, len(provinces), rng)):
        for _ in range(count):
            city_no += 1
            pid = province.policy_id.rsplit("/", 1)[0]
            node = Node(f"{pid}/c{city_no:03d}/{topic}", "municipal",
                        province.region + place_name(rng, CITY_SUFFIX), province,
                        province.effective + dt.timedelta(days=rng.randint(0, 30)),
                        f"市医保发〔2021〕{rng.randint(1, 99)}号")
            cities.append(node)
    counties: list[Node] = []
    county_no = 0
    for city, count in zip(cities, split(args.counties, len(cities), rng) if cities else []):
        for _ in range(count):
            county_no += 1
            cid = city.policy_id.rsplit("/", 1)[0]
            node = Node(f"{cid}/k{county_no:04d}/{topic}", "county",
                        city.region + place_name(rng, rng.choice(COUNTY_SUFFIXES)), city,
                        city.effective + dt.timedelta(days=rng.randint(0, 20)),
                        f"县医保发〔2021〕{rng.randint(1, 99)}号")
            counties.append(node)
    for node in provinces + cities + counties:
        node.parent.children.append(node)
        nodes.append(node)
    for node in nodes[1:]:
        add_legitimate_changes(node, rng)
    return nodes


def add_legitimate_changes(node: Node, rng: random.Random) -> None:
    """What real lower levels do: tighten limits, fill their blanks, add local rules."""
    parent = node.parent
    node.floor, node.listing_cap, node.lag = parent.floor, parent.listing_cap, parent.lag
    node.payment_cap_filled, node.retention_filled = parent.payment_cap_filled, parent.retention_filled
    level = node.level
    if rng.random() < {"provincial": 0.6, "municipal": 0.35, "county": 0.15}[level] and node.floor < 60:
        node.floor += rng.choice((5, 10))
        node.params["prepayment_ratio"] = f"percent floor {percent(node.floor)}"
        node.because["prepayment_ratio"] = "本地提高医保基金预付比例"
    if rng.random() < {"provincial": 0.5, "municipal": 0.3, "county": 0.1}[level] and node.listing_cap > 4000:
        node.listing_cap -= rng.choice((100, 200, 500))
        node.params["nonselected_listing_cap"] = f"money ceiling {yuan(node.listing_cap)}"
        node.because["nonselected_listing_cap"] = "本地降低非中选产品挂网价格上限"
    if level == "county" and node.lag == 1 and rng.random() < 0.03:
        node.lag = 0
        node.params["settlement_lag_months"] = "count ceiling 0"
        node.because["settlement_lag_months"] = "本县要求当月底前结清货款"
    if level == "provincial":
        node.params["highest_selected_price"] = f"money fixed {yuan(rng.choice((6800, 6900, 7000)))}"
        node.because["highest_selected_price"] = "按中选结果公告填写最高中选价"
        if rng.random() < 0.6:
            node.params["nonselected_payment_cap"] = "money delegated to municipal"
            node.because["nonselected_payment_cap"] = "由各地级以上市结合当地实际设定"
        else:
            node.params["nonselected_payment_cap"] = f"money fixed {yuan(rng.choice((5000, 5500, 6000)))}"
            node.because["nonselected_payment_cap"] = "全省统一设定支付标准高限"
            node.payment_cap_filled = True
        if rng.random() < 0.5:
            node.params["retention_ratio"] = f"percent fixed {percent(rng.choice((30, 40, 50)))}"
            node.because["retention_ratio"] = "参照本省药品集采结余留用比例"
            node.retention_filled = True
    if level == "municipal" and not node.payment_cap_filled and rng.random() < 0.8:
        node.payment_cap_filled = True
        first, second = rng.choice(((6500, 6000), (6000, 5500), (5800, 5000)))
        node.params["nonselected_payment_cap"] = f"money fixed {yuan(first)}"
        node.because["nonselected_payment_cap"] = "本市设定非中选产品医保支付标准高限"
        if rng.random() < 0.3:
            # A dated schedule replaces the value step by step, so the value it starts from is a default.
            node.params["nonselected_payment_cap"] = f"money default {yuan(first)}"
            start = node.effective + dt.timedelta(days=10)
            later = dt.date(start.year + 1, start.month, min(start.day, 28))
            node.extra_blocks.append(
                f'schedule nonselected_payment_cap "支付标准高限逐步下调" article "三" {{\n'
                f"    from {start.isoformat()}: {yuan(first)}\n"
                f'    from {later.isoformat()}: {yuan(second)} "第二步"\n'
                f"}}\n")
    if level in ("municipal", "county") and not node.retention_filled and rng.random() < 0.3:
        node.retention_filled = True
        node.params["retention_ratio"] = f"percent fixed {percent(rng.choice((20, 30, 50)))}"
        node.because["retention_ratio"] = "本地确定结余留用比例"
    if level == "provincial" and rng.random() < 0.3:
        node.params["first_year_drg_unchanged"] = "bool default false"
        node.because["first_year_drg_unchanged"] = "本省按病组支付改革进度调整"
    if level in ("provincial", "municipal") and rng.random() < 0.25:
        node.extra_blocks.append(local_table(node, rng))
    if level == "provincial" and rng.random() < 0.3:
        node.extra_blocks.append(local_decision(rng))
    for i in range(rng.choice((0, 1, 1, 2, 3))):
        actor = rng.choice(ACTORS)
        modality = rng.choice(("must", "should", "may"))
        node.extra_blocks.append(
            f'provision {LEVEL_PREFIX[level]}_rule_{i + 1}: {actor} {modality} "{node.region}落实集采要求的第{i + 1}项措施" '
            f'article "{rng.randint(1, 9)}"\n')


def local_table(node: Node, rng: random.Random) -> str:
    """A local subsidy table over the national enum and a new input (a typical lower-level addition)."""
    a, b, c = rng.choice(((10, 5, 0), (15, 10, 5), (20, 10, 0)))
    prefix = LEVEL_PREFIX[node.level]
    return (
        f'input {prefix}_rural_resident: bool "是否为农村居民" article "五"\n'
        f'table {prefix}_subsidy_rate: percent "本地补助比例" article "五" {{\n'
        f"    columns institution_type, {prefix}_rural_resident\n"
        f'    row public, true => {percent(a)} "公立医疗机构、农村居民"\n'
        f"    row public, false => {percent(b)}\n"
        f"    row in {{military, private_designated}}, - => {percent(c)}\n"
        "    row private_other, - => 0%\n"
        "}\n"
        f'decision {prefix}_subsidy: money "本地补助金额" article "五" =\n'
        f"    round(patient_pays * {prefix}_subsidy_rate, fen)\n")


def local_decision(rng: random.Random) -> str:
    """A provincial listing rule in the style of Guangdong's: lowest purchase price, within the cap."""
    return (
        'input lowest_purchase_price: money "省内外最低采购价" article "二"\n'
        'override decision listing_price: money "挂网价格" article "二"\n'
        '    because "本省规定非中选产品按省内外最低采购价挂网" {\n'
        '    when selected then selected_price "中选产品按中选价格挂网"\n'
        "    when lowest_purchase_price <= nonselected_listing_cap then lowest_purchase_price\n"
        '        "非中选产品按省内外最低采购价挂网"\n'
        '    otherwise none "不予挂网"\n'
        "}\n")


# ---------------------------------------------------------------- planted conflicts

CONFLICT_KINDS = (
    ("PL304", "prepayment_ratio"),  # floor lowered
    ("PL305", "nonselected_listing_cap"),  # ceiling raised
    ("PL306", "selected_payment_standard_share"),  # fixed rule changed
    ("PL317", "settlement_deadline"),  # a bound decision loosened (a later deadline)
)


def plant_conflicts(nodes: list[Node], count: int, rng: random.Random) -> list[dict]:
    """Make `count` distinct policies break exactly one upper-level limit each.

    A planted policy's descendants stop overriding the same parameter, and no
    two plantings of one parameter sit on the same line of descent, so each
    planting produces exactly one finding.
    """
    by_level = {level: [n for n in nodes if n.level == level] for level in LEVEL_OF_DEPTH[1:]}
    levels = [lv for lv in LEVEL_OF_DEPTH[1:] if by_level[lv]]
    planted: list[dict] = []
    taken: dict[str, list[Node]] = {param: [] for _, param in CONFLICT_KINDS}
    used: set[str] = set()
    attempts = 0
    while len(planted) < count:
        attempts += 1
        if attempts > 100 * max(count, 1) + 1000:
            raise SystemExit(f"cannot plant {count} independent conflicts in a tree this small")
        node = rng.choice(by_level[rng.choice(levels)])
        code, param = rng.choice(CONFLICT_KINDS)
        if node.policy_id in used:
            continue
        lineage = set(id(n) for n in node.ancestors()) | set(id(n) for n in node.descendants())
        if any(id(other) in lineage for other in taken[param]):
            continue
        parent = node.parent
        if code == "PL304":
            node.params[param] = f"percent floor {percent(parent.floor - 5)}"
            node.because[param] = "本地财力紧张，预付比例下调"
        elif code == "PL317":
            node.extra_blocks.append(
                'override decision settlement_deadline: date "货款结清最晚日期" article "二(二)"\n'
                '    because "本地结算周期较长，延至验收后第二个月月底" =\n'
                '    end_of_month(add_months(acceptance_date, 2))\n')
        elif code == "PL305":
            node.params[param] = f"money ceiling {yuan(parent.listing_cap + 500)}"
            node.because[param] = "本地非中选产品价格较高，放宽挂网上限"
        else:
            node.params[param] = "percent fixed 90%"
            node.because[param] = "本地中选产品支付标准按中选价的九成确定"
        for below in node.descendants():
            below.params.pop(param, None)
            below.because.pop(param, None)
        taken[param].append(node)
        used.add(node.policy_id)
        planted.append({"policy": node.policy_id, "code": code, "param": param})
    planted.sort(key=lambda e: e["policy"])
    return planted


# ---------------------------------------------------------------- writing


def render(node: Node, topic_label: str, doc: str) -> str:
    if node.level == "national":
        return NATIONAL.format(topic_label=topic_label, doc=doc)
    issuer = node.region + "医疗保障局"
    lines = [
        f"# 合成数据：{node.region}落实{topic_label}集采配套措施。",
        f'policy "{issuer}关于贯彻落实{topic_label}集中带量采购配套措施的通知"',
        f"level {node.level}",
        f'region "{node.region}"',
        f'issuer "{issuer}"',
        f'document "{node.document}"',
        f"issued {node.effective.isoformat()}",
        f"effective {node.effective.isoformat()}",
        f"extends {node.parent.policy_id}",
        "",
    ]
    for name in sorted(node.params):
        lines.append(f"override param {name}: {node.params[name]} because \"{node.because[name]}\"")
    if node.params:
        lines.append("")
    body = "\n".join(lines)
    extra = "\n".join(node.extra_blocks)
    return body + ("\n" + extra if extra else "")


def generate(args) -> list[dict]:
    rng = random.Random(args.seed)
    planted: list[dict] = []
    all_nodes: list[tuple[Node, str, str]] = []
    for t in range(args.topics):
        topic, label, doc = TOPICS[t % len(TOPICS)]
        if t >= len(TOPICS):
            topic = f"{topic}-{t // len(TOPICS) + 1}"
        nodes = build_topic(topic, label, doc, args, rng)
        all_nodes.extend((n, label, doc) for n in nodes)
    if args.conflicts:
        planted = plant_conflicts([n for n, _, _ in all_nodes], args.conflicts, rng)
    os.makedirs(args.out_dir, exist_ok=True)
    for node, label, doc in all_nodes:
        path = os.path.join(args.out_dir, *node.policy_id.split("/")) + ".policy"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(render(node, label, doc))
    with open(os.path.join(args.out_dir, "planted.json"), "w", encoding="utf-8", newline="\n") as fh:
        json.dump([{"policy": e["policy"], "code": e["code"]} for e in planted], fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    return planted


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", metavar="OUT_DIR")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--provinces", type=int, default=31)
    parser.add_argument("--cities", type=int, default=333)
    parser.add_argument("--counties", type=int, default=2844)
    parser.add_argument("--conflicts", type=int, default=0, help="plant exactly K genuine conflicts")
    parser.add_argument("--topics", type=int, default=1)
    args = parser.parse_args(argv)
    if args.provinces < 1 or args.topics < 1 or args.cities < 0 or args.counties < 0 or args.conflicts < 0:
        parser.error("counts must be positive")
    if args.counties and not args.cities:
        parser.error("counties need cities to belong to")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    planted = generate(args)
    total = args.topics * (1 + args.provinces + args.cities + args.counties)
    print(f"wrote {total} policies into {args.out_dir} ({len(planted)} planted conflicts)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
