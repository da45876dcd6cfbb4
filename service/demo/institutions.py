"""The demo's member institutions, what kind of instruments each holds, and the demo users."""

from __future__ import annotations

from typing import NamedTuple


class InstitutionSpec(NamedTuple):
    code: str
    zh: str
    en: str
    kind: str
    region: str
    address: str
    #: how many instruments it registers
    size: int
    #: key of FOCUS: which sub-classes its instruments come from
    focus: str
    #: (template key, maker index) always registered first, in this order
    pinned: tuple[tuple[str, int], ...] = ()


#: Category-code prefixes drawn from (repeats weigh more).
FOCUS: dict[str, tuple[str, ...]] = {
    "university": ("01", "01", "01", "0101", "0102", "0106", "02", "03", "04", "12", "13", "14"),
    "chemistry": ("01", "01", "0102", "0102", "0103", "0104", "0105", "0106", "0107", "0109"),
    "optics": ("14", "14", "0203", "0204", "12", "1202", "0101", "08", "0104", "0301"),
    "agriculture": ("0111", "0102", "0105", "0110", "1501", "1501", "0104", "0108"),
    "hospital": ("09", "09", "0901", "0110", "0110", "0108", "0102", "0902"),
    "enterprise": ("01", "0201", "0206", "0301", "11", "12", "1204", "0109"),
    "geo": ("06", "07", "0102", "0103", "0111", "0101", "13"),
    "pharma": ("0102", "0102", "0105", "0106", "0110", "0104", "0109"),
    "ecology": ("0111", "0102", "07", "0108", "1501", "06"),
}

_U, _R, _H, _E, _O = "university", "research_institute", "hospital", "enterprise", "other"
CC, JL, SP, LY, TH, BS, SY, BC, YB = (
    "220100", "220200", "220300", "220400", "220500", "220600", "220700", "220800", "222400",
)  # fmt: skip

# fmt: off
INSTITUTIONS: tuple[InstitutionSpec, ...] = (
    InstitutionSpec("jl-platform", "吉林省大型科研仪器共享服务平台", "Jilin Large Research Instrument Sharing Platform", _O, CC, "长春市南关区人民大街1号", 0, "university"),
    InstitutionSpec("jlu", "吉林大学", "Jilin University", _U, CC, "长春市前进大街2699号", 44, "university",
                    (("lcms", 0), ("tem", 0), ("nmr600", 0), ("gcms", 1), ("xrd", 0), ("clsm", 0))),
    InstitutionSpec("ciac", "中国科学院长春应用化学研究所", "Changchun Institute of Applied Chemistry, CAS", _R, CC, "长春市人民大街5625号", 34, "chemistry",
                    (("lcms", 1), ("maldi", 0), ("icpms", 0), ("nmr600", 0), ("xps", 0))),
    InstitutionSpec("ciomp", "中国科学院长春光学精密机械与物理研究所", "Changchun Institute of Optics, Fine Mechanics and Physics, CAS", _R, CC, "长春市东南湖大路3888号", 30, "optics",
                    (("fslaser", 0), ("ebl", 0), ("telescope", 0))),
    InstitutionSpec("neigae", "中国科学院东北地理与农业生态研究所", "Northeast Institute of Geography and Agroecology, CAS", _R, CC, "长春市高新北区盛北大街4888号", 16, "ecology",
                    (("irms", 0),)),
    InstitutionSpec("nenu", "东北师范大学", "Northeast Normal University", _U, CC, "长春市人民大街5268号", 22, "university"),
    InstitutionSpec("cust", "长春理工大学", "Changchun University of Science and Technology", _U, CC, "长春市卫星路7089号", 18, "optics"),
    InstitutionSpec("jlau", "吉林农业大学", "Jilin Agricultural University", _U, CC, "长春市新城大街2888号", 14, "agriculture"),
    InstitutionSpec("ccut", "长春工业大学", "Changchun University of Technology", _U, CC, "长春市延安大街2055号", 10, "enterprise"),
    InstitutionSpec("jlju", "吉林建筑大学", "Jilin Jianzhu University", _U, CC, "长春市新城大街5088号", 6, "enterprise"),
    InstitutionSpec("ccucm", "长春中医药大学", "Changchun University of Chinese Medicine", _U, CC, "长春市博硕路1035号", 8, "pharma"),
    InstitutionSpec("ccu", "长春大学", "Changchun University", _U, CC, "长春市卫星路6543号", 5, "university"),
    InstitutionSpec("jlu-first-hospital", "吉林大学第一医院", "The First Hospital of Jilin University", _H, CC, "长春市新民大街71号", 12, "hospital"),
    InstitutionSpec("jlu-cju-hospital", "吉林大学中日联谊医院", "China-Japan Union Hospital of Jilin University", _H, CC, "长春市仙台大街126号", 8, "hospital"),
    InstitutionSpec("jl-cancer-hospital", "吉林省肿瘤医院", "Jilin Cancer Hospital", _H, CC, "长春市湖光路1066号", 6, "hospital"),
    InstitutionSpec("jaas", "吉林省农业科学院", "Jilin Academy of Agricultural Sciences", _R, CC, "长春市生态大街1363号", 10, "agriculture"),
    InstitutionSpec("jl-metrology", "吉林省计量科学研究院", "Jilin Institute of Metrology", _R, CC, "长春市高新区硅谷大街3567号", 6, "enterprise"),
    InstitutionSpec("faw-rd", "中国第一汽车集团有限公司研发总院", "FAW Group R&D Institute", _E, CC, "长春市汽车经济技术开发区新红旗大街1号", 12, "enterprise",
                    (("ict", 0),)),
    InstitutionSpec("cgstl", "长光卫星技术股份有限公司", "Chang Guang Satellite Technology Co., Ltd.", _E, CC, "长春市北湖科技开发区明溪路1299号", 5, "optics"),
    InstitutionSpec("beihua", "北华大学", "Beihua University", _U, JL, "吉林市滨江东路3999号", 12, "university"),
    InstitutionSpec("jlict", "吉林化工学院", "Jilin Institute of Chemical Technology", _U, JL, "吉林市承德街45号", 8, "chemistry"),
    InstitutionSpec("neepu", "东北电力大学", "Northeast Electric Power University", _U, JL, "吉林市长春路169号", 8, "university"),
    InstitutionSpec("jcfg", "吉林化纤集团有限责任公司", "Jilin Chemical Fiber Group", _E, JL, "吉林市昌邑区九站街516-1号", 6, "enterprise"),
    InstitutionSpec("jl-central-hospital", "吉林市中心医院", "Jilin Central Hospital", _H, JL, "吉林市南京街4号", 4, "hospital"),
    InstitutionSpec("jlnu", "吉林师范大学", "Jilin Normal University", _U, SP, "四平市海丰大街1301号", 8, "university"),
    InstitutionSpec("siping-central-hospital", "四平市中心人民医院", "Siping Central People's Hospital", _H, SP, "四平市铁西区英雄大路", 3, "hospital"),
    InstitutionSpec("lyvtc", "辽源职业技术学院", "Liaoyuan Vocational and Technical College", _U, LY, "辽源市龙山区厂安路", 3, "enterprise"),
    InstitutionSpec("liaoyuan-hospital", "辽源市中心医院", "Liaoyuan Central Hospital", _H, LY, "辽源市龙山区人民大街", 3, "hospital"),
    InstitutionSpec("thnu", "通化师范学院", "Tonghua Normal University", _U, TH, "通化市育才路950号", 5, "pharma"),
    InstitutionSpec("tonghua-dongbao", "通化东宝药业股份有限公司", "Tonghua Dongbao Pharmaceutical Co., Ltd.", _E, TH, "通化县东宝新村", 6, "pharma"),
    InstitutionSpec("cbs-academy", "吉林省长白山科学研究院", "Changbai Mountain Academy of Sciences", _R, BS, "白山市池北区", 6, "ecology"),
    InstitutionSpec("baishan-hospital", "白山市中心医院", "Baishan Central Hospital", _H, BS, "白山市浑江区民中街", 3, "hospital"),
    InstitutionSpec("jilin-oilfield", "吉林油田勘探开发研究院", "PetroChina Jilin Oilfield Exploration and Development Research Institute", _E, SY, "松原市宁江区沿江西路", 8, "geo"),
    InstitutionSpec("songyuan-vtc", "松原职业技术学院", "Songyuan Vocational and Technical College", _U, SY, "松原市宁江区", 3, "agriculture"),
    InstitutionSpec("bcnu", "白城师范学院", "Baicheng Normal University", _U, BC, "白城市中兴西大路57号", 4, "university"),
    InstitutionSpec("baicheng-aas", "白城市农业科学院", "Baicheng Academy of Agricultural Sciences", _R, BC, "白城市三合路17号", 4, "agriculture"),
    InstitutionSpec("yanbian", "延边大学", "Yanbian University", _U, YB, "延吉市公园路977号", 16, "university",
                    (("gcms", 0),)),
    InstitutionSpec("ybu-hospital", "延边大学附属医院", "Yanbian University Hospital", _H, YB, "延吉市局子街1327号", 5, "hospital"),
    InstitutionSpec("yb-aas", "延边朝鲜族自治州农业科学院", "Yanbian Academy of Agricultural Sciences", _R, YB, "龙井市龙门街", 3, "agriculture"),
    InstitutionSpec("vvo-joint-lab", "中俄符拉迪沃斯托克联合实验中心", "Sino-Russian Joint Laboratory Centre Vladivostok", _R, "RU-VVO", "Vladivostok, Russky Island, Ajax Bay 10", 6, "geo"),
    InstitutionSpec("msq-testing", "中白工业园联合检测中心", "China-Belarus Industrial Park Joint Testing Centre", _O, "BY-MSQ", "Minsk region, Great Stone Industrial Park", 5, "enterprise"),
)
# fmt: on

#: Area codes for contact phone numbers.
PHONE_PREFIX = {
    CC: "0431-8", JL: "0432-6", SP: "0434-3", LY: "0437-5", TH: "0435-3", BS: "0439-6",
    SY: "0438-6", BC: "0436-3", YB: "0433-2", "RU-VVO": "+7 423 2", "BY-MSQ": "+375 17 2",
}  # fmt: skip

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高金崔朴"
GIVEN = ("建国", "海燕", "志强", "丽娟", "明", "晓东", "静", "伟", "红梅", "立新", "春雨", "成哲",
         "思远", "雪", "宏伟", "文博", "秀英", "振华", "一鸣", "欣然")  # fmt: skip
BUILDINGS = ("分析测试中心", "科研楼A座", "实验楼", "公共技术平台", "理化楼", "材料楼",
             "生命科学楼", "综合实验楼", "测试中心B区")  # fmt: skip

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo credential


class DemoUser(NamedTuple):
    email: str
    display_name: str
    institution: str
    language: str
    platform_admin: bool = False
    admin_of: str | None = None
    #: manages this many of the institution's first instruments
    manages: int = 0


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "admin@demo.instrument-share.org", "王立新", "jl-platform", "zh-CN", platform_admin=True
    ),
    DemoUser("inst-admin@jlu.demo.instrument-share.org", "张明华", "jlu", "zh-CN", admin_of="jlu"),
    DemoUser("manager@jlu.demo.instrument-share.org", "李建国", "jlu", "zh-CN", manages=6),
    DemoUser("researcher@ciac.demo.instrument-share.org", "陈思远", "ciac", "en"),
    DemoUser("researcher@yanbian.demo.instrument-share.org", "金成哲", "yanbian", "zh-CN"),
)
DEMO_ADMIN_EMAIL = DEMO_USERS[0].email
