"""Reference data every installation needs: the regions and the 15 national instrument classes.

Idempotent (`ON CONFLICT DO NOTHING`), so migrations, tests and the demo seed can all call it.
"""

from __future__ import annotations

from service.db import Database

#: (code, zh, en, IANA zone, parent, latitude, longitude)
REGIONS: list[tuple[str, str, str, str, str | None, float, float]] = [
    ("220000", "吉林省", "Jilin Province", "Asia/Shanghai", None, 43.90, 125.32),
    ("220100", "长春市", "Changchun", "Asia/Shanghai", "220000", 43.82, 125.32),
    ("220200", "吉林市", "Jilin City", "Asia/Shanghai", "220000", 43.84, 126.55),
    ("220300", "四平市", "Siping", "Asia/Shanghai", "220000", 43.17, 124.35),
    ("220400", "辽源市", "Liaoyuan", "Asia/Shanghai", "220000", 42.89, 125.14),
    ("220500", "通化市", "Tonghua", "Asia/Shanghai", "220000", 41.73, 125.94),
    ("220600", "白山市", "Baishan", "Asia/Shanghai", "220000", 41.94, 126.42),
    ("220700", "松原市", "Songyuan", "Asia/Shanghai", "220000", 45.14, 124.83),
    ("220800", "白城市", "Baicheng", "Asia/Shanghai", "220000", 45.62, 122.84),
    (
        "222400",
        "延边朝鲜族自治州",
        "Yanbian Korean Autonomous Prefecture",
        "Asia/Shanghai",
        "220000",
        42.90,
        129.51,
    ),
    (
        "RU-VVO",
        "符拉迪沃斯托克跨境合作园区",
        "Vladivostok Cross-border Park",
        "Asia/Vladivostok",
        None,
        43.12,
        131.89,
    ),
    (
        "BY-MSQ",
        "明斯克中白工业园伙伴城市",
        "Minsk Partner City",
        "Europe/Minsk",
        None,
        53.90,
        27.56,
    ),
]

_ANALYTIC_SUB = [
    ("电子光学仪器", "Electron optics"),
    ("质谱仪器", "Mass spectrometry"),
    ("X射线仪器", "X-ray instruments"),
    ("光谱仪器", "Spectroscopy"),
    ("色谱仪器", "Chromatography"),
    ("波谱仪器", "Magnetic resonance (NMR/EPR)"),
    ("电化学仪器", "Electrochemistry"),
    ("显微镜及图象分析仪器", "Microscopy and image analysis"),
    ("热分析仪器", "Thermal analysis"),
    ("生化分离分析仪器", "Biochemical separation and analysis"),
    ("环境与农业分析仪器", "Environmental and agricultural analysis"),
    ("样品前处理及制备仪器", "Sample preparation"),
]

#: (zh, en, [(sub zh, sub en)])
CATEGORIES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("分析仪器", "Analytical instruments", _ANALYTIC_SUB),
    (
        "物理性能测试仪器",
        "Physical property testing",
        [
            ("力学性能测试仪器", "Mechanical testing"),
            ("大地测量仪器", "Geodetic instruments"),
            ("光电测量仪器", "Photoelectric measurement"),
            ("声学振动仪器", "Acoustics and vibration"),
            ("颗粒度测量仪器", "Particle sizing"),
            ("探伤仪器", "Flaw detection"),
        ],
    ),
    (
        "计量仪器",
        "Metrology instruments",
        [
            ("长度计量仪器", "Length metrology"),
            ("热学计量仪器", "Thermal metrology"),
            ("力学计量仪器", "Mechanical metrology"),
            ("电磁学计量仪器", "Electromagnetic metrology"),
            ("时间频率计量仪器", "Time and frequency metrology"),
        ],
    ),
    (
        "电子测量仪器",
        "Electronic measurement",
        [
            ("通用电子测量仪器", "General electronic measurement"),
            ("射频和微波测试仪器", "RF and microwave test"),
            ("通讯测量仪器", "Communications test"),
            ("网络分析仪器", "Network analysers"),
        ],
    ),
    (
        "海洋仪器",
        "Marine instruments",
        [
            ("海洋水文测量仪器", "Oceanographic hydrology"),
            ("海洋生物调查仪器", "Marine biology survey"),
        ],
    ),
    (
        "地球探测仪器",
        "Earth exploration",
        [
            ("电法仪器", "Electrical prospecting"),
            ("地震仪器", "Seismic instruments"),
            ("钻探设备", "Drilling equipment"),
        ],
    ),
    (
        "大气探测仪器",
        "Atmospheric sounding",
        [
            ("气象仪器", "Meteorological instruments"),
            ("大气成分探测仪器", "Atmospheric composition"),
        ],
    ),
    (
        "天文仪器",
        "Astronomical instruments",
        [
            ("天文望远镜", "Telescopes"),
            ("天文终端设备", "Astronomical detectors"),
        ],
    ),
    (
        "医学诊断仪器",
        "Medical diagnostic instruments",
        [
            ("影像诊断仪器", "Diagnostic imaging"),
            ("临床检验分析仪器", "Clinical laboratory analysis"),
            ("电生理仪器", "Electrophysiology"),
        ],
    ),
    (
        "核仪器",
        "Nuclear instruments",
        [
            ("核辐射探测仪器", "Radiation detection"),
            ("加速器", "Accelerators"),
        ],
    ),
    (
        "特种检测仪器",
        "Special inspection instruments",
        [
            ("无损检测仪器", "Non-destructive testing"),
            ("安全检测仪器", "Safety inspection"),
        ],
    ),
    (
        "工艺实验设备",
        "Process and experimental equipment",
        [
            ("加工设备", "Machining equipment"),
            ("半导体工艺设备", "Semiconductor process equipment"),
            ("生物培养设备", "Biological culture equipment"),
            ("环境模拟设备", "Environmental simulation"),
        ],
    ),
    (
        "计算机及其配套设备",
        "Computers and peripherals",
        [
            ("高性能计算机", "High-performance computers"),
            ("存储设备", "Storage systems"),
        ],
    ),
    (
        "激光器",
        "Lasers",
        [
            ("固体激光器", "Solid-state lasers"),
            ("气体激光器", "Gas lasers"),
            ("超快激光器", "Ultrafast lasers"),
        ],
    ),
    ("其他仪器", "Other instruments", [("其他", "Other")]),
]


def category_rows() -> list[tuple[str, str | None, str, str, int]]:
    """(code, parent, zh, en, order): classes are `01`..`15`, sub-classes `0101`, `0102`, …"""
    rows: list[tuple[str, str | None, str, str, int]] = []
    for i, (zh, en, subs) in enumerate(CATEGORIES, start=1):
        code = f"{i:02d}"
        rows.append((code, None, zh, en, i))
        for j, (szh, sen) in enumerate(subs, start=1):
            rows.append((f"{code}{j:02d}", code, szh, sen, j))
    return rows


async def seed_reference(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.executemany(
            """INSERT INTO region (code, name_zh, name_en, timezone, parent_code, latitude, longitude)
               VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING""",
            REGIONS,
        )
        await conn.executemany(
            """INSERT INTO category (code, parent_code, name_zh, name_en, sort_order)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING""",
            category_rows(),
        )
