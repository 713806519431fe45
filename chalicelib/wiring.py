"""The composition root: the real adapters handed to services, built once per container on first use."""
from __future__ import annotations

import functools
import logging
import os

from . import settings
from .adapters import clock
from .adapters.dynamo import DynamoMatterRepository
from .adapters.evidence import EvidenceStore
from .adapters.lifecycle import JointMediationGateway, LifecycleGateway
from .adapters.notify import Notifier
from .adapters.secrets import CitizenKeys, PhoneHasher
from .domain import deadlines, routing
from .adapters.directory import UnitDirectory
from .domain import queries as domain_queries
from .reference.directory import ReferenceDirectory
from .services import accounts, articles, cases, citizen, lifecycle, mediation, queries, staff, units as unit_service
from .services.intake import Deps
from .services.placement import Placer


def calendar() -> deadlines.Calendar:
    """Calendar or working days: configuration, not code."""
    return deadlines.Calendar(os.environ.get("JIEYOU_CALENDAR", "calendar"))


@functools.lru_cache(maxsize=1)
def repository() -> DynamoMatterRepository:
    return DynamoMatterRepository()


@functools.lru_cache(maxsize=1)
def unit_directory() -> UnitDirectory:
    """The units and routing rules as administered: bundled seed + table overlay, cached."""
    return UnitDirectory()


def unit_lookup(unit_id: str) -> dict | None:
    return unit_directory().unit(unit_id)


@functools.lru_cache(maxsize=1)
def staff_deps() -> staff.StaffDeps:
    units = unit_directory()
    directory = ReferenceDirectory(units.unit)
    joint = JointMediationGateway()

    def candidates(matter, centre_region):
        return routing.dispatch_candidates(routing.RoutingFacts.of(matter), units.unit_index(),
                                           centre_region, units.routing_rules())
    return staff.StaffDeps(repo=repository(), lifecycle=LifecycleGateway(), notifier=Notifier(),
                           directory=directory, now=clock.now, calendar=calendar(),
                           dispatch_candidates=candidates, start_joint=joint.start,
                           evidence=EvidenceStore(), random_hex=lambda: os.urandom(16).hex(),
                           after_conclude=lambda matter: mediation.schedule_callback(matter, mediation_deps()))


@functools.lru_cache(maxsize=1)
def intake_deps() -> Deps:
    sd = staff_deps()
    units = unit_directory()
    placer = Placer(units.routing_rules, units.unit_index, sd.directory, sd.calendar)
    return Deps(repo=repository(), lifecycle=LifecycleGateway(), hash_phone=PhoneHasher(),
                now=clock.now, random_bytes=os.urandom, place=placer,
                after_filing=lambda matter, effects: staff.carry_out(matter, effects, sd),
                unit_name=lambda unit_id: (sd.directory.unit(unit_id) or {}).get("name") if unit_id else None)


@functools.lru_cache(maxsize=1)
def citizen_deps() -> citizen.CitizenDeps:
    sd = staff_deps()
    return citizen.CitizenDeps(repo=repository(), lifecycle=sd.lifecycle, notifier=sd.notifier,
                               hash_phone=PhoneHasher(), keys=CitizenKeys(), now=clock.now,
                               wall_time=clock.wall_time, random_bytes=os.urandom, staff=sd)


def _cut(text: str) -> list[str]:
    import jieba  # loaded on first use: ~1 s to build its dictionary, so not at import
    jieba.setLogLevel(logging.WARNING)
    return list(jieba.cut_for_search(text))


def _tag(text: str):
    import jieba.posseg
    return [(p.word, p.flag) for p in jieba.posseg.cut(text)]


@functools.lru_cache(maxsize=1)
def case_deps() -> cases.CaseDeps:
    return cases.CaseDeps(repo=repository(), staff=staff_deps(), now=clock.now, random_bytes=os.urandom,
                          cut=_cut, tag=_tag)


def media_store() -> EvidenceStore:
    return EvidenceStore(settings.MEDIA_BUCKET)


@functools.lru_cache(maxsize=1)
def article_deps() -> articles.ArticleDeps:
    return articles.ArticleDeps(repo=repository(), now=clock.now, random_bytes=os.urandom, media=media_store())


def lifecycle_deps() -> lifecycle.LifecycleDeps:
    """For the state machines' tasks: storage, the clock (speed-scaled timeouts) and the
    same notifications staff actions send."""
    sd = staff_deps()
    return lifecycle.LifecycleDeps(repo=repository(), now=clock.now, real_seconds=clock.real_seconds,
                                   directory=sd.directory,
                                   notify=lambda matter, effects: staff.carry_out(matter, effects, sd),
                                   wake=lambda token: sd.lifecycle.signal(token, {"wake": "replan"}),
                                   calendar=sd.calendar)


@functools.lru_cache(maxsize=1)
def account_deps() -> accounts.AccountDeps:
    from . import reference
    from .adapters.accounts import CognitoAccounts, DynamoAccountRegister
    from .adapters.auth import StaffPool
    return accounts.AccountDeps(pool=lambda: CognitoAccounts(StaffPool.from_env().pool_id),
                                register=DynamoAccountRegister(), unit_lookup=unit_lookup,
                                region_lookup=reference.region, random_bytes=os.urandom, now=clock.now)


@functools.lru_cache(maxsize=1)
def unit_deps() -> unit_service.UnitDeps:
    from . import reference
    return unit_service.UnitDeps(directory=unit_directory(), region_lookup=reference.region,
                                 kinds=reference.kind_codes(), categories=reference.category_codes(),
                                 severities=reference.severity_codes(), random_bytes=os.urandom,
                                 now=clock.now)


@functools.lru_cache(maxsize=1)
def query_deps() -> queries.QueryDeps:
    sd = staff_deps()
    units = unit_directory()

    def suggest(matter, centre_region):
        return domain_queries.dispatch_suggestion(
            routing.RoutingFacts.of(matter), units.unit_index(), centre_region,
            units.routing_rules(), routing.route, routing.dispatch_candidates)
    return queries.QueryDeps(repo=repository(), directory=sd.directory, now=clock.now, suggest=suggest)


def followup_rules() -> dict:
    """跟踪问效 rules (callback days, what a callback result does, reminder days): data."""
    import json
    from pathlib import Path
    path = os.environ.get("JIEYOU_FOLLOWUP_RULES") or \
        Path(__file__).parent / "reference" / "data" / "followup-rules.json"
    return json.loads(Path(path).read_text(encoding="utf-8"))


def meetings():
    """Video meetings: the Chime SDK in the cloud, the local runtime's own WebRTC relay locally."""
    from .adapters import meetings as meeting_adapters
    return meeting_adapters.for_stage()


@functools.lru_cache(maxsize=1)
def mediation_deps() -> mediation.MediationDeps:
    from .adapters import documents
    from .adapters.lifecycle import AgreementTimersGateway
    sd = staff_deps()
    keys = CitizenKeys()
    return mediation.MediationDeps(
        staff=sd, store=sd.evidence, documents=documents, hash_phone=PhoneHasher(),
        code_hash=keys.code_hash, wall_time=clock.wall_time, random_bytes=os.urandom,
        timers=AgreementTimersGateway(), courts=lambda: unit_directory().units(),
        rules=followup_rules(), meetings=meetings(), real_seconds=clock.real_seconds,
        web_origin=lambda: os.environ.get("WEB_ORIGIN", ""))


def reconcile_deps():
    """For the scheduled reconciler: every summary partition of the city (5 kinds x 12 places)."""
    from . import reference
    from .services import reconcile
    gateway = LifecycleGateway()
    repo = repository()
    kinds = [k["code"] for k in reference.kinds()]
    return reconcile.ReconcileDeps(
        open_matters_page=repo.open_matters_page, newest=gateway.newest, start_named=gateway.start_named,
        partitions=domain_queries.partitions(kinds, reference.city_code(), queries.counties()))


def reset() -> None:
    for cached in (repository, unit_directory, staff_deps, intake_deps, citizen_deps, case_deps,
                   account_deps, unit_deps, query_deps, article_deps, mediation_deps, statistics_store,
                   statistics_deps, report_deps):
        cached.cache_clear()


@functools.lru_cache(maxsize=1)
def statistics_store():
    from .adapters.statistics import DynamoStatisticsStore
    return DynamoStatisticsStore()


def wall_time() -> float:
    return clock.wall_time()


@functools.lru_cache(maxsize=1)
def statistics_deps():
    from . import reference
    from .services.statistics import StatisticsDeps
    return StatisticsDeps(store=statistics_store(), region_lookup=reference.region,
                          children_of=reference.region_children, population=reference.population,
                          category_names={c["code"]: c["name"] for c in reference.categories()},
                          kinds=reference.kind_codes(), severities=reference.severity_codes(),
                          now=clock.now)


@functools.lru_cache(maxsize=1)
def report_deps():
    from . import reference, settings
    from .adapters.accounts import DynamoAccountRegister
    from .adapters.auth import LoginRecord, login_pk
    from .adapters.reports import DynamoReportLog, S3ReportArchive, SesMailer
    from .services.reports import ReportDeps
    units = unit_directory()
    register = DynamoAccountRegister()

    def accounts_by_unit(region: str) -> dict[str, set]:
        """Accounts of units seated in the region: the account register, and on the local
        stage the demo accounts too (they are created at every start, not registered)."""
        people = register.all() + (reference.demo_accounts() if settings.is_local() else [])
        out: dict[str, set] = {}
        for a in people:
            unit = units.unit(a["unitId"]) or {}
            if str(unit.get("regionCode", "")).startswith(region) and a.get("enabled", True):
                out.setdefault(a["unitId"], set()).add(a["username"].lower())
        return out

    def logged_in(month: str, unit_id: str) -> set:
        return {r.username.lower() for r in LoginRecord.query(login_pk(month, unit_id))}

    return ReportDeps(store=statistics_store(), log=DynamoReportLog(), archive=S3ReportArchive(),
                      mailer=SesMailer(), sender=os.environ.get("REPORT_SENDER", "reports@jieyou.example.gov.cn"),
                      recipients=reference.report_recipients, region_lookup=reference.region,
                      children_of=reference.region_children,
                      category_names={c["code"]: c["name"] for c in reference.categories()},
                      kind_names={k["code"]: k["name"] for k in reference.kinds()},
                      accounts_by_unit=accounts_by_unit, logged_in=logged_in,
                      unit_name=lambda unit_id: (units.unit(unit_id) or {}).get("name", unit_id),
                      now=clock.now)
