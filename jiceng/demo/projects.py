"""Demo key projects (党建+项目) of a street office: about forty projects across the seven stages
(a life-science park, a furniture plant, a bamboo-sea resort on a hillside, a 150-mu rice–shrimp
base among them) with the default approval chain partly done, a year of monthly investment, task
forces, problems reported as cases (most closed through the case loop, some open), weekly
meetings with decisions, and four quarters of contest scores. Deterministic for a seed.

`projects_bulk` writes the same kind of rows at volume (the ranking benchmark)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from jiceng.cases.models import Department
from jiceng.cases.services import case_act
from jiceng.core.bulk import insert_objects
from jiceng.core.models import Role
from jiceng.core.services.accounts import user_create
from jiceng.planning.schedule import cpm
from jiceng.projects.models import (
    STAGE_ORDER,
    ContestScore,
    Decision,
    Meeting,
    Milestone,
    MonthlyInvestment,
    Project,
    StageChange,
)
from jiceng.projects.reference_data import default_chain, problem_category_codes
from jiceng.projects.services import problem_report
from jiceng.projects.workdays import workdays_around

if TYPE_CHECKING:
    from jiceng.core.models import User

NAMED = [
    ("生命科学产业园", "industrial", "浙江康源生命科学有限公司", "building"),
    ("智能家具制造工厂", "industrial", "安吉恒木家具有限公司", "started"),
    ("竹海山地度假村", "infrastructure", "竹海文旅发展有限公司", "signed"),
    ("150亩稻虾轮作基地", "village_collective", "孝源村股份经济合作社", "producing"),
]
PREFIXES = ["绿色", "数字", "智能", "高端", "新型", "生态", "精密", "现代"]
SUBJECTS = ["竹材加工", "医疗器械", "新材料", "椅业配套", "冷链物流", "白茶精制", "文旅综合体",
            "光伏储能", "电子元件", "农旅融合", "污水管网", "道路提升"]  # fmt: skip
PROBLEMS = {
    "land_acquisition": "项目红线内3户农房征迁未签约",
    "abandoned_land": "周边流转地块抛荒需复垦",
    "power": "山地施工用电线路接入滞后",
    "water": "供水管网未接入厂区",
    "approval": "环评批复材料需补正",
    "financing": "项目贷款审批进度慢",
}


def _workdays(today: date) -> list[date]:
    return workdays_around(today - timedelta(days=800), today + timedelta(days=900))


def _plan_milestones(
    project: Project, rng: random.Random, today: date, workdays: list[date]
) -> list[Milestone]:
    """The default chain, done up to where the stage says, due dates from the backward pass."""
    chain = default_chain()
    stage_index = STAGE_ORDER.index(project.stage)
    done_upto = {0: 0, 1: 1, 2: 4, 3: 10, 4: 10, 5: 12, 6: 12}[stage_index]
    if stage_index == 2:
        done_upto = rng.randint(1, 6)
    done: dict[str, date] = {}
    cursor = today - timedelta(days=30 * (done_upto + 1) + rng.randint(0, 40))
    for m in chain[:done_upto]:
        cursor += timedelta(days=rng.randint(5, 25))
        done[m["code"]] = min(cursor, today - timedelta(days=1))
    # done dates never before a predecessor's
    for m in chain:
        if m["code"] in done:
            for p in m["after"]:
                if p in done and done[m["code"]] < done[p]:
                    done[m["code"]] = done[p]
    result = cpm(
        [
            {"id": m["code"], "duration": m["duration_days"], "after": m["after"],
             "done": done.get(m["code"])}
            for m in chain
        ],
        start=today,
        deadline=project.production_target,
        workdays=workdays,
    )  # fmt: skip
    return [
        Milestone(
            project=project,
            order=i,
            code=m["code"],
            name=m["name"],
            duration_days=m["duration_days"],
            after=m["after"],
            done_on=done.get(m["code"]),
            due_on=result[m["code"]]["late_finish"],
        )
        for i, m in enumerate(chain)
    ]


def _plan_projects(
    office: User, town: str, count: int, rng: random.Random, today: date
) -> list[Project]:
    projects = []
    for i in range(count):
        if i < len(NAMED):
            name, kind, owner, stage = NAMED[i]
        else:
            name = f"{rng.choice(PREFIXES)}{rng.choice(SUBJECTS)}项目{i - len(NAMED) + 1:02d}"
            kind = rng.choice(["industrial", "industrial", "infrastructure", "village_collective"])
            owner = f"{name[:4]}有限公司"
            stage = STAGE_ORDER[i % len(STAGE_ORDER)]
        production = today + timedelta(days=rng.randint(120, 720))
        if STAGE_ORDER.index(stage) >= 5:
            production = today - timedelta(days=rng.randint(30, 300))
        projects.append(
            Project(
                name=name,
                stage=stage,
                region_id=town,
                kind=kind,
                owner_enterprise=owner,
                lead=office,
                planned_investment=Decimal(rng.randint(2, 80) * 1000),
                start_target=production - timedelta(days=rng.randint(150, 400)),
                production_target=production,
            )
        )
    return projects


@transaction.atomic
def projects_bulk(
    office: User,
    town: str,
    *,
    count: int,
    today: date,
    seed: int = 1,
    members: list[User] | None = None,
    close_with: User | None = None,
) -> dict[str, int]:
    """`count` projects of `town` with milestones, a year of investment and problems (one per
    two projects, as cases; a third closed through the case loop when `close_with`, a handler
    of the routed department, is given)."""
    rng = random.Random(seed)
    workdays = _workdays(today)
    projects = Project.objects.bulk_create(_plan_projects(office, town, count, rng, today))
    milestones: list[Milestone] = []
    investments: list[MonthlyInvestment] = []
    changes: list[StageChange] = []
    first = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    for p in projects:
        milestones.extend(_plan_milestones(p, rng, today, workdays))
        at_stage = STAGE_ORDER.index(p.stage)
        pace = rng.uniform(0.55, 1.15)
        month = first
        for _ in range(12):
            if month > today:
                break
            planned = Decimal(int(p.planned_investment) // 24) if at_stage >= 3 else Decimal(0)
            completed = (planned * Decimal(str(round(pace * rng.uniform(0.8, 1.1), 3)))).quantize(
                Decimal("0.01")
            )
            investments.append(
                MonthlyInvestment(project=p, month=month, planned=planned, completed=completed)
            )
            month = (month + timedelta(days=32)).replace(day=1)
        on = today - timedelta(days=60 * (at_stage + 1))
        for a, b in zip(["", *STAGE_ORDER[:at_stage]], STAGE_ORDER[: at_stage + 1], strict=True):
            changes.append(StageChange(project=p, from_stage=a, to_stage=b, on=on, by=office))
            on += timedelta(days=rng.randint(20, 50))
    insert_objects(Milestone, milestones)
    insert_objects(MonthlyInvestment, investments)
    insert_objects(StageChange, changes)
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    if members:
        for i, p in enumerate(projects):
            p.task_force.set(members[i % len(members) :] + members[: i % len(members)][:2])
    categories = problem_category_codes()
    problems = 0
    moment = timezone.now() - timedelta(days=45)
    for i, p in enumerate(projects[::2]):
        category = "land_acquisition" if i % 2 == 0 else categories[i % len(categories)]
        member = members[i % len(members)] if members else None
        problem = problem_report(
            actor=office,
            project_id=p.pk,
            title=PROBLEMS[category],
            category=category,
            member=member,
            at=moment + timedelta(hours=i),
        )
        problems += 1
        town_routed = category in ("land_acquisition", "abandoned_land")
        if close_with is not None and i % 4 != 3 and town_routed:
            _close(problem.case_id, office, close_with, moment + timedelta(hours=i))
    return {"projects": len(projects), "problems": problems}


def _close(case_id: int, office: User, handler: User, at: Any) -> None:
    case_act(case_id=case_id, actor=office, action="accept", at=at + timedelta(hours=1))
    case_act(case_id=case_id, actor=office, action="dispatch", at=at + timedelta(hours=2))
    case_act(case_id=case_id, actor=handler, action="start", at=at + timedelta(days=1))
    case_act(
        case_id=case_id,
        actor=handler,
        action="resolve",
        note="已完成",
        at=at + timedelta(days=3),
    )
    case_act(case_id=case_id, actor=office, action="verify", at=at + timedelta(days=4))


def seed_projects(*, county: str, seed: int = 1, today: date | None = None) -> dict[str, int]:
    """The demo street office's key projects (the county's first town), its task force and a
    handler of the town construction office; meetings and contest scores of the past year."""
    from jiceng.core.models import Region, User

    today = today or timezone.localdate()
    town = Region.objects.filter(parent_id=county, level="town").order_by("code").first()
    office = (
        User.objects.filter(role_grants__role=Role.COUNTY_ADMIN, region_id=county)
        .order_by("id")
        .first()
    )
    if town is None or office is None:
        return {"projects": 0}
    department = Department.objects.filter(region=town, kind="construction").first()
    members = [
        user_create(
            username=f"tuji{i}-{county}",
            password=None,
            region_code=town.code,
            roles=[Role.TOWN_OFFICER],
            display_name=name,
        )
        for i, name in enumerate(["突击队员张", "突击队员王", "突击队员李"], start=1)
    ]
    handler = user_create(
        username=f"zhengqian-{county}",
        password=None,
        region_code=town.code,
        roles=[Role.DEPARTMENT_HANDLER],
        display_name="征迁专员",
    )
    if department is not None:
        department.members.add(handler)
    summary = projects_bulk(
        office,
        town.code,
        count=40,
        today=today,
        seed=seed,
        members=members,
        close_with=handler if department is not None else None,
    )
    rng = random.Random(seed)
    projects = list(Project.objects.filter(region=town))
    judges = [office, *members, handler]
    scores = []
    for quarter in range(1, 5):
        if date(today.year, 3 * quarter - 2, 1) > today:
            break
        for p in projects:
            base = rng.uniform(0.6, 0.95)
            for judge in judges:
                for code, _name, points in (
                    ("progress", "", 40), ("investment", "", 30), ("problems", "", 20),
                    ("roadshow", "", 10),
                ):  # fmt: skip
                    value = points * min(1.0, base + rng.uniform(-0.1, 0.1))
                    scores.append(
                        ContestScore(
                            project=p,
                            year=today.year,
                            quarter=quarter,
                            judge=judge,
                            criterion=code,
                            score=Decimal(str(round(value, 1))),
                        )
                    )
    insert_objects(ContestScore, scores)
    meetings = 0
    monday = today - timedelta(days=today.weekday())
    for week in range(12, 0, -1):
        held = monday - timedelta(weeks=week)
        meeting = Meeting.objects.create(
            region=town,
            held_on=held,
            minutes=f"{held:%m月%d日}项目调度会：通报项目进度，研究破解征迁、要素保障问题。",
            created_by=office,
        )
        meetings += 1
        for k in range(2):
            p = projects[(week * 2 + k) % len(projects)]
            Decision.objects.create(
                meeting=meeting,
                project=p,
                text=f"{p.name}：协调解决要素保障问题",
                assignee=members[(week + k) % len(members)],
                due_on=held + timedelta(days=7 + 7 * k),
                done_on=held + timedelta(days=6) if week > 2 else None,
            )
    return {**summary, "meetings": meetings, "contest_scores": len(scores)}
