"""The submission data contract: one jurisdiction's status snapshot for one period.

These pydantic models are the single source of truth. ``schemas/submission.schema.json`` is
generated from them (``ducha schema --write schemas``) and a test fails when the committed
file drifts. Every field carries a Chinese and an English description and a Chinese column
label (``x-label-zh``), so the schema doubles as the data dictionary that submitting offices
read, and the tabular loaders accept either the label or the field name as a column header.

Large tables (patrols) do not have to pass through these models row by row: the tabular
loaders read them column-wise with pandas and check each column against the field's type.
"""
from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"


def fld(zh_label: str, zh: str, en: str, *, default: Any = ..., **kw: Any) -> Any:
    """A field with a bilingual description and its Chinese column label."""
    extra: dict[str, Any] = {"x-label-zh": zh_label}
    extra.update(kw.pop("json_schema_extra", {}))
    return Field(default, description=f"{zh} / {en}", json_schema_extra=extra, **kw)


class Level(str, Enum):
    """行政层级 / administrative level (a district is county-level, a street township-level)."""

    province = "province"
    city = "city"
    county = "county"
    township = "township"
    village = "village"


LEVEL_ORDER = {lv.value: i for i, lv in enumerate(Level)}  # province=0 … village=4


class Row(BaseModel):
    # Built on first use: checks read the committed JSON schema (checker.schema) and validate
    # only the Header through these models, so building every validator at import (~0.03 s
    # of a cold ``ducha check``) would be wasted.
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True, defer_build=True)


def _id(zh: str = "编号", what_zh: str = "记录的唯一编号", what_en: str = "unique identifier of the record") -> Any:
    return fld(zh, what_zh, what_en, pattern=ID_PATTERN)


def _ref(label: str, zh: str, en: str, target: str, *, optional: bool = False) -> Any:
    return fld(label, zh, en, default=None if optional else ..., pattern=ID_PATTERN,
               json_schema_extra={"x-ref": target})


def _date(label: str, zh: str, en: str, *, optional: bool = False) -> Any:
    return fld(label, zh, en, default=None if optional else ...)


class Jurisdiction(Row):
    code: str = fld("行政区划代码", "行政区划代码", "administrative division code", pattern=r"^[0-9A-Za-z]{2,20}$")
    name: str = fld("名称", "行政区名称", "name of the jurisdiction", min_length=1)
    level: Level = fld("层级", "行政层级", "administrative level")
    parent: str | None = fld("上级代码", "上级行政区划代码（报送单位本级可为空）",
                             "code of the parent jurisdiction (may be empty for the top one)", default=None,
                             json_schema_extra={"x-ref": "jurisdictions"})


class WaterKind(str, Enum):
    river = "river"
    lake = "lake"
    reservoir = "reservoir"


class WaterBody(Row):
    id: str = _id()
    name: str = fld("名称", "江河湖库名称", "name of the river, lake or reservoir", min_length=1)
    kind: WaterKind = fld("类型", "类型：河流、湖泊、水库", "kind: river, lake or reservoir")
    main_river: bool = fld("主要江河", "是否为方案列明的主要江河", "one of the plan's named main rivers", default=False)
    size: Literal["large", "medium", "small"] | None = fld(
        "规模", "水库规模（大型、中型、小型）", "reservoir size (large, medium, small)", default=None)
    flood_control_jurisdiction: str | None = fld(
        "防汛抗旱指挥长所在地", "水库防汛抗旱指挥长所在县级行政区代码",
        "county code where the reservoir's flood-control commander sits", default=None,
        json_schema_extra={"x-ref": "jurisdictions"})


class Reach(Row):
    id: str = _id()
    water_body: str = _ref("所属水体", "所属江河湖库编号", "water body this reach belongs to", "water_bodies")
    jurisdiction: str = _ref("所在行政区", "河段所在行政区代码（最低一级）",
                             "jurisdiction the reach lies in (its lowest level)", "jurisdictions")
    length_km: float = fld("长度(公里)", "河段长度（公里）", "reach length in km", ge=0)


class ChiefPost(str, Enum):
    party_principal = "party_principal"
    government_principal = "government_principal"
    leader = "leader"
    village_party_secretary = "village_party_secretary"
    village_committee_director = "village_committee_director"
    village_cadre = "village_cadre"
    other = "other"


class Chief(Row):
    id: str = _id()
    name: str = fld("姓名", "河长姓名", "river chief's name", min_length=1)
    level: Level = fld("河长层级", "河长层级", "level of the river chief")
    post: ChiefPost = fld("职务", "担任河长者的职务（党委主要领导、政府主要领导、其他领导、村党组织书记、村委会主任、其他村干部、其他）",
                          "post held (party principal, government principal, other leader, village party secretary, "
                          "village committee director, other village cadre, other)")
    jurisdiction: str = _ref("所在行政区", "河长所属行政区代码", "jurisdiction whose river chief this is", "jurisdictions")
    water_body: str = _ref("负责水体", "负责的江河湖库编号", "water body the chief is responsible for", "water_bodies")
    reach: str | None = _ref("负责河段", "负责的河段编号（可空）", "reach the chief is responsible for (optional)",
                             "reaches", optional=True)
    appointed: dt.date = _date("任命日期", "任命日期", "appointment date")
    left: dt.date | None = _date("离任日期", "离任日期（在任为空）", "date the chief left the post (empty while in post)",
                              optional=True)


class GeneralChief(Row):
    id: str = _id()
    name: str = fld("姓名", "总河长姓名", "general river chief's name", min_length=1)
    jurisdiction: str = _ref("所在行政区", "行政区代码", "jurisdiction", "jurisdictions")
    post: Literal["party_principal", "government_principal", "other"] = fld(
        "职务", "党委主要领导或政府主要领导", "party principal or government principal leader")
    appointed: dt.date = _date("任命日期", "任命日期", "appointment date")


class Office(Row):
    id: str = _id()
    jurisdiction: str = _ref("所在行政区", "行政区代码", "jurisdiction", "jurisdictions")
    host_unit: str = fld("设在单位", "河长制办公室设在的单位", "unit hosting the river-chief office", min_length=1)
    director: str = fld("主任", "办公室主任姓名", "office director's name", min_length=1)
    director_post: Literal["government_leader_in_charge", "other"] = fld(
        "主任职务", "主任职务：政府分管领导或其他", "director's post: government leader in charge, or other")
    established: dt.date = _date("成立日期", "成立日期", "date established")


class OfficeDeputy(Row):
    id: str = _id()
    office: str = _ref("所属办公室", "所属河长制办公室编号", "office", "offices")
    name: str = fld("姓名", "副主任姓名", "deputy director's name", min_length=1)
    unit: str = fld("单位", "副主任所在单位", "deputy director's unit", min_length=1)
    principal: bool = fld("是否主要负责人", "是否为该单位主要负责人", "is the principal head of that unit", default=False)


class MemberUnit(Row):
    id: str = _id()
    jurisdiction: str = _ref("所在行政区", "河长会议所在行政区代码", "jurisdiction of the river-chief meeting",
                             "jurisdictions")
    unit: str = fld("成员单位", "成员单位名称", "member unit name", min_length=1)


class Designee(Row):
    id: str = _id()
    member_unit: str = _ref("成员单位编号", "所属成员单位编号", "member unit", "member_units")
    role: Literal["member", "liaison"] = fld("角色", "成员或联络员", "member or liaison")
    name: str = fld("姓名", "姓名", "name", min_length=1)
    rank: Literal["leader", "division", "section", "other"] = fld(
        "级别", "级别：领导、处级、科级、其他", "rank: leader, division-level, section-level, other")


class DocumentKind(str, Enum):
    work_plan = "work_plan"
    supporting_systems = "supporting_systems"
    assessment_measures = "assessment_measures"
    meeting_system = "meeting_system"
    info_reporting_system = "info_reporting_system"
    info_sharing_system = "info_sharing_system"
    supervision_system = "supervision_system"
    acceptance_system = "acceptance_system"
    incentive_mechanism = "incentive_mechanism"
    register = "register"
    distribution_map = "distribution_map"
    one_policy = "one_policy"
    chief_list_publication = "chief_list_publication"
    social_supervision = "social_supervision"
    third_party_evaluation = "third_party_evaluation"
    platform_monitoring = "platform_monitoring"
    platform_release = "platform_release"
    platform_sharing = "platform_sharing"
    annual_report = "annual_report"
    leadership_assessment = "leadership_assessment"
    baseline_survey = "baseline_survey"
    info_system = "info_system"
    index_system = "index_system"
    assessment_report = "assessment_report"
    annual_work_plan = "annual_work_plan"
    indicator_species_list = "indicator_species_list"
    other = "other"


class Document(Row):
    id: str = _id()
    kind: DocumentKind = fld("类型", "文件类型（见数据字典）", "document kind (see the data dictionary)")
    title: str = fld("标题", "文件标题", "title", min_length=1)
    issuer: str = _ref("印发单位", "印发文件的行政区代码", "jurisdiction that issued the document", "jurisdictions")
    issued: dt.date = _date("印发日期", "印发日期", "issue date")
    reported_to: str | None = fld("报送对象", "报送对象（如上一级党委政府、上一级河长制办公室）",
                                  "body the document was reported to", default=None)
    reported: dt.date | None = _date("报送日期", "报送日期", "date reported", optional=True)
    water_body: str | None = _ref("对应水体", "对应的江河湖库编号（一河一策等）",
                                  "water body the document is about (one-policy plans)", "water_bodies", optional=True)
    year: int | None = fld("年度", "文件所属年度（年度报告、年度计划、评估报告）",
                           "year the document covers (annual reports, plans, assessments)", default=None,
                           ge=1949, le=2100)
    covers: list[str] = fld("涵盖内容", "涵盖的维度或内容（用、分隔）", "dimensions or topics covered",
                            default_factory=list)
    deliverable: str | None = fld("成果", "成果名称", "deliverable", default=None)


class Meeting(Row):
    id: str = _id()
    kind: Literal["river_chief_meeting", "joint_meeting"] = fld(
        "类型", "河长会议或河长联席会议", "river-chief meeting or joint meeting")
    jurisdiction: str = _ref("所在行政区", "建立会议制度的行政区代码", "jurisdiction that holds the meeting",
                             "jurisdictions")
    water_body: str | None = _ref("对应水体", "联席会议对应的江河湖库编号", "water body of a joint meeting",
                                  "water_bodies", optional=True)
    convener: str | None = _ref("召集人", "召集人（河长编号）", "convener (a river chief id)", "chiefs", optional=True)
    established: dt.date = _date("建立日期", "建立日期", "date established")


class Acceptance(Row):
    id: str = _id()
    inspector: str = _ref("验收单位", "组织验收的行政区代码", "jurisdiction that carried out the acceptance",
                          "jurisdictions")
    subject: str = _ref("被验收单位", "被验收的行政区代码", "jurisdiction that was accepted", "jurisdictions")
    date: dt.date = _date("验收日期", "验收日期", "acceptance date")
    result: Literal["passed", "failed"] = fld("结果", "验收结果：通过或不通过", "result: passed or failed")


class Rectification(Row):
    id: str = _id()
    acceptance: str = _ref("验收编号", "对应的验收记录编号", "acceptance record", "acceptances")
    date: dt.date = _date("挂牌督导整改日期", "挂牌督导整改日期", "date of the supervised rectification")


class Budget(Row):
    id: str = _id()
    jurisdiction: str = _ref("所在行政区", "行政区代码", "jurisdiction", "jurisdictions")
    year: int = fld("预算年度", "预算年度", "budget year", ge=1949, le=2100)
    amount: float = fld("金额(万元)", "河长制工作经费（万元）", "river-chief work funds (10k yuan)", ge=0)
    recorded: dt.date = _date("列入预算日期", "列入同级财政预算的日期", "date the funds entered the same-level budget")


class NoticeBoard(Row):
    id: str = _id()
    reach: str = _ref("河段", "公示牌所在河段编号", "reach the board stands at", "reaches")
    installed: dt.date = _date("设立日期", "设立日期", "date installed")


class Patrol(Row):
    id: str = _id()
    chief: str = _ref("河长", "巡河河长编号", "river chief who patrolled", "chiefs")
    reach: str | None = _ref("河段", "巡查河段编号", "reach patrolled", "reaches", optional=True)
    date: dt.date = _date("巡河日期", "巡河日期", "patrol date")
    duration_min: float | None = fld("时长(分钟)", "巡河时长（分钟）", "patrol duration in minutes", default=None, ge=0)


class IndicatorName(str, Enum):
    black_odorous_eliminated_share = "black_odorous_eliminated_share"
    water_area_km2 = "water_area_km2"
    surface_water_good_share = "surface_water_good_share"
    habitat_harmony_index = "habitat_harmony_index"
    habitat_adaptation_green = "habitat_adaptation_green"
    habitat_adaptation_bank = "habitat_adaptation_bank"
    habitat_adaptation_public = "habitat_adaptation_public"
    blue_green_ratio = "blue_green_ratio"
    native_species_count = "native_species_count"


class Indicator(Row):
    id: str = _id()
    name: IndicatorName = fld("指标", "指标名称（见数据字典）", "indicator name (see the data dictionary)")
    jurisdiction: str = _ref("所在行政区", "行政区代码", "jurisdiction", "jurisdictions")
    year: int = fld("年度", "指标年度", "year of the value", ge=1949, le=2100)
    value: float = fld("数值", "指标值", "value")
    unit: str = fld("单位", "计量单位（比例写 ratio，面积写 km2，个数写 count，指数写 index）",
                    "unit (ratio, km2, count, index)", min_length=1)
    baseline: float | None = fld("基准值", "基准值（基准年数值）", "baseline value", default=None)


class TaskStatus(str, Enum):
    not_started = "not_started"
    in_progress = "in_progress"
    completed = "completed"


class Task(Row):
    id: str = _id()
    task_ref: str = fld("任务编号", "方案任务编号（如 CN-T05、GG-T-1-1）", "task reference in the plan (e.g. CN-T05)",
                        pattern=ID_PATTERN)
    status: TaskStatus = fld("状态", "状态：未启动、推进中、已完成", "status: not started, in progress, completed")
    lead_units: list[str] = fld("牵头单位", "牵头单位（用、分隔）", "lead unit(s)", min_length=1)
    completed: dt.date | None = _date("完成日期", "完成日期", "completion date", optional=True)
    deliverable: str | None = fld("成果", "成果名称", "deliverable", default=None)


class Progress(Row):
    id: str = _id()
    task: str = _ref("任务台账编号", "所属任务台账编号", "task ledger entry", "tasks")
    date: dt.date = _date("报送日期", "进展报送日期", "date of the progress entry")
    unit: str = fld("报送单位", "报送进展的单位", "unit that filed the entry", min_length=1)
    note: str | None = fld("进展情况", "进展情况", "progress note", default=None)


class Activity(Row):
    id: str = _id()
    date: dt.date = _date("活动日期", "活动日期", "date of the activity")
    occasion: str | None = fld("主题节日", "结合的主题日（如 国际生物多样性日）", "occasion (e.g. International Biodiversity Day)",
                               default=None)
    organiser: str = fld("组织单位", "组织单位", "organiser", min_length=1)
    title: str = fld("活动名称", "活动名称", "title", min_length=1)


class Header(Row):
    schema_version: Literal["1.0"] = fld("数据规范版本", "数据规范版本", "version of this data contract")
    submission_id: str = fld("报送编号", "报送编号", "submission identifier", pattern=ID_PATTERN)
    pack: Literal["guigang-river-chief", "changning-biodiversity"] = fld(
        "规则包", "适用的规则包（方案）", "rule pack (source document) the submission reports against")
    jurisdiction: str = _ref("报送单位代码", "报送单位的行政区代码（须在行政区表中）",
                             "code of the submitting jurisdiction (must be in the jurisdiction table)",
                             "jurisdictions")
    period: str = fld("报送季度", "报送季度，如 2018Q2", "reporting quarter, e.g. 2018Q2", pattern=r"^\d{4}Q[1-4]$")
    as_of: dt.date = _date("数据截止日期", "数据截止日期：本报送描述的状态日期", "date the snapshot describes")


# Table name → (row model, Chinese sheet/file name). Order is the data dictionary's order.
TABLES: dict[str, tuple[type[Row], str]] = {
    "jurisdictions": (Jurisdiction, "行政区"),
    "water_bodies": (WaterBody, "江河湖库"),
    "reaches": (Reach, "河段"),
    "chiefs": (Chief, "河长"),
    "general_chiefs": (GeneralChief, "总河长"),
    "offices": (Office, "河长制办公室"),
    "office_deputies": (OfficeDeputy, "办公室副主任"),
    "member_units": (MemberUnit, "成员单位"),
    "designees": (Designee, "成员与联络员"),
    "documents": (Document, "文件"),
    "meetings": (Meeting, "会议"),
    "acceptances": (Acceptance, "验收"),
    "rectifications": (Rectification, "整改"),
    "budgets": (Budget, "经费预算"),
    "notice_boards": (NoticeBoard, "公示牌"),
    "patrols": (Patrol, "巡河记录"),
    "indicators": (Indicator, "指标"),
    "tasks": (Task, "任务台账"),
    "progress": (Progress, "任务进展"),
    "activities": (Activity, "宣传活动"),
}
HEADER_SHEET = "报送信息"


def _table_field(name: str) -> Any:
    model, zh = TABLES[name]
    return Field(default_factory=list, description=f"{zh} / {name.replace('_', ' ')}",
                 json_schema_extra={"x-label-zh": zh})


class Submission(Header):
    """One jurisdiction's status snapshot for one reporting period (一次报送)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True,
                              title="ducha submission / 督查报送数据",
                              json_schema_extra={"x-schema-version": SCHEMA_VERSION}, defer_build=True)

    jurisdictions: list[Jurisdiction] = _table_field("jurisdictions")
    water_bodies: list[WaterBody] = _table_field("water_bodies")
    reaches: list[Reach] = _table_field("reaches")
    chiefs: list[Chief] = _table_field("chiefs")
    general_chiefs: list[GeneralChief] = _table_field("general_chiefs")
    offices: list[Office] = _table_field("offices")
    office_deputies: list[OfficeDeputy] = _table_field("office_deputies")
    member_units: list[MemberUnit] = _table_field("member_units")
    designees: list[Designee] = _table_field("designees")
    documents: list[Document] = _table_field("documents")
    meetings: list[Meeting] = _table_field("meetings")
    acceptances: list[Acceptance] = _table_field("acceptances")
    rectifications: list[Rectification] = _table_field("rectifications")
    budgets: list[Budget] = _table_field("budgets")
    notice_boards: list[NoticeBoard] = _table_field("notice_boards")
    patrols: list[Patrol] = _table_field("patrols")
    indicators: list[Indicator] = _table_field("indicators")
    tasks: list[Task] = _table_field("tasks")
    progress: list[Progress] = _table_field("progress")
    activities: list[Activity] = _table_field("activities")


def table_key(name: str) -> str:
    """The field that identifies a row of ``name`` (``code`` for jurisdictions)."""
    return "code" if name == "jurisdictions" else "id"
