"""One definition of the registry's field names, header labels and Chinese values.

The platform stores its own codes (`normal`, `external`, `purchased`…); the registry writes
Chinese words. Every export maps through these tables and every import maps back through their
inverses, so a value can never be written in a form the other side does not read.
"""

from __future__ import annotations

#: The registry's instrument fields, in its order, with the Chinese header of each.
INSTRUMENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("insCode", "单位代码"),
    ("innerId", "单位内部编号"),
    ("cname", "仪器中文名称"),
    ("ename", "仪器英文名称"),
    ("instrBelongsType", "所属载体类型"),
    ("instrBelongsName", "所属载体名称"),
    ("instrCategory", "仪器分类"),
    ("instrSource", "仪器来源"),
    ("instrSupervise", "是否海关监管"),
    ("worth", "原值（万元）"),
    ("nation", "产地国别"),
    ("manufacturer", "生产制造商"),
    ("beginDate", "启用日期"),
    ("type", "仪器类型"),
    ("instrVersion", "规格型号"),
    ("technical", "主要技术指标"),
    ("function", "主要功能"),
    ("subject", "主要学科领域"),
    ("serviceContent", "服务内容"),
    ("achievement", "服务典型成果"),
    ("status", "运行状态"),
    ("requirement", "共享要求"),
    ("fee", "收费标准"),
    ("serviceUrl", "服务网址"),
    ("province", "所在省份"),
    ("city", "所在城市"),
    ("county", "所在区县"),
    ("street", "所在街道"),
    ("contact", "联系人"),
    ("phone", "联系电话"),
    ("email", "电子邮箱"),
    ("address", "安放地址"),
    ("postalcode", "邮政编码"),
    ("shareMode", "共享模式"),
    ("image", "仪器图片"),
    ("auditStatus", "审核状态"),
)

#: Columns after the registry's own, written on request and read by the import: the registry
#: file names an institution only by code; a platform starting empty needs its names.
INSTITUTION_FIELDS: tuple[tuple[str, str], ...] = (
    ("insName", "单位名称"),
    ("insNameEn", "单位英文名称"),
    ("insKind", "单位类型"),
)

SERVICE_RECORD_FIELDS: tuple[tuple[str, str], ...] = (
    ("insCode", "单位代码"),
    ("innerId", "单位内部编号"),
    ("amounts", "服务金额（元）"),
    ("serviceTime", "服务时间"),
    ("serviceContent", "服务内容"),
    ("serviceWay", "服务方式"),
    ("serviceAmount", "服务量（机时）"),
    ("subjectName", "课题名称"),
    ("subjectIncome", "课题经费来源"),
    ("subjectArea", "课题所属学科"),
    ("subjectContent", "课题研究内容"),
    ("applicant", "申请人"),
    ("applicatPhone", "申请人电话"),
    ("applicatEmail", "申请人邮箱"),
    ("applicatUnit", "申请人单位"),
    ("comment", "满意度评价"),
)

STATUS = {
    "normal": "正常",
    "standby": "待机",
    "remote": "远程服务中",
    "occasional_fault": "偶有故障",
    "frequent_fault": "故障频繁",
    "awaiting_repair": "待修",
    "awaiting_scrap": "待报废",
}
SHARE_MODE = {"internal": "内部共享", "external": "外部共享", "none": "不共享"}
TYPE = {"general": "通用", "special": "专用"}
SOURCE = {"purchased": "购置", "developed": "研制", "donated": "赠送", "other": "其他"}
YES_NO = {True: "是", False: "否"}
SERVICE_WAY = {
    "occupy": "占用共享",
    "technical": "技术共享",
    "entrusted": "委托共享",
    "remote": "远程共享",
}
#: The registry's satisfaction values, exactly these five, by the platform's 1-5 score.
COMMENT = {5: "非常满意", 4: "基本满意", 3: "一般", 2: "不满意", 1: "极差"}
INSTITUTION_KIND = {
    "university": "高等院校",
    "research_institute": "科研院所",
    "hospital": "医疗机构",
    "enterprise": "企业",
    "other": "其他",
}

#: Multi-valued cells (disciplines) are joined with this.
LIST_SEPARATOR = ";"


def inverse(table: dict[str, str]) -> dict[str, str]:
    """Chinese value -> platform code; the platform code itself is accepted too."""
    return {**{v: k for k, v in table.items()}, **{k: k for k in table}}


def headers(fields: tuple[tuple[str, str], ...], chinese: bool) -> list[str]:
    return [zh if chinese else name for name, zh in fields]


def registry_category(code: str) -> str:
    """Always six digits: a 中类 maps to its 小类 其他 (`..99`), a 大类 to `..9999`."""
    return code + "9" * (6 - len(code))
