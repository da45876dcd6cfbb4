"""Hand-written reference lists behind `make_reference_data.py` (see the README, "Reference
data", for where each list comes from and which choices were ours)."""

from __future__ import annotations

#: The province and its nine prefecture-level regions: code, zh, en, zone, parent, lat, lon
#: (the seat of the region's government, for distances).
PROVINCE_REGIONS = [
    ["220000", "吉林省", "Jilin Province", "Asia/Shanghai", None, 43.90, 125.32],
    ["220100", "长春市", "Changchun", "Asia/Shanghai", "220000", 43.82, 125.32],
    ["220200", "吉林市", "Jilin City", "Asia/Shanghai", "220000", 43.84, 126.55],
    ["220300", "四平市", "Siping", "Asia/Shanghai", "220000", 43.17, 124.35],
    ["220400", "辽源市", "Liaoyuan", "Asia/Shanghai", "220000", 42.89, 125.14],
    ["220500", "通化市", "Tonghua", "Asia/Shanghai", "220000", 41.73, 125.94],
    ["220600", "白山市", "Baishan", "Asia/Shanghai", "220000", 41.94, 126.42],
    ["220700", "松原市", "Songyuan", "Asia/Shanghai", "220000", 45.14, 124.83],
    ["220800", "白城市", "Baicheng", "Asia/Shanghai", "220000", 45.62, 122.84],
    [
        "222400",
        "延边朝鲜族自治州",
        "Yanbian Korean Autonomous Prefecture",
        "Asia/Shanghai",
        "220000",
        42.90,
        129.51,
    ],
]

#: The classes and sub-classes of version 0.1.0 (their codes stay valid).
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


def _classes_v1() -> list[list[object]]:
    """(code, parent, zh, en, order): classes `01`..`15`, sub-classes `0101`, `0102`, …"""
    rows: list[list[object]] = []
    for i, (zh, en, subs) in enumerate(CATEGORIES, start=1):
        code = f"{i:02d}"
        rows.append([code, None, zh, en, i])
        for j, (szh, sen) in enumerate(subs, start=1):
            rows.append([f"{code}{j:02d}", code, szh, sen, j])
    return rows


CLASSES_V1 = _classes_v1()

_CLASSES = {
    "01": ("分析仪器", "analytical instruments"),
    "02": ("物理性能测试仪器", "physical property testing instruments"),
    "03": ("计量仪器", "metrology instruments"),
    "04": ("电子测量仪器", "electronic measurement instruments"),
    "05": ("海洋仪器", "marine instruments"),
    "06": ("地球探测仪器", "earth exploration instruments"),
    "07": ("大气探测仪器", "atmospheric sounding instruments"),
    "08": ("天文仪器", "astronomical instruments"),
    "09": ("医学诊断仪器", "medical diagnostic instruments"),
    "10": ("核仪器", "nuclear instruments"),
    "11": ("特种检测仪器", "special inspection instruments"),
    "12": ("工艺实验设备", "process and experimental equipment"),
    "13": ("计算机及其配套设备", "computers and peripherals"),
    "14": ("激光器", "lasers"),
    "15": ("其他仪器", "other instruments"),
}

#: 小类 under the existing 中类 (codes 0101..1501). Each 中类 also gets `..99` 其他.
_SMALL: dict[str, list[tuple[str, str]]] = {
    "0101": [
        ("透射电子显微镜", "Transmission electron microscopes"),
        ("扫描电子显微镜", "Scanning electron microscopes"),
        ("电子探针", "Electron probe microanalysers"),
        ("聚焦离子束系统", "Focused ion beam systems"),
    ],
    "0102": [
        ("气相色谱-质谱联用仪", "GC-MS"),
        ("液相色谱-质谱联用仪", "LC-MS"),
        ("电感耦合等离子体质谱仪", "ICP-MS"),
        ("同位素质谱仪", "Isotope ratio mass spectrometers"),
        ("飞行时间质谱仪", "Time-of-flight mass spectrometers"),
        ("二次离子质谱仪", "Secondary ion mass spectrometers"),
    ],
    "0103": [
        ("X射线衍射仪", "X-ray diffractometers"),
        ("单晶X射线衍射仪", "Single-crystal X-ray diffractometers"),
        ("X射线荧光光谱仪", "X-ray fluorescence spectrometers"),
        ("X射线光电子能谱仪", "X-ray photoelectron spectrometers"),
    ],
    "0104": [
        ("紫外可见分光光度计", "UV-Vis spectrophotometers"),
        ("红外光谱仪", "Infrared spectrometers"),
        ("拉曼光谱仪", "Raman spectrometers"),
        ("荧光光谱仪", "Fluorescence spectrometers"),
        ("原子吸收光谱仪", "Atomic absorption spectrometers"),
        ("原子发射光谱仪", "Atomic emission spectrometers"),
        ("圆二色光谱仪", "Circular dichroism spectrometers"),
    ],
    "0105": [
        ("气相色谱仪", "Gas chromatographs"),
        ("液相色谱仪", "Liquid chromatographs"),
        ("离子色谱仪", "Ion chromatographs"),
        ("超临界流体色谱仪", "Supercritical fluid chromatographs"),
        ("凝胶渗透色谱仪", "Gel permeation chromatographs"),
    ],
    "0106": [("核磁共振波谱仪", "NMR spectrometers"), ("电子顺磁共振波谱仪", "EPR spectrometers")],
    "0107": [
        ("电化学工作站", "Electrochemical workstations"),
        ("电位滴定仪", "Potentiometric titrators"),
        ("极谱仪", "Polarographs"),
    ],
    "0108": [
        ("光学显微镜", "Optical microscopes"),
        ("激光共聚焦显微镜", "Confocal laser scanning microscopes"),
        ("扫描探针显微镜", "Scanning probe microscopes"),
        ("超分辨显微镜", "Super-resolution microscopes"),
        ("图像分析系统", "Image analysis systems"),
    ],
    "0109": [
        ("差示扫描量热仪", "Differential scanning calorimeters"),
        ("热重分析仪", "Thermogravimetric analysers"),
        ("同步热分析仪", "Simultaneous thermal analysers"),
        ("热机械分析仪", "Thermomechanical analysers"),
        ("等温滴定量热仪", "Isothermal titration calorimeters"),
    ],
    "0110": [
        ("流式细胞仪", "Flow cytometers"),
        ("超速离心机", "Ultracentrifuges"),
        ("基因测序仪", "DNA sequencers"),
        ("实时荧光定量PCR仪", "Real-time PCR systems"),
        ("蛋白质纯化系统", "Protein purification systems"),
        ("多功能酶标仪", "Multi-mode microplate readers"),
        ("电泳仪", "Electrophoresis systems"),
    ],
    "0111": [
        ("总有机碳分析仪", "Total organic carbon analysers"),
        ("元素分析仪", "Elemental analysers"),
        ("气体分析仪", "Gas analysers"),
        ("水质分析仪", "Water quality analysers"),
        ("土壤分析仪", "Soil analysers"),
    ],
    "0112": [
        ("超薄切片机", "Ultramicrotomes"),
        ("离子减薄仪", "Ion milling systems"),
        ("冷冻干燥机", "Freeze dryers"),
        ("微波消解仪", "Microwave digestion systems"),
        ("临界点干燥仪", "Critical point dryers"),
    ],
    "0201": [
        ("万能材料试验机", "Universal testing machines"),
        ("疲劳试验机", "Fatigue testing machines"),
        ("冲击试验机", "Impact testing machines"),
        ("硬度计", "Hardness testers"),
        ("流变仪", "Rheometers"),
    ],
    "0202": [
        ("全站仪", "Total stations"),
        ("卫星导航定位接收机", "GNSS receivers"),
        ("三维激光扫描仪", "3D laser scanners"),
    ],
    "0203": [
        ("激光干涉仪", "Laser interferometers"),
        ("椭偏仪", "Ellipsometers"),
        ("光谱辐射计", "Spectroradiometers"),
    ],
    "0204": [
        ("振动试验系统", "Vibration test systems"),
        ("声学测量系统", "Acoustic measurement systems"),
        ("激光测振仪", "Laser vibrometers"),
    ],
    "0205": [
        ("激光粒度仪", "Laser diffraction particle sizers"),
        ("比表面及孔径分析仪", "Surface area and porosity analysers"),
        ("纳米粒度及Zeta电位仪", "Nanoparticle size and zeta potential analysers"),
    ],
    "0206": [
        ("超声探伤仪", "Ultrasonic flaw detectors"),
        ("射线探伤机", "Radiographic flaw detectors"),
        ("涡流探伤仪", "Eddy current flaw detectors"),
    ],
    "0301": [
        ("三坐标测量机", "Coordinate measuring machines"),
        ("激光跟踪仪", "Laser trackers"),
        ("表面轮廓仪", "Surface profilers"),
    ],
    "0302": [
        ("精密测温系统", "Precision thermometry systems"),
        ("导热系数测定仪", "Thermal conductivity meters"),
    ],
    "0303": [("力标准机", "Force standard machines"), ("质量比较仪", "Mass comparators")],
    "0304": [
        ("多功能校准源", "Multifunction calibrators"),
        ("综合物性测量系统", "Physical property measurement systems"),
    ],
    "0305": [
        ("原子频率标准", "Atomic frequency standards"),
        ("时间间隔计数器", "Time interval counters"),
    ],
    "0401": [
        ("示波器", "Oscilloscopes"),
        ("半导体参数分析仪", "Semiconductor parameter analysers"),
        ("逻辑分析仪", "Logic analysers"),
    ],
    "0402": [("频谱分析仪", "Spectrum analysers"), ("信号发生器", "Signal generators")],
    "0403": [("误码仪", "Bit error rate testers"), ("通信综合测试仪", "Communication testers")],
    "0404": [("矢量网络分析仪", "Vector network analysers")],
    "0501": [
        ("温盐深测量仪", "CTD profilers"),
        ("声学多普勒流速剖面仪", "Acoustic Doppler current profilers"),
    ],
    "0502": [("浮游生物采样系统", "Plankton samplers"), ("水下机器人", "Underwater vehicles")],
    "0601": [("大地电磁仪", "Magnetotelluric systems"), ("探地雷达", "Ground-penetrating radars")],
    "0602": [
        ("宽频带地震仪", "Broadband seismometers"),
        ("地震勘探仪", "Seismic exploration systems"),
    ],
    "0603": [("岩心钻机", "Core drilling rigs"), ("测井仪", "Well logging tools")],
    "0701": [
        ("自动气象站", "Automatic weather stations"),
        ("激光雷达", "Lidars"),
        ("风廓线雷达", "Wind profilers"),
    ],
    "0702": [("气溶胶分析仪", "Aerosol analysers"), ("温室气体分析仪", "Greenhouse gas analysers")],
    "0801": [("光学望远镜", "Optical telescopes"), ("射电望远镜", "Radio telescopes")],
    "0802": [("天文相机", "Astronomical cameras"), ("天文光谱仪", "Astronomical spectrographs")],
    "0901": [
        ("磁共振成像系统", "MRI systems"),
        ("计算机断层扫描系统", "CT scanners"),
        ("正电子发射断层扫描系统", "PET systems"),
        ("超声诊断系统", "Ultrasound systems"),
    ],
    "0902": [
        ("生化分析仪", "Clinical chemistry analysers"),
        ("血液分析仪", "Haematology analysers"),
        ("免疫分析仪", "Immunoassay analysers"),
    ],
    "0903": [
        ("膜片钳系统", "Patch clamp systems"),
        ("多导生理记录仪", "Multichannel physiological recorders"),
    ],
    "1001": [
        ("γ能谱仪", "Gamma spectrometers"),
        ("液体闪烁计数器", "Liquid scintillation counters"),
    ],
    "1002": [
        ("离子加速器", "Ion accelerators"),
        ("电子加速器", "Electron accelerators"),
        ("同步辐射光束线", "Synchrotron beamlines"),
    ],
    "1101": [
        ("工业CT", "Industrial CT"),
        ("声发射检测仪", "Acoustic emission testers"),
        ("红外热像仪", "Infrared thermal imagers"),
    ],
    "1102": [("辐射安全检测仪", "Radiation safety monitors")],
    "1201": [
        ("数控加工中心", "CNC machining centres"),
        ("增材制造设备", "Additive manufacturing systems"),
        ("激光加工设备", "Laser processing systems"),
    ],
    "1202": [
        ("光刻机", "Lithography systems"),
        ("电子束曝光系统", "Electron beam lithography systems"),
        ("薄膜沉积设备", "Thin-film deposition systems"),
        ("刻蚀设备", "Etching systems"),
        ("分子束外延设备", "Molecular beam epitaxy systems"),
    ],
    "1203": [
        ("细胞培养系统", "Cell culture systems"),
        ("发酵罐", "Fermenters"),
        ("人工气候室", "Climate chambers"),
    ],
    "1204": [
        ("高低温试验箱", "Temperature test chambers"),
        ("盐雾试验箱", "Salt spray chambers"),
        ("风洞", "Wind tunnels"),
    ],
    "1301": [("高性能计算集群", "HPC clusters"), ("GPU计算服务器", "GPU servers")],
    "1302": [("存储阵列", "Storage arrays"), ("磁带库", "Tape libraries")],
    "1401": [
        ("连续固体激光器", "CW solid-state lasers"),
        ("脉冲固体激光器", "Pulsed solid-state lasers"),
        ("光纤激光器", "Fibre lasers"),
    ],
    "1402": [("二氧化碳激光器", "CO2 lasers"), ("准分子激光器", "Excimer lasers")],
    "1403": [("飞秒激光器", "Femtosecond lasers"), ("皮秒激光器", "Picosecond lasers")],
    "1501": [],
}


def _subclasses() -> list[list[object]]:
    """(code, parent, zh, en, sort): new 中类 `XX99` 其他 per class, then every 小类."""
    rows: list[list[object]] = []
    for code, (zh, en) in _CLASSES.items():
        rows.append([f"{code}99", code, f"其他{zh}", f"Other {en}", 99])
    middles = [*_SMALL, *(f"{c}99" for c in _CLASSES)]
    for middle in middles:
        for i, (zh, en) in enumerate(_SMALL.get(middle, []), start=1):
            rows.append([f"{middle}{i:02d}", middle, zh, en, i])
        rows.append([f"{middle}99", middle, "其他", "Other", 99])
    return rows


SUBCLASSES = _subclasses()

#: GB/T 13745-2009 first-level disciplines (code, zh, en).
DISCIPLINES = [
    ["110", "数学", "Mathematics"],
    ["120", "信息科学与系统科学", "Information and systems science"],
    ["130", "力学", "Mechanics"],
    ["140", "物理学", "Physics"],
    ["150", "化学", "Chemistry"],
    ["160", "天文学", "Astronomy"],
    ["170", "地球科学", "Earth sciences"],
    ["180", "生物学", "Biology"],
    ["190", "心理学", "Psychology"],
    ["210", "农学", "Agronomy"],
    ["220", "林学", "Forestry"],
    ["230", "畜牧、兽医科学", "Animal husbandry and veterinary science"],
    ["240", "水产学", "Fisheries science"],
    ["310", "基础医学", "Basic medicine"],
    ["320", "临床医学", "Clinical medicine"],
    ["330", "预防医学与公共卫生学", "Preventive medicine and public health"],
    ["340", "军事医学与特种医学", "Military and special medicine"],
    ["350", "药学", "Pharmacy"],
    ["360", "中医学与中药学", "Traditional Chinese medicine and pharmacy"],
    ["410", "工程与技术科学基础学科", "Basic disciplines of engineering and technology"],
    [
        "413",
        "信息与系统科学相关工程与技术",
        "Engineering related to information and systems science",
    ],
    ["416", "自然科学相关工程与技术", "Engineering related to natural sciences"],
    ["420", "测绘科学技术", "Surveying and mapping"],
    ["430", "材料科学", "Materials science"],
    ["440", "矿山工程技术", "Mining engineering"],
    ["450", "冶金工程技术", "Metallurgical engineering"],
    ["460", "机械工程", "Mechanical engineering"],
    ["470", "动力与电气工程", "Power and electrical engineering"],
    ["480", "能源科学技术", "Energy science and technology"],
    ["490", "核科学技术", "Nuclear science and technology"],
    ["510", "电子与通信技术", "Electronics and communication technology"],
    ["520", "计算机科学技术", "Computer science and technology"],
    ["530", "化学工程", "Chemical engineering"],
    ["535", "产品应用相关工程与技术", "Engineering related to product applications"],
    ["540", "纺织科学技术", "Textile science and technology"],
    ["550", "食品科学技术", "Food science and technology"],
    ["560", "土木建筑工程", "Civil engineering and architecture"],
    ["570", "水利工程", "Hydraulic engineering"],
    ["580", "交通运输工程", "Transport engineering"],
    ["590", "航空、航天科学技术", "Aeronautics and astronautics"],
    ["610", "环境科学技术及资源科学技术", "Environmental and resource science and technology"],
    ["620", "安全科学技术", "Safety science and technology"],
    ["630", "管理学", "Management science"],
    ["710", "马克思主义", "Marxism"],
    ["720", "哲学", "Philosophy"],
    ["730", "宗教学", "Religious studies"],
    ["740", "语言学", "Linguistics"],
    ["750", "文学", "Literature"],
    ["760", "艺术学", "Art studies"],
    ["770", "历史学", "History"],
    ["780", "考古学", "Archaeology"],
    ["790", "经济学", "Economics"],
    ["810", "政治学", "Political science"],
    ["820", "法学", "Law"],
    ["830", "军事学", "Military science"],
    ["840", "社会学", "Sociology"],
    ["850", "民族学与文化学", "Ethnology and cultural studies"],
    ["860", "新闻学与传播学", "Journalism and communication"],
    ["870", "图书馆、情报与文献学", "Library, information and documentation science"],
    ["880", "教育学", "Education"],
    ["890", "体育科学", "Sports science"],
    ["910", "统计学", "Statistics"],
]

#: Funding sources of a service record's project (subjectIncome), A-P. No public copy of the
#: registry's own code table was at hand: this list is our reading of it (see the README).
FUNDING_SOURCES = [
    ["A", "国家自然科学基金", "National Natural Science Foundation"],
    ["B", "国家科技重大专项", "National science and technology major projects"],
    ["C", "国家重点研发计划", "National Key R&D Programme"],
    ["D", "技术创新引导专项（基金）", "Technology innovation guidance funds"],
    ["E", "基地和人才专项", "Bases and talents programmes"],
    ["F", "国家社会科学基金", "National Social Science Fund"],
    ["G", "中央其他部门项目", "Other central government departments"],
    ["H", "省级科技项目", "Provincial science and technology projects"],
    ["I", "市、县级科技项目", "Municipal and county projects"],
    ["J", "企业委托项目", "Commissioned by enterprises"],
    ["K", "事业单位委托项目", "Commissioned by public institutions"],
    ["L", "国际合作项目", "International cooperation"],
    ["M", "单位自选项目", "Own projects of the unit"],
    ["N", "基本科研业务费", "Basic research funds"],
    ["O", "其他政府资金", "Other government funds"],
    ["P", "其他", "Other"],
]
