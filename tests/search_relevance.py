"""The relevance set: queries as researchers type them, and the demo instruments each should find.

Shared by `tests/api/test_search_relevance.py` (which asserts the targets) and `bench/search.py`
(which prints the figures). An expected set names demo templates by their Chinese name, and
optionally a manufacturer. Metrics, per query:
- recall@20: expected instruments among the first 20 results ÷ min(expected, 20);
- precision@10: expected instruments among the first 10 results ÷ the results shown there
  (min(10, results)); a query that finds nothing scores 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.demo.plan import InstrumentPlan

__all__ = ["CASES", "DEMO", "Case", "InstrumentPlan", "Score", "score"]

TEM, CRYO, FIB, SEM = (
    "高分辨透射电子显微镜",
    "冷冻透射电子显微镜",
    "聚焦离子束双束电子显微镜",
    "场发射扫描电子显微镜",
)
LCMS, GCMS, ICPMS = "液相色谱-质谱联用仪", "气相色谱-质谱联用仪", "电感耦合等离子体质谱仪"
MALDI, IRMS = "基质辅助激光解吸电离飞行时间质谱仪", "稳定同位素比质谱仪"
XRD, XPS, FTIR, ICPOES, RAMAN = (
    "X射线衍射仪",
    "X射线光电子能谱仪",
    "傅里叶变换红外光谱仪",
    "电感耦合等离子体发射光谱仪",
    "激光共聚焦拉曼光谱仪",
)
UHPLC, NMR600, NMR400, EPR = (
    "超高效液相色谱仪",
    "600MHz核磁共振波谱仪",
    "400MHz核磁共振波谱仪",
    "电子顺磁共振波谱仪",
)
CLSM, AFM, SIM = "激光共聚焦显微镜", "原子力显微镜", "超高分辨显微镜"
STA, SEQ, ULTRA, FLOW = "同步热分析仪", "高通量基因测序仪", "超速离心机", "流式细胞仪"
NANO, UTM, ELLIP, VIBRO, PSA, ICT = (
    "纳米压痕仪",
    "电子万能材料试验机",
    "光谱椭偏仪",
    "三维激光扫描测振仪",
    "激光粒度分析仪",
    "工业CT检测系统",
)
CMM, PPMS, SCOPE, VNA, MT = (
    "三坐标测量机",
    "综合物性测量系统",
    "高速实时示波器",
    "矢量网络分析仪",
    "大地电磁测深仪",
)
MRI, IVIS, PETCT, CHEM = (
    "3.0T磁共振成像系统",
    "小动物活体成像系统",
    "正电子发射计算机断层显像仪",
    "全自动生化免疫分析系统",
)
EBL, SPUTTER, CLIMATE, HPC = (
    "电子束光刻系统",
    "磁控溅射镀膜系统",
    "高低温湿热试验箱",
    "高性能计算集群",
)
FIBRE, FS = "高功率光纤激光器", "飞秒激光放大器"
EMS = {TEM, CRYO, FIB, SEM}
MASS = {LCMS, GCMS, ICPMS, MALDI, IRMS}


@dataclass(frozen=True)
class Case:
    query: str
    #: Chinese names of the demo templates the query should find
    names: frozenset[str]
    manufacturer: str | None = None
    kind: str = "colloquial"

    def wants(self, row: InstrumentPlan) -> bool:
        if row.name_zh not in self.names:
            return False
        return self.manufacturer is None or row.manufacturer == self.manufacturer


def _c(query: str, names: set[str] | str, kind: str, manufacturer: str | None = None) -> Case:
    found = {names} if isinstance(names, str) else names
    return Case(query, frozenset(found), manufacturer, kind)


Z, A, E, T, K, M = "colloquial", "abbreviation", "english", "typo", "class", "mixed"

CASES: list[Case] = [
    _c("电镜", EMS, Z),
    _c("透射电镜", {TEM, CRYO}, Z),
    _c("扫描电镜", SEM, Z),
    _c("冷冻电镜", CRYO, Z),
    _c("双束电镜", FIB, Z),
    _c("核磁", {NMR600, NMR400}, Z),
    _c("液质", LCMS, Z),
    _c("液质联用", LCMS, Z),
    _c("气质", GCMS, Z),
    _c("网分", VNA, Z),
    _c("超算", HPC, Z),
    _c("三坐标", CMM, Z),
    _c("顺磁", EPR, Z),
    _c("质谱", MASS, Z),
    _c("色谱", {UHPLC, LCMS, GCMS}, Z),
    _c("红外光谱", FTIR, Z),
    _c("拉曼", RAMAN, Z),
    _c("测序仪", SEQ, Z),
    _c("流式", FLOW, Z),
    _c("显微镜", EMS | {CLSM, AFM, SIM}, Z),
    _c("共聚焦显微镜", CLSM, Z),
    _c("粒度仪", PSA, Z),
    _c("热分析", STA, Z),
    _c("离心机", ULTRA, Z),
    _c("工业CT", ICT, Z),
    _c("光刻", EBL, Z),
    _c("溅射", SPUTTER, Z),
    _c("活体成像", IVIS, Z),
    _c("万能试验机", UTM, Z),
    _c("TEM", {TEM, CRYO}, A),
    _c("SEM", SEM, A),
    _c("XRD", XRD, A),
    _c("XPS", XPS, A),
    _c("NMR", {NMR600, NMR400}, A),
    _c("EPR", EPR, A),
    _c("ESR", EPR, A),
    _c("LC-MS", LCMS, A),
    _c("LCMS", LCMS, A),
    _c("GC-MS", GCMS, A),
    _c("GCMS", GCMS, A),
    _c("ICP-MS", ICPMS, A),
    _c("ICP-OES", ICPOES, A),
    _c("FTIR", FTIR, A),
    _c("AFM", AFM, A),
    _c("NGS", SEQ, A),
    _c("HPC", HPC, A),
    _c("EBL", EBL, A),
    _c("VNA", VNA, A),
    _c("CMM", CMM, A),
    _c("PPMS", PPMS, A),
    _c("MALDI-TOF", MALDI, A),
    _c("MRI", MRI, A),
    _c("PET-CT", PETCT, A),
    _c("electron microscope", EMS, E),
    _c("mass spectrometer", MASS, E),
    _c("transmission electron microscope", {TEM, CRYO}, E),
    _c("confocal microscope", CLSM, E),
    _c("atomic force microscope", AFM, E),
    _c("flow cytometer", FLOW, E),
    _c("ultracentrifuge", ULTRA, E),
    _c("nanoindenter", NANO, E),
    _c("oscilloscope", SCOPE, E),
    _c("femtosecond laser", FS, E),
    _c("coordinate measuring machine", CMM, E),
    _c("DNA sequencer", SEQ, E),
    _c("climatic chamber", CLIMATE, E),
    _c("electorn microscope", EMS, T),
    _c("ultracentrifuje", ULTRA, T),
    _c("oscilloscpe", SCOPE, T),
    _c("elipsometer", ELLIP, T),
    _c("nanoindentr", NANO, T),
    _c("flow cytomter", FLOW, T),
    _c("difractometer", XRD, T),
    _c("magnetoteluric", MT, T),
    _c("vibrometre", VIBRO, T),
    _c("sequencr", SEQ, T),
    _c("电子光学仪器", EMS, K),
    _c("质谱仪器", MASS, K),
    _c("波谱仪器", {NMR600, NMR400, EPR}, K),
    _c("医学诊断仪器", {MRI, IVIS, PETCT, CHEM}, K),
    _c("激光器", {FIBRE, FS}, K),
    _c("高性能计算机", HPC, K),
    _c("Electron optics", EMS, K),
    _c("600MHz 核磁", NMR600, M),
    _c("Bruker 核磁", {NMR600, NMR400}, M, "Bruker"),
    _c("Zeiss 电镜", EMS, M, "Zeiss"),
    _c("场发射 SEM", SEM, M),
    _c("冷冻 TEM", CRYO, M),
]


def recall_at(ranked: list[bool], expected: int, k: int = 20) -> float:
    return sum(ranked[:k]) / min(expected, k) if expected else 1.0


def precision_at(ranked: list[bool], k: int = 10) -> float:
    shown = ranked[:k]
    return sum(shown) / len(shown) if shown else 0.0


@dataclass(frozen=True)
class Score:
    case: Case
    recall: float
    precision: float
    top: list[str]


def score(case: Case, ranked: list[InstrumentPlan]) -> Score:
    """`ranked`: the demo instruments a query returned, best first (others left out)."""
    hits = [case.wants(row) for row in ranked]
    expected = sum(case.wants(row) for row in DEMO)
    top = [f"{r.name_zh}/{r.manufacturer}" for r in ranked[:10]]
    return Score(case, recall_at(hits, expected), precision_at(hits), top)


def _demo() -> list[InstrumentPlan]:
    from service.demo.plan import build_demo

    return build_demo().instruments


DEMO = _demo()
