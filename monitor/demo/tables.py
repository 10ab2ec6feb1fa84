"""The tables the demo listings are built from: sites, brands and their products, look-alike marks,
regulatory breaches, hard negatives, the realistic clean mix, the sellers' pools and the text
templates. Data only; ``listings.py`` turns them into each site's listings.

The marks (Syngenta 先正达, L'Oréal 欧莱雅, Bosch 博世, ...) are real; every product record,
registration number, certificate, phone number and WeChat id is made up, in the formats the rule
checks read (``rules/checks/*.yaml``). Look-alike marks are invented in the style of real knock-offs
(homophones, shape-similar characters, component splits, Cyrillic letters, digits for letters,
Traditional characters, inserted words).
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.demo.numbers import pesticide_label_code

SITES = ("greenmart", "baihuo", "kuaigou")
CATEGORIES = ("agri_inputs", "cosmetics", "auto_parts")
TRUTH_LABELS = ("genuine", "counterfeit", "lookalike", "regulatory", "hard_negative")

CATEGORY_NAMES = {
    "agri_inputs": ("农资", "Agricultural inputs"),
    "cosmetics": ("美妆护肤", "Beauty & cosmetics"),
    "auto_parts": ("汽车配件", "Auto parts"),
}


# --------------------------------------------------------------------------- brands and products

# key: (Latin name, Chinese name, category, location of the brand's China office)
BRANDS: dict[str, tuple[str, str, str, str]] = {
    "syngenta": ("Syngenta", "先正达", "agri_inputs", "上海"),
    "bayer": ("Bayer", "拜耳", "agri_inputs", "浙江 杭州"),
    "basf": ("BASF", "巴斯夫", "agri_inputs", "上海"),
    "stanley": ("Stanley", "史丹利", "agri_inputs", "山东 临沂"),
    "kingenta": ("Kingenta", "金正大", "agri_inputs", "山东 临沂"),
    "longping": ("Longping", "隆平高科", "agri_inputs", "湖南 长沙"),
    "denghai": ("Denghai", "登海", "agri_inputs", "山东 莱州"),
    "loreal": ("L'Oréal Paris", "欧莱雅", "cosmetics", "上海"),
    "lancome": ("Lancôme", "兰蔻", "cosmetics", "上海"),
    "skii": ("SK-II", "SK-II", "cosmetics", "上海"),
    "pechoin": ("Pechoin", "百雀羚", "cosmetics", "上海"),
    "chando": ("CHANDO", "自然堂", "cosmetics", "上海"),
    "winona": ("Winona", "薇诺娜", "cosmetics", "云南 昆明"),
    "bosch": ("Bosch", "博世", "auto_parts", "上海"),
    "denso": ("Denso", "电装", "auto_parts", "天津"),
    "ngk": ("NGK", "NGK", "auto_parts", "上海"),
    "brembo": ("Brembo", "布雷博", "auto_parts", "江苏 南京"),
    "michelin": ("Michelin", "米其林", "auto_parts", "上海"),
    "castrol": ("Castrol", "嘉实多", "auto_parts", "上海"),
    "mobil": ("Mobil", "美孚", "auto_parts", "上海"),
    "shell": ("Shell", "壳牌", "auto_parts", "北京"),
    "fuyao": ("Fuyao", "福耀", "auto_parts", "福建 福州"),
}

# Search tags by product subtype (Chinese, English). Every entry also gets its category's
# generic word (农资 / 化妆品 / 汽配), so one keyword per category finds all its listings.
SUBTYPE_TAGS = {
    "pesticide": ("农药 杀菌剂 杀虫剂 除草剂", "pesticide fungicide insecticide"),
    "fertilizer": ("化肥 肥料 复合肥 水溶肥", "fertilizer fertiliser"),
    "seed": ("种子 良种", "seed seeds"),
    "skincare": ("护肤 面霜 精华 乳液", "skincare cream serum"),
    "sunscreen": ("防晒 护肤 防晒霜", "sunscreen sunblock skincare"),
    "whitening": ("美白 护肤 精华", "whitening skincare serum"),
    "makeup": ("彩妆 眼影", "makeup eyeshadow"),
    "haircare": ("染发 护发 染发剂", "hair dye haircare"),
    "brake": ("刹车片 制动 刹车", "brake pads"),
    "tyre": ("轮胎 车胎", "tyre tire"),
    "spark_plug": ("火花塞", "spark plug"),
    "oil": ("机油 润滑油", "motor oil engine oil"),
    "wiper": ("雨刮 雨刷", "wiper blades"),
    "glass": ("玻璃 挡风玻璃", "windscreen glass"),
    "lamp": ("车灯 大灯 灯泡", "headlight lamp bulb"),
    "filter": ("滤清器 滤芯", "filter"),
    "fluid": ("刹车油 制动液", "brake fluid"),
    "accessory": ("汽车用品 车品", "car accessory"),
    "model": ("车模 模型 玩具 汽车用品", "scale model diecast toy car accessory"),
    "machinery": ("农机配件 农机具", "farm machinery parts equipment"),
}
CATEGORY_TAG = {"agri_inputs": "农资 agri", "cosmetics": "化妆品 美妆 beauty", "auto_parts": "汽配 汽车配件 auto parts"}

SUB_DESC = {
    "pesticide": ("请严格按标签说明使用，注意安全间隔期，远离儿童存放。", "Use strictly as the label says; observe the pre-harvest interval."),
    "fertilizer": ("养分均衡，适用于大田及经济作物，基肥追肥均可。", "Balanced nutrients for field and cash crops, as base or top dressing."),
    "seed": ("经审定品种，请在适宜区域种植，按说明播种。", "Approved variety; sow in the recommended regions as instructed."),
    "skincare": ("温和配方，适合日常护理，敏感肌请先试用。", "Gentle formula for daily care; patch test on sensitive skin."),
    "sunscreen": ("高倍防晒，适合户外出行，出门前15分钟涂抹。", "High protection for outdoor days; apply 15 minutes before going out."),
    "whitening": ("注册美白功效产品，坚持使用，配合防晒。", "Registered whitening product; use daily together with sunscreen."),
    "brake": ("按标准制造，建议到专业门店安装并检查制动系统。", "Made to standard; have it fitted and the brakes checked by a workshop."),
    "tyre": ("静音舒适，湿地抓地力强，含安装平衡。", "Quiet and comfortable with strong wet grip; fitting and balancing included."),
    "spark_plug": ("点火稳定，提升燃油经济性，请按车型选择热值。", "Stable ignition and better fuel economy; choose the heat range for your car."),
    "oil": ("全合成配方，长效保护发动机，请按保养手册更换。", "Fully synthetic, long-lasting engine protection; change as the manual says."),
    "wiper": ("无骨设计，刮拭干净，安装简单。", "Frameless design, clean wipe, easy fitting."),
    "glass": ("原厂配套供应商产品，含安装。", "From the original-equipment supplier; fitting included."),
    "lamp": ("亮度高，寿命长，安装前请确认灯座型号。", "Bright and long-lasting; check the socket type before fitting."),
}

ATTR_EN = {
    "品牌": "Brand", "生产厂家": "Manufacturer", "生产企业": "Manufacturer", "生产地址": "Manufacturer address",
    "农药名称": "Product name", "有效成分": "Active ingredient", "剂型": "Formulation",
    "农药登记证号": "Pesticide registration No.", "标签二维码": "Label QR code",
    "肥料登记证号": "Fertilizer registration No.", "养分含量": "Nutrient content", "执行标准": "Standard",
    "品种": "Variety", "审定编号": "Variety approval No.", "种子生产经营许可证号": "Seed licence No.",
    "备案编号": "Filing No.", "注册证号": "Registration No.", "批准文号": "Approval No.",
    "境内责任人": "Responsible person in China", "净含量": "Net content", "功效": "Claims",
    "零件号": "Part No.", "型号": "Model", "适用车型": "Fits", "CCC证书编号": "CCC certificate No.",
    "3C认证": "CCC certification",
    "规格": "Size", "原产国": "Country of origin", "颜色": "Colour", "材质": "Material",
    "成色": "Condition", "比例": "Scale", "适用机型": "Fits machine", "适用年龄": "Age",
}


@dataclass(frozen=True)
class Product:
    key: str
    brand: str
    sub: str
    name_zh: str
    name_en: str
    price: float
    spec: str
    attrs: tuple[tuple[str, str], ...]

    @property
    def category(self) -> str:
        return BRANDS[self.brand][2]


def _p(key, brand, sub, name_zh, name_en, price, spec, **attrs) -> Product:
    pairs = [("品牌", BRANDS[brand][1])] + [(k, v) for k, v in attrs.items()] + [("规格", spec)]
    return Product(key, brand, sub, name_zh, name_en, price, spec, tuple(pairs))


def _pest(key, brand, name_zh, name_en, price, spec, reg, ingredient, form, maker) -> Product:
    return _p(key, brand, "pesticide", name_zh, name_en, price, spec, 有效成分=ingredient, 剂型=form,
              农药登记证号=reg, 标签二维码=pesticide_label_code(reg), 生产厂家=maker)


PRODUCTS: tuple[Product, ...] = (
    _pest("amistar_top", "syngenta", "阿米妙收 32.5%苯甲·嘧菌酯 悬浮剂", "Amistar Top 325 g/L azoxystrobin + difenoconazole SC",
          38.0, "100ml", "PD20110236", "苯醚甲环唑12.5%、嘧菌酯20%", "悬浮剂", "先正达南通作物保护有限公司"),
    _pest("actara", "syngenta", "阿克泰 25%噻虫嗪 水分散粒剂", "Actara 25% thiamethoxam WG",
          28.0, "4g×10袋", "PD20060003", "噻虫嗪25%", "水分散粒剂", "先正达南通作物保护有限公司"),
    _pest("nativo", "bayer", "拿敌稳 75%肟菌·戊唑醇 水分散粒剂", "Nativo 75% trifloxystrobin + tebuconazole WG",
          22.0, "15g", "PD20092927", "肟菌酯25%、戊唑醇50%", "水分散粒剂", "拜耳作物科学（中国）有限公司"),
    _pest("admire", "bayer", "艾美乐 70%吡虫啉 水分散粒剂", "Admire 70% imidacloprid WG",
          36.0, "2g×20袋", "PD20040711", "吡虫啉70%", "水分散粒剂", "拜耳作物科学（中国）有限公司"),
    _pest("headline", "basf", "凯润 250克/升吡唑醚菌酯 乳油", "Headline 250 g/L pyraclostrobin EC",
          48.0, "100ml", "PD20080464", "吡唑醚菌酯250克/升", "乳油", "巴斯夫植物保护（江苏）有限公司"),
    _pest("cabrio_top", "basf", "百泰 60%唑醚·代森联 水分散粒剂", "Cabrio Top 60% pyraclostrobin + metiram WG",
          32.0, "100g", "PD20080506", "吡唑醚菌酯5%、代森联55%", "水分散粒剂", "巴斯夫植物保护（江苏）有限公司"),
    _p("stanley_wsf", "stanley", "fertilizer", "大量元素水溶肥 20-20-20+TE", "water-soluble NPK 20-20-20+TE fertilizer",
       96.0, "5kg", 养分含量="N-P2O5-K2O 20-20-20", 肥料登记证号="农肥（2019）准字14761号", 执行标准="NY 1107-2020",
       生产厂家="史丹利农业集团股份有限公司", 生产地址="山东省临沂市临沭县"),
    _p("stanley_npk", "stanley", "fertilizer", "硫酸钾型复合肥 15-15-15", "NPK 15-15-15 potassium-sulphate compound fertilizer",
       185.0, "40kg", 养分含量="N-P2O5-K2O 15-15-15 总养分≥45%", 执行标准="GB/T 15063-2020",
       生产厂家="史丹利农业集团股份有限公司", 生产地址="山东省临沂市临沭县"),
    _p("kingenta_crf", "kingenta", "fertilizer", "控释复合肥 26-10-12", "controlled-release compound fertilizer 26-10-12",
       210.0, "40kg", 养分含量="N-P2O5-K2O 26-10-12", 执行标准="GB/T 23348-2009",
       生产厂家="金正大生态工程集团股份有限公司", 生产地址="山东省临沭县兴大西街19号"),
    _p("kingenta_wsf", "kingenta", "fertilizer", "高钾型水溶肥 12-6-40+TE", "high-potassium water-soluble fertilizer 12-6-40+TE",
       168.0, "10kg", 养分含量="N-P2O5-K2O 12-6-40", 肥料登记证号="鲁农肥（2020）准字9806号", 执行标准="NY 1107-2020",
       生产厂家="金正大生态工程集团股份有限公司", 生产地址="山东省临沭县兴大西街19号"),
    _p("lly_huazhan", "longping", "seed", "隆两优华占 杂交水稻种子", "Longliangyou Huazhan hybrid rice seed",
       68.0, "1kg", 品种="隆两优华占", 审定编号="国审稻20170008", 种子生产经营许可证号="A（湘）农种许字（2016）第0009号",
       生产厂家="袁隆平农业高科技股份有限公司"),
    _p("lp206", "longping", "seed", "隆平206 玉米种子", "Longping 206 maize seed",
       78.0, "4000粒", 品种="隆平206", 审定编号="国审玉2011008", 种子生产经营许可证号="A（湘）农种许字（2016）第0009号",
       生产厂家="袁隆平农业高科技股份有限公司"),
    _p("dh605", "denghai", "seed", "登海605 玉米种子", "Denghai 605 maize seed",
       95.0, "2.5kg", 品种="登海605", 审定编号="国审玉2010009", 种子生产经营许可证号="A（鲁）农种许字（2017）第0011号",
       生产厂家="山东登海种业股份有限公司"),
    _p("revitalift", "loreal", "skincare", "复颜玻尿酸水光充盈导入精华", "Revitalift hyaluronic acid serum",
       299.0, "50ml", 备案编号="苏G妆网备字2021017385", 生产企业="欧莱雅（苏州）有限公司", 净含量="50ml", 功效="保湿"),
    _p("uv_perfect", "loreal", "sunscreen", "小金管 多重防护隔离露 SPF50+ PA++++", "UV Perfect sunscreen SPF50+ PA++++",
       169.0, "30ml", 注册证号="国妆特字G20190764", 生产企业="欧莱雅（苏州）有限公司", 净含量="30ml", 功效="防晒 SPF50+ PA++++"),
    _p("genifique", "lancome", "skincare", "小黑瓶 精华肌底液", "Advanced Génifique serum",
       1080.0, "50ml", 备案编号="国妆网备进字（沪）2019003456", 境内责任人="欧莱雅（中国）有限公司", 原产国="法国", 净含量="50ml", 功效="修护"),
    _p("uv_expert", "lancome", "sunscreen", "小白管 清透防晒隔离乳 SPF50 PA++++", "UV Expert sunscreen SPF50 PA++++",
       420.0, "30ml", 注册证号="国妆特进字J20170583", 境内责任人="欧莱雅（中国）有限公司", 原产国="日本", 净含量="30ml", 功效="防晒 SPF50 PA++++"),
    _p("fte", "skii", "skincare", "护肤精华露 神仙水", "Facial Treatment Essence",
       1540.0, "230ml", 备案编号="国妆网备进字（沪）2018004512", 境内责任人="宝洁（中国）营销有限公司", 原产国="日本", 净含量="230ml", 功效="保湿"),
    _p("pechoin_cream", "pechoin", "skincare", "水能量 焕颜霜", "Hydra Energy revitalising cream",
       128.0, "50g", 备案编号="沪G妆网备字2020012345", 生产企业="上海百雀羚日用化学有限公司", 净含量="50g", 功效="保湿"),
    _p("chando_white", "chando", "whitening", "美白淡斑精华液", "whitening essence",
       239.0, "30ml", 注册证号="国妆特字G20190311", 生产企业="伽蓝（集团）股份有限公司", 净含量="30ml", 功效="美白祛斑"),
    _p("winona_cream", "winona", "skincare", "舒敏保湿特护霜", "soothing moisturizing cream",
       268.0, "50g", 备案编号="滇G妆网备字2020001234", 生产企业="云南贝泰妮生物科技集团股份有限公司", 净含量="50g", 功效="舒缓保湿"),
    _p("winona_uv", "winona", "sunscreen", "清透防晒乳 SPF48 PA+++", "clear sunscreen lotion SPF48 PA+++",
       178.0, "50g", 注册证号="国妆特字G20180456", 生产企业="云南贝泰妮生物科技集团股份有限公司", 净含量="50g", 功效="防晒 SPF48 PA+++"),
    _p("bosch_pads", "bosch", "brake", "陶瓷刹车片 前片 0 986 AB2 526", "ceramic front brake pads 0 986 AB2 526",
       268.0, "4片/套", 零件号="0 986 AB2 526", 适用车型="大众朗逸/速腾", CCC证书编号="2021011105012345", 生产厂家="博世汽车部件（苏州）有限公司"),
    _p("aerotwin", "bosch", "wiper", "风翼 无骨雨刮片 24/18寸", "AeroTwin frameless wiper blades 24/18\"",
       139.0, "2支装", 零件号="3 397 014 244", 适用车型="本田雅阁", 生产厂家="博世汽车部件（长沙）有限公司"),
    _p("ik20tt", "denso", "spark_plug", "铱金火花塞 IK20TT", "Iridium TT IK20TT spark plugs",
       176.0, "4支装", 型号="IK20TT", 适用车型="丰田卡罗拉/雷凌", 生产厂家="天津电装电子有限公司"),
    _p("ilkar7b11", "ngk", "spark_plug", "铱铂金火花塞 ILKAR7B11", "Laser Iridium ILKAR7B11 spark plugs",
       260.0, "4支装", 型号="ILKAR7B11", 适用车型="本田思域/雅阁", 生产厂家="日特（上海）汽车配件有限公司"),
    _p("brembo_p85", "brembo", "brake", "刹车片 前片 P 85 075", "front brake pads P 85 075",
       560.0, "4片/套", 零件号="P 85 075", 适用车型="奥迪A4L", CCC证书编号="2020011105098765", 生产厂家="布雷博（南京）汽车零部件有限公司"),
    _p("primacy4", "michelin", "tyre", "轮胎 205/55R16 91V PRIMACY 4 浩悦", "Primacy 4 205/55 R16 91V tyre",
       649.0, "1条", 型号="PRIMACY 4", CCC证书编号="2019011117123456", 生产厂家="米其林（沈阳）轮胎有限公司"),
    _p("edge", "castrol", "oil", "极护 全合成机油 5W-30 SP", "EDGE 5W-30 fully synthetic engine oil",
       339.0, "4L", 型号="EDGE 5W-30", 生产厂家="嘉实多（深圳）有限公司"),
    _p("mobil1", "mobil", "oil", "1号全合成机油 0W-40 SP", "1 0W-40 fully synthetic engine oil",
       429.0, "4L", 型号="Mobil 1 0W-40", 生产厂家="埃克森美孚（天津）石油化工有限公司"),
    _p("helix", "shell", "oil", "超凡喜力 全合成机油 0W-20 SP", "Helix Ultra 0W-20 fully synthetic engine oil",
       319.0, "4L", 型号="Helix Ultra 0W-20", 生产厂家="壳牌（天津）润滑油有限公司"),
    _p("fuyao_ws", "fuyao", "glass", "前挡风玻璃 适用于大众朗逸", "windscreen for VW Lavida",
       880.0, "1块", 适用车型="大众朗逸", CCC证书编号="2020011201004321", 生产厂家="福耀玻璃工业集团股份有限公司"),
)
PRODUCT_BY_KEY = {p.key: p for p in PRODUCTS}

# Look-alike marks: (brand key, mark as shown, mechanism). Chinese marks give Chinese
# titles; Latin marks give English titles (baihuo puts them in Chinese titles).
LOOKALIKES: tuple[tuple[str, str, str], ...] = (
    ("syngenta", "先正大", "homophone 达→大"),
    ("syngenta", "Sуngenta", "Cyrillic у for Latin y"),
    ("syngenta", "先正達", "Traditional 達 for 达"),
    ("bayer", "拜尔", "homophone 耳→尔"),
    ("bayer", "Baуer", "Cyrillic у for Latin y"),
    ("bayer", "Bayar", "one-letter edit e→a"),
    ("basf", "巴思夫", "homophone 斯→思"),
    ("basf", "8ASF", "digit 8 for B"),
    ("basf", "巴斯大", "shape-similar 夫→大"),
    ("stanley", "史丹莉", "homophone 利→莉"),
    ("stanley", "史舟利", "shape-similar 丹→舟"),
    ("kingenta", "金正太", "shape-similar 大→太"),
    ("kingenta", "金正农大", "inserted word 农"),
    ("longping", "隆平高料", "shape-similar 科→料"),
    ("longping", "陇平高科", "homophone 隆→陇"),
    ("denghai", "豋海", "shape-similar 登→豋"),
    ("denghai", "登海王", "inserted word 王"),
    ("loreal", "欧菜雅", "shape-similar 莱→菜"),
    ("loreal", "歐萊雅", "Traditional 歐萊 for 欧莱"),
    ("loreal", "L'Oreai", "homoglyph i for l"),
    ("lancome", "兰寇", "shape-similar/homophone 蔻→寇"),
    ("lancome", "蘭蔻", "Traditional 蘭 for 兰"),
    ("lancome", "Lancоme", "Cyrillic о for Latin o"),
    ("lancome", "Lancone", "one-letter edit m→n"),
    ("skii", "SK-11", "digits 11 for II"),
    ("skii", "SK-III", "number change II→III"),
    ("pechoin", "百雀玲", "shape-similar/homophone 羚→玲"),
    ("pechoin", "百鸟雀羚", "inserted word 鸟"),
    ("chando", "白然堂", "shape-similar 自→白"),
    ("chando", "自然美堂", "inserted word 美"),
    ("winona", "微诺娜", "shape-similar 薇→微"),
    ("winona", "薇諾娜", "Traditional 諾 for 诺"),
    ("bosch", "B0SCH", "digit 0 for O"),
    ("bosch", "Воsch", "Cyrillic В and о"),
    ("bosch", "博士", "homophone 世→士"),
    ("bosch", "十尃世", "component split 博→十尃"),
    ("denso", "DEN5O", "digit 5 for S"),
    ("denso", "電裝", "Traditional 電裝 for 电装"),
    ("denso", "电壮", "shape-similar/homophone 装→壮"),
    ("ngk", "NKG", "letter swap GK→KG"),
    ("ngk", "NGX", "one-letter edit K→X"),
    ("brembo", "Brenbo", "one-letter edit m→n"),
    ("brembo", "Bremdo", "one-letter edit b→d"),
    ("michelin", "Micheiin", "homoglyph i for l"),
    ("michelin", "米其淋", "shape-similar 林→淋"),
    ("michelin", "米其木木", "component split 林→木木"),
    ("castrol", "Castroll", "inserted letter l"),
    ("castrol", "嘉实夛", "shape-similar 多→夛"),
    ("castrol", "嘉食多", "homophone 实→食"),
    ("mobil", "Mobi1", "digit 1 for l"),
    ("mobil", "美浮", "homophone 孚→浮"),
    ("shell", "She11", "digits 11 for ll"),
    ("shell", "殼牌", "Traditional 殼 for 壳"),
    ("shell", "売牌", "shape-similar 壳→売"),
    ("fuyao", "福曜", "shape-similar/homophone 耀→曜"),
)

# The real brand's product each look-alike imitates: the first product of that brand.
FIRST_PRODUCT = {}
for _prod in PRODUCTS:
    FIRST_PRODUCT.setdefault(_prod.brand, []).append(_prod)

LOOKALIKE_MAKERS = {
    "agri_inputs": ("河南丰泽化工有限公司", "河南省周口市"),
    "cosmetics": ("广州市娇颜化妆品有限公司", "广东省广州市白云区"),
    "auto_parts": ("瑞安市顺达汽配厂", "浙江省瑞安市"),
}

COUNTERFEIT_TITLES_ZH = (
    "高仿{brand}{name} 原单 1:1",
    "{brand} {name} A货 精仿 工厂货",
    "原单尾货 {brand}{name} 超A 无盒",
    "{brand}{name} 复刻版 假一赔万",
    "{brand} {name} 大牌同款 厂货 加vx看实拍",
    "{brand}{name} 原装进口 特价 绝对正品",
)
COUNTERFEIT_TITLES_EN = (
    "{brand} {name} replica 1:1 mirror quality",
    "{brand} {name} super copy AAA+",
    "{brand} {name} first copy factory price",
    "{brand} {name} master copy 5A grade",
)
CONTACTS_ZH = ("加微信 vx：{wx} 看实拍", "电话/微信同号 {phone}", "QQ {qq} 量大从优", "加我看细节图 vx {wx}")
CONTACTS_EN = ("Add WeChat {wx} for real photos.", "WhatsApp {phone} for wholesale.", "vx {wx}, bulk discount.")
AGRI_COUNTERFEIT_ZH = ("{brand}{name} 原装进口 特效 根治 工厂直供", "{brand} {name} 特效 厂货 低价清仓")


# --------------------------------------------------------------------------- regulatory breaches and hard negatives

# (key, category, subtype, brand or None, title_zh, title_en or None, price, attrs, description_zh, note)
REGULATORY: tuple[tuple, ...] = (
    ("no_reg_pesticide", "agri_inputs", "pesticide", "绿丰", "绿丰 4.5%高效氯氟氰菊酯 杀虫剂 果树蔬菜通用", "Lvfeng 4.5% lambda-cyhalothrin insecticide for fruit and vegetables",
     18.0, (("品牌", "绿丰"), ("有效成分", "高效氯氟氰菊酯4.5%"), ("生产厂家", "河北绿丰生物科技有限公司"), ("规格", "500ml")),
     "杀虫快，持效长，果树蔬菜通用。", "pesticide without registration number or label code"),
    ("label_mismatch", "agri_inputs", "pesticide", "禾盛", "禾盛 10%吡虫啉 可湿性粉剂 1kg", None,
     26.0, (("品牌", "禾盛"), ("有效成分", "吡虫啉10%"), ("农药登记证号", "PD20130456"),
            ("标签二维码", pesticide_label_code("PD20130456", consistent=False)), ("生产厂家", "安徽禾盛农化有限公司"), ("规格", "1kg")),
     "防治蚜虫、飞虱。", "label QR code digits 2-7 do not match registration PD20130456"),
    ("ls_2019", "agri_inputs", "pesticide", "沃农", "沃农 50%氟啶胺 悬浮剂 临时登记", "Wonong 50% fluazinam SC (temporary registration)",
     45.0, (("品牌", "沃农"), ("有效成分", "氟啶胺50%"), ("农药登记证号", "LS20190127"),
            ("标签二维码", pesticide_label_code("LS20190127")), ("生产厂家", "山东沃农生物科技有限公司"), ("规格", "100ml")),
     "防治根肿病、晚疫病。", "temporary registration LS dated 2019, after temporary registration ended"),
    ("wl_2020", "agri_inputs", "pesticide", "家卫", "家卫 杀蟑饵剂 WL20200033 农用仓储", None,
     15.0, (("品牌", "家卫"), ("有效成分", "吡虫啉2.5%"), ("农药登记证号", "WL20200033"), ("生产厂家", "江苏家卫日化有限公司"), ("规格", "5g×10支")),
     "仓库、畜舍灭蟑。", "temporary registration WL dated 2020"),
    ("no_reg_wsf", "agri_inputs", "fertilizer", "丰禾", "丰禾 大量元素水溶肥 10kg 冲施滴灌", "Fenghe water-soluble NPK fertilizer 10 kg for fertigation",
     88.0, (("品牌", "丰禾"), ("养分含量", "N-P2O5-K2O 19-19-19"), ("生产厂家", "河北丰禾肥业有限公司"), ("规格", "10kg")),
     "速溶无残渣，冲施滴灌均可。", "water-soluble fertilizer without fertilizer registration number"),
    ("sanwu_pesticide", "agri_inputs", "pesticide", None, "散装 杀虫粉 农用 5斤 特效", None,
     12.0, (("有效成分", "见包装"), ("规格", "2.5kg")),
     "散装称重，无厂名厂址，特效杀虫。", "三无 pesticide: no brand, no manufacturer, no address, no registration"),
    ("efficacy_claims", "agri_inputs", "fertilizer", "根力旺", "根力旺 微生物菌剂 根治根结线虫 特效药", None,
     58.0, (("品牌", "根力旺"), ("有效活菌数", "≥2亿/克"), ("生产厂家", "山东根力旺生物科技有限公司"), ("规格", "5kg")),
     "根治根结线虫，一次见效，增产50%。", "prohibited efficacy claims (根治, 特效) and no registration number"),
    ("seed_no_licence", "agri_inputs", "seed", None, "高产杂交玉米种子 散装 10斤 抗倒伏", "high-yield hybrid maize seed, loose, 5 kg",
     60.0, (("品种", "高产1号"), ("规格", "5kg")),
     "散装种子，产量高，抗倒伏。", "seed without variety approval or licence number, no producer"),
    ("whitening_ordinary", "cosmetics", "whitening", "雪肌源", "雪肌源 美白淡斑精华 30ml 祛斑提亮", "Xuejiyuan whitening dark-spot serum 30 ml",
     89.0, (("品牌", "雪肌源"), ("备案编号", "粤G妆网备字2022324124"), ("生产企业", "广州雪肌源生物科技有限公司"), ("功效", "美白 淡斑"), ("净含量", "30ml")),
     "美白淡斑，28天提亮肤色。", "whitening claim with only an ordinary filing number"),
    ("spf_ordinary", "cosmetics", "sunscreen", "清颜", "清颜 防晒霜 SPF50+ PA+++ 60g 军训户外", "Qingyan sunscreen SPF50+ PA+++ 60 g",
     59.0, (("品牌", "清颜"), ("备案编号", "浙G妆网备字2021001122"), ("生产企业", "浙江清颜化妆品有限公司"), ("功效", "防晒 SPF50+"), ("净含量", "60g")),
     "高倍防晒，不油腻。", "sunscreen claim with only an ordinary filing number"),
    ("legacy_zhunzi", "cosmetics", "skincare", "芳草集", "芳草集 植物润肤乳 200ml", None,
     39.0, (("品牌", "芳草集"), ("批准文号", "卫妆准字29-XK-3298"), ("生产企业", "广州芳草集日化有限公司"), ("净含量", "200ml")),
     "植物精华，滋润不粘腻。", "legacy 卫妆准字 only, no current filing number"),
    ("legacy_tezi", "cosmetics", "whitening", "美丽源", "美丽源 祛斑霜 20g 老牌", None,
     49.0, (("品牌", "美丽源"), ("批准文号", "卫妆特字(2008)第0456号"), ("生产企业", "汕头市美丽源化妆品厂"), ("功效", "祛斑"), ("净含量", "20g")),
     "老牌祛斑霜。", "legacy 卫妆特字 only, freckle-removal claim without current registration"),
    ("hair_dye_ordinary", "cosmetics", "haircare", "植萃", "植萃 植物染发剂 一洗黑 500ml", "Zhicui plant hair dye shampoo 500 ml",
     69.0, (("品牌", "植萃"), ("备案编号", "粤G妆网备字2023012345"), ("生产企业", "广州植萃日化有限公司"), ("功效", "染发"), ("净含量", "500ml")),
     "一洗黑，植物配方。", "hair-dye claim with only an ordinary filing number"),
    ("sanwu_cosmetic", "cosmetics", "whitening", None, "手工自制 美白霜 无添加 50g", None,
     35.0, (("净含量", "50g"),),
     "纯手工自制，美白嫩肤。", "三无 cosmetic: no brand, manufacturer, address or filing; whitening claim"),
    ("pads_no_ccc", "auto_parts", "brake", "驰安", "驰安 陶瓷刹车片 前片 适用于本田思域", "Chi'an ceramic front brake pads for Honda Civic",
     98.0, (("品牌", "驰安"), ("适用车型", "本田思域"), ("生产厂家", "瑞安市驰安汽车配件有限公司"), ("规格", "4片/套")),
     "低粉尘，静音。出口欧洲款 无3C认证 介意勿拍", "brake pads sold as an export model that says it has no CCC (无3C)"),
    ("tyre_no_ccc", "auto_parts", "tyre", "路腾", "路腾 轮胎 195/65R15 91H 耐磨", "Luteng tyre 195/65 R15 91H",
     239.0, (("品牌", "路腾"), ("规格", "195/65R15 91H"), ("3C认证", "无"), ("生产厂家", "山东路腾轮胎有限公司")),
     "耐磨静音。", "tyre whose spec table says it has no CCC (3C认证: 无)"),
    ("led_no_ccc", "auto_parts", "lamp", "超亮", "超亮 LED大灯 H7 12000LM 改装 无损安装", "Super bright LED headlight bulbs H7 12000 lm",
     79.0, (("品牌", "超亮"), ("型号", "H7"), ("生产厂家", "深圳超亮光电有限公司"), ("规格", "2只装")),
     "亮度提升300%。改装件 无3C 年检请自行拆除", "exterior lamp sold as a retrofit part that says it has no CCC (无3C)"),
    ("sanwu_fluid", "auto_parts", "fluid", None, "刹车油 DOT4 1L 散装 通用", None,
     15.0, (("规格", "1L"),),
     "通用型刹车油，散装。", "三无 brake fluid sold loose: no brand, manufacturer or address"),
)

# The English rendering of a regulatory case whose tell is in its description says it too (a
# translated listing keeps its "无3C"); the others repeat the title.
REGULATORY_DESC_EN = {
    "pads_no_ccc": "Low dust, quiet. Export (EU) version, no CCC certification; please do not order if you need it.",
    "led_no_ccc": "300% brighter. Retrofit part without CCC: take the bulbs out before the annual inspection.",
}

HARD_NEGATIVES: tuple[tuple, ...] = (
    ("mobile_holder", "auto_parts", "accessory", "YOUCAR", "车载手机支架 mobile phone holder 磁吸 出风口", "Mobile phone holder for car, magnetic air-vent mount",
     39.0, (("品牌", "YOUCAR"), ("材质", "铝合金"), ("生产厂家", "深圳优卡科技有限公司"), ("规格", "1个")),
     "磁吸牢固，适配大部分手机。", "'Mobil' inside 'mobile phone holder'"),
    ("key_shell", "auto_parts", "accessory", "KeyPro", "汽车钥匙壳 key shell 适用于丰田卡罗拉 三键", "Car key shell for Toyota Corolla, 3-button remote case",
     19.0, (("品牌", "KeyPro"), ("适用车型", "丰田卡罗拉"), ("材质", "ABS"), ("生产厂家", "东莞市钥匙宝电子有限公司")),
     "替换旧钥匙外壳。", "'Shell' as in key shell, and names the car it fits"),
    ("phone_shell", "auto_parts", "accessory", "壳之家", "车载充电手机壳 phone shell 防摔 磁吸", "Shockproof magnetic phone shell for car mounts",
     29.0, (("品牌", "壳之家"), ("材质", "TPU"), ("生产厂家", "深圳壳之家科技有限公司")),
     "防摔磁吸，配合车载支架使用。", "'Shell' as in phone shell"),
    ("dove_grey_seat", "auto_parts", "accessory", "驾享", "Dove grey 汽车座套 四季通用 全包", "Dove grey car seat covers, full set, PU leather",
     299.0, (("品牌", "驾享"), ("颜色", "Dove grey 鸽灰"), ("材质", "PU皮"), ("生产厂家", "河北驾享汽车用品有限公司")),
     "鸽灰色，百搭。", "'Dove grey' is a colour"),
    ("dove_grey_shadow", "cosmetics", "makeup", "Colorkey", "单色哑光眼影 色号 Dove Grey", "Matte eyeshadow single, shade Dove Grey",
     49.0, (("品牌", "Colorkey"), ("备案编号", "粤G妆网备字2021098765"), ("生产企业", "广州珂拉琪化妆品有限公司"), ("颜色", "Dove Grey"), ("净含量", "2g")),
     "哑光质地，显色持久。", "'Dove Grey' is a shade name"),
    ("pads_fit_vw", "auto_parts", "brake", "路安", "路安 刹车片 前片 适用于大众朗逸/速腾 陶瓷配方", "Lu'an front brake pads, compatible with VW Lavida/Sagitar",
     128.0, (("品牌", "路安"), ("适用车型", "大众朗逸/速腾"), ("CCC证书编号", "2022011105054321"), ("生产厂家", "杭州路安制动系统有限公司"), ("规格", "4片/套")),
     "副厂件，适配原车，低噪音。", "aftermarket pads naming the car they fit (适用于大众), with CCC"),
    ("filter_toyota", "auto_parts", "filter", "Filtrex", "机油滤清器 适用于丰田卡罗拉/凯美瑞 90915-YZZE1", "Oil filter compatible with Toyota Corolla / Camry (replaces 90915-YZZE1)",
     25.0, (("品牌", "Filtrex"), ("适用车型", "丰田卡罗拉/凯美瑞"), ("零件号", "FX-1001"), ("生产厂家", "温州菲特斯滤清器有限公司")),
     "高效过滤，替换原车件 90915-YZZE1。", "aftermarket filter compatible with Toyota"),
    ("gap_tool", "auto_parts", "accessory", "Toolman", "火花塞间隙规 适用于NGK/电装火花塞", "Spark plug gap gauge, fits NGK and Denso plugs",
     12.0, (("品牌", "Toolman"), ("材质", "不锈钢"), ("生产厂家", "宁波工匠工具有限公司")),
     "测量火花塞间隙。", "tool that names the plugs it fits"),
    ("urea", "agri_inputs", "fertilizer", "心连心", "心连心 尿素 46% 农用氮肥 40kg", "Xinlianxin urea 46% N fertilizer 40 kg",
     135.0, (("品牌", "心连心"), ("养分含量", "总氮≥46.0%"), ("执行标准", "GB/T 2440-2017"), ("生产厂家", "河南心连心化学工业集团股份有限公司")),
     "颗粒均匀，溶解快。", "urea is exempt from fertilizer registration"),
    ("kcl", "agri_inputs", "fertilizer", "盐湖", "盐湖 氯化钾 60% 农用钾肥 50kg", None,
     175.0, (("品牌", "盐湖"), ("养分含量", "K2O≥60%"), ("执行标准", "GB/T 37918-2019"), ("生产厂家", "青海盐湖工业股份有限公司")),
     "优质钾肥。", "potassium chloride is exempt from fertilizer registration"),
    ("ammonium_sulphate", "agri_inputs", "fertilizer", "晋丰", "硫酸铵 21% 农用 50kg", "Ammonium sulphate 21% N, 50 kg",
     85.0, (("品牌", "晋丰"), ("养分含量", "N≥21%"), ("执行标准", "GB/T 535-2020"), ("生产厂家", "山西晋丰化工有限公司")),
     "适合碱性土壤。", "ammonium sulphate is exempt from fertilizer registration"),
    ("orchid_hand_cream", "cosmetics", "skincare", "青禾集", "青禾集 兰花香型 护手霜 50g", "Qinghe orchid-scented hand cream 50 g",
     29.0, (("品牌", "青禾集"), ("备案编号", "浙G妆网备字2022004567"), ("生产企业", "浙江青禾集日化有限公司"), ("净含量", "50g")),
     "兰花香，滋润不油。", "兰花 (orchid) is not 兰蔻"),
    # What the planted CCC and 三无 cases looked like before issue 11: the listing merely does
    # not show a number or a maker. Most genuine listings never do, so none is a flag.
    ("pads_ccc_not_shown", "auto_parts", "brake", "博瑞", "博瑞 陶瓷刹车片 后片 适用于丰田卡罗拉", "Borui ceramic rear brake pads for Toyota Corolla",
     108.0, (("品牌", "博瑞"), ("适用车型", "丰田卡罗拉"), ("生产厂家", "台州博瑞制动器有限公司"), ("规格", "4片/套")),
     "低噪音，少粉尘。", "aftermarket brake pads of a named maker, no CCC number shown (not a flag under issue 11's "
     "policy: a CCC number that a named maker's listing does not show is no reason by itself)"),
    ("tyre_ccc_not_shown", "auto_parts", "tyre", "驰途", "驰途 轮胎 205/55R16 91V 静音舒适", "Chitu tyre 205/55 R16 91V, quiet and comfortable",
     299.0, (("品牌", "驰途"), ("规格", "205/55R16 91V"), ("生产厂家", "山东驰途轮胎有限公司")),
     "静音耐磨，湿地抓地力好。", "tyre of a named maker, no CCC number shown (not a flag under issue 11's policy: "
     "a CCC number that a named maker's listing does not show is no reason by itself)"),
    ("washer_fluid_unbranded", "auto_parts", "accessory", None, "汽车玻璃水 2L 四季通用 去油膜", None,
     9.9, (("规格", "2L"),),
     "四季通用，去油膜，不伤雨刮。", "unbranded washer fluid with no maker or address shown (not a flag under issue 11's "
     "policy: a 三无 listing that only leaves out brand, maker and address without saying so is weak evidence on its own)"),
)


# --------------------------------------------------------------------------- the realistic clean mix

@dataclass(frozen=True)
class Clean:
    """A listing the rules should leave alone, of a kind real marketplaces are full of."""

    kind: str
    key: str
    sites: str  # which shops carry it: g(reenmart) b(aihuo) k(uaigou)
    category: str
    sub: str
    seller: str  # official (the brand's 自营 store on the site, else its flagship) | flagship | authorised |
    #              independent | secondhand | toyshop | aftermarket | generic | reseller
    title_zh: str | None
    title_en: str | None
    price: float | tuple[str, float]  # CNY, or (product key, factor of its reference price)
    attrs: tuple[tuple[str, str], ...]
    note: str
    brand: str | None = None  # brand key of BRANDS whose goods these are (official stores, truth mark)
    shown_brand: tuple[str | None, str | None] | None = None  # (zh, en) brand field; default: BRANDS names
    mark: str | None = None  # the watched mark concerned when it is not the brand (common words)
    desc_zh: str = ""
    desc_en: str = ""


def _c(kind, key, sites, category, sub, seller, title_zh, title_en, price, attrs, note, **kw) -> Clean:
    return Clean(kind, key, sites, category, sub, seller, title_zh, title_en, price, tuple(attrs), note, **kw)


REALISTIC: tuple[Clean, ...] = (
    # Official brand stores selling their own goods, no number shown.
    _c("official_no_number", "off_amistar", "gk", "agri_inputs", "pesticide", "official",
       "先正达 阿米妙收 32.5%苯甲·嘧菌酯 悬浮剂 100ml 官方正品", "Syngenta Amistar Top fungicide SC 100 ml, official store",
       ("amistar_top", 1.0), (("品牌", "先正达"), ("有效成分", "苯醚甲环唑12.5%、嘧菌酯20%"), ("剂型", "悬浮剂"), ("规格", "100ml")),
       "brand's own store selling its own pesticide; registration and label code not shown", brand="syngenta",
       desc_zh="官方直营，正品保障，请按标签使用。", desc_en="Sold by Syngenta. Use as the label says."),
    _c("official_no_number", "off_nativo", "bk", "agri_inputs", "pesticide", "official",
       "拜耳 拿敌稳 肟菌·戊唑醇 水分散粒剂 15g 杀菌剂", "Bayer Nativo fungicide WG 15 g",
       ("nativo", 1.0), (("品牌", "拜耳"), ("有效成分", "肟菌酯25%、戊唑醇50%"), ("规格", "15g")),
       "Bayer's own store (自营) selling Nativo; no registration number shown", brand="bayer",
       desc_zh="拜耳官方发货，防治白粉病、锈病。"),
    _c("official_no_number", "off_headline", "gbk", "agri_inputs", "pesticide", "official",
       "巴斯夫 凯润 吡唑醚菌酯 乳油 100ml 官方旗舰", "BASF Headline pyraclostrobin EC 100 ml",
       ("headline", 0.98), (("品牌", "巴斯夫"), ("有效成分", "吡唑醚菌酯250克/升"), ("规格", "100ml")),
       "BASF's own store selling Headline without registration or label code", brand="basf",
       desc_zh="巴斯夫官方店，保护性杀菌剂。"),
    _c("official_no_number", "off_uv_perfect", "gbk", "cosmetics", "sunscreen", "official",
       "欧莱雅 小金管 多重防护隔离露 SPF50+ 30ml 官方正品", "L'Oréal Paris UV Perfect SPF50+ 30 ml, official",
       ("uv_perfect", 1.0), (("品牌", "欧莱雅"), ("功效", "防晒 SPF50+ PA++++"), ("净含量", "30ml")),
       "L'Oréal's own store selling its sunscreen; special-use registration not shown", brand="loreal",
       desc_zh="官方自营，防晒隔离二合一。"),
    _c("official_no_number", "off_winona_uv", "gk", "cosmetics", "sunscreen", "official",
       "薇诺娜 清透防晒乳 SPF48 50g 敏感肌 店铺活动价", "Winona clear sunscreen lotion SPF48 50 g, store promotion",
       ("winona_uv", 0.92), (("品牌", "薇诺娜"), ("功效", "防晒 SPF48 PA+++"), ("净含量", "50g")),
       "Winona's own store, sunscreen at a 92% promotion price, no registration shown", brand="winona",
       desc_zh="敏感肌适用，活动期间满减。"),
    _c("official_no_number", "off_uv_expert", "bk", "cosmetics", "sunscreen", "official",
       "兰蔻 小白管 清透防晒隔离乳 SPF50 30ml", "Lancôme UV Expert SPF50 30 ml",
       ("uv_expert", 1.0), (("品牌", "兰蔻"), ("原产国", "日本"), ("净含量", "30ml")),
       "Lancôme's own store (自营) selling UV Expert, no registration or responsible person shown", brand="lancome"),
    _c("official_no_number", "off_bosch_lamp", "gbk", "auto_parts", "lamp", "official",
       "博世 H7 卤素大灯灯泡 12V 55W 2只装", "Bosch H7 halogen headlight bulbs 12V 55W, 2 pcs",
       89.0, (("品牌", "博世"), ("型号", "H7 12V 55W"), ("规格", "2只装")),
       "Bosch's own store selling its lamps (a CCC product) without the certificate number", brand="bosch",
       desc_zh="原厂品质，即插即用。", desc_en="Plug and play, original quality."),
    _c("official_no_number", "off_fuyao_ws", "gk", "auto_parts", "glass", "official",
       "福耀 前挡风玻璃 适用于大众朗逸 含安装", "Fuyao windscreen for VW Lavida, fitting included",
       ("fuyao_ws", 1.0), (("品牌", "福耀"), ("适用车型", "大众朗逸"), ("规格", "1块")),
       "Fuyao's own store selling its windscreen (CCC product) with no certificate number shown", brand="fuyao",
       desc_zh="福耀官方，门店安装。"),
    _c("official_no_number", "off_primacy", "bk", "auto_parts", "tyre", "official",
       "米其林 浩悦4 205/55R16 91V 轮胎 官方", "Michelin Primacy 4 205/55 R16 91V",
       ("primacy4", 0.97), (("品牌", "米其林"), ("型号", "PRIMACY 4"), ("规格", "1条")),
       "Michelin's own store, tyre (CCC product) without certificate number", brand="michelin"),
    _c("official_no_number", "off_brembo", "gb", "auto_parts", "brake", "official",
       "布雷博 前刹车片 P 85 075 适用于奥迪A4L", "Brembo front brake pads P 85 075 for Audi A4L",
       ("brembo_p85", 1.0), (("品牌", "布雷博"), ("零件号", "P 85 075"), ("适用车型", "奥迪A4L"), ("规格", "4片/套")),
       "Brembo flagship selling its pads with no CCC number shown", brand="brembo"),
    _c("official_no_number", "off_stanley_wsf", "bk", "agri_inputs", "fertilizer", "official",
       "史丹利 大量元素水溶肥 20-20-20+TE 5kg", None,
       ("stanley_wsf", 1.0), (("品牌", "史丹利"), ("养分含量", "N-P2O5-K2O 20-20-20"), ("规格", "5kg")),
       "Stanley's own store, water-soluble fertilizer without registration shown", brand="stanley"),
    _c("official_no_number", "off_dh605", "gk", "agri_inputs", "seed", "official",
       "登海605 玉米种子 2.5kg 官方直发", "Denghai 605 maize seed 2.5 kg, shipped by Denghai",
       ("dh605", 1.0), (("品牌", "登海"), ("品种", "登海605"), ("规格", "2.5kg")),
       "Denghai's own store, seed without approval or licence number shown", brand="denghai"),

    # Unauthorised resellers of genuine goods at 80-110% of the reference price.
    _c("unauthorised_reseller", "rs_actara_1688", "bk", "agri_inputs", "pesticide", "independent",
       "1688源头 先正达 阿克泰 噻虫嗪 4g×10袋 整箱批发", None,
       ("actara", 0.85), (("品牌", "先正达"), ("有效成分", "噻虫嗪25%"), ("规格", "4g×10袋")),
       "1688 wholesaler reselling genuine Actara at 85%", brand="syngenta",
       desc_zh="经销商渠道货，整箱批发，量大可议价。"),
    _c("unauthorised_reseller", "rs_kingenta_crf", "gbk", "agri_inputs", "fertilizer", "independent",
       "金正大 控释复合肥 26-10-12 40kg 门市自提", "Kingenta controlled-release fertilizer 26-10-12, 40 kg, farm store pickup",
       ("kingenta_crf", 0.92), (("品牌", "金正大"), ("养分含量", "N-P2O5-K2O 26-10-12"), ("规格", "40kg")),
       "village farm store reselling genuine Kingenta at 92%", brand="kingenta"),
    _c("unauthorised_reseller", "rs_lp206", "bk", "agri_inputs", "seed", "independent",
       "隆平206 玉米种子 4000粒 农资门市 正品", None,
       ("lp206", 1.05), (("品牌", "隆平高科"), ("品种", "隆平206"), ("规格", "4000粒")),
       "unlisted farm-supply shop reselling Longping 206 at 105%", brand="longping"),
    _c("unauthorised_reseller", "rs_fte_daigou", "gbk", "cosmetics", "skincare", "independent",
       "海外代购 SK-II 神仙水 230ml 日本免税店", "SK-II Facial Treatment Essence 230 ml, bought in Japan duty-free",
       ("fte", 0.88), (("品牌", "SK-II"), ("原产国", "日本"), ("净含量", "230ml")),
       "海外代购 of genuine SK-II at 88%, Japanese packaging", brand="skii",
       desc_zh="日本免税店采购，可提供小票。", desc_en="Bought at a Japanese duty-free shop; receipt available."),
    _c("unauthorised_reseller", "rs_genifique_hk", "bk", "cosmetics", "skincare", "independent",
       "香港代购 兰蔻 小黑瓶 精华肌底液 50ml 港版", None,
       ("genifique", 0.9), (("品牌", "兰蔻"), ("原产国", "法国"), ("净含量", "50ml")),
       "Hong Kong 代购 of genuine Génifique at 90%", brand="lancome"),
    _c("unauthorised_reseller", "rs_revitalift_en", "g", "cosmetics", "skincare", "independent",
       None, "L'Oréal Paris Revitalift hyaluronic acid serum 50 ml, sealed, UK stock",
       ("revitalift", 1.05), (("品牌", "L'Oréal Paris"), ("净含量", "50ml")),
       "independent importer on the English shop selling genuine Revitalift at 105%", brand="loreal",
       desc_en="Sealed retail box, imported from UK retail stock."),
    _c("unauthorised_reseller", "rs_mobil1_parallel", "gbk", "auto_parts", "oil", "independent",
       "平行进口 美孚1号 全合成机油 0W-40 4L 欧版", "Mobil 1 0W-40 4 L, EU parallel import",
       ("mobil1", 0.9), (("品牌", "美孚"), ("型号", "Mobil 1 0W-40"), ("原产国", "德国"), ("规格", "4L")),
       "平行进口 genuine Mobil 1 at 90%", brand="mobil", desc_zh="欧洲平行进口，外文标签。"),
    _c("unauthorised_reseller", "rs_edge_1688", "bk", "auto_parts", "oil", "independent",
       "1688批发 嘉实多 极护 全合成机油 5W-30 SP 4L 整箱6桶", None,
       ("edge", 0.85), (("品牌", "嘉实多"), ("型号", "EDGE 5W-30"), ("规格", "4L")),
       "1688 wholesale of genuine Castrol EDGE at about 85% (case price)", brand="castrol",
       desc_zh="汽修厂渠道，整箱价更优。"),
    _c("unauthorised_reseller", "rs_ngk_en", "gk", "auto_parts", "spark_plug", "independent",
       None, "NGK Laser Iridium ILKAR7B11 spark plugs, 4 pcs, genuine stock from our garage",
       ("ilkar7b11", 1.0), (("品牌", "NGK"), ("型号", "ILKAR7B11"), ("规格", "4支装")),
       "independent garage reselling genuine NGK plugs at the reference price", brand="ngk"),
    _c("unauthorised_reseller", "rs_ik20tt", "bk", "auto_parts", "spark_plug", "independent",
       "电装 铱金火花塞 IK20TT 4支装 汽修店同款", "Denso Iridium TT IK20TT, 4 pcs, workshop stock",
       ("ik20tt", 0.95), (("品牌", "电装"), ("型号", "IK20TT"), ("适用车型", "丰田卡罗拉/雷凌"), ("规格", "4支装")),
       "workshop supplier reselling genuine Denso plugs at 95%", brand="denso"),

    # Compatible / replacement parts naming what they fit, own or no brand.
    _c("compatible_part", "cp_wiper_accord", "gbk", "auto_parts", "wiper", "aftermarket",
       "净视 无骨雨刮片 适用于本田雅阁 24/18寸 静音", "Jingshi frameless wiper blades, fits Honda Accord, 24/18\"",
       45.0, (("品牌", "净视"), ("适用车型", "本田雅阁"), ("规格", "2支装")),
       "own-brand wipers naming the car they fit", shown_brand=("净视", "Jingshi"), mark="Honda"),
    _c("compatible_part", "cp_plug_corolla", "gbk", "auto_parts", "spark_plug", "aftermarket",
       "铱金火花塞 适配丰田卡罗拉/雷凌 可替代电装 IK20TT 4支", "Iridium spark plugs, replacement for Denso IK20TT, fits Toyota Corolla",
       68.0, (("适用车型", "丰田卡罗拉/雷凌"), ("规格", "4支装")),
       "unbranded compatible plugs citing the Denso part number as a cross-reference", shown_brand=(None, None),
       mark="Denso", desc_zh="替换原车火花塞，参考型号 IK20TT。"),
    _c("compatible_part", "cp_pads_lavida", "bk", "auto_parts", "brake", "aftermarket",
       "驰骋 陶瓷刹车片 前片 适用于大众朗逸 替代博世 0 986 AB2 526", None,
       118.0, (("品牌", "驰骋"), ("适用车型", "大众朗逸/速腾"), ("CCC证书编号", "2022011105067812"), ("规格", "4片/套")),
       "own-brand pads with CCC, naming the car and the Bosch part they replace", shown_brand=("驰骋", "Chicheng"),
       mark="Bosch", desc_zh="副厂件，对标原厂尺寸，低粉尘。"),
    _c("compatible_part", "cp_air_filter", "gk", "auto_parts", "filter", "aftermarket",
       "空气滤芯 兼容博世 F 026 400 287 适用于大众速腾", "Air filter compatible with Bosch F 026 400 287, fits VW Sagitar",
       29.0, (("品牌", "清源"), ("适用车型", "大众速腾"), ("零件号", "QY-A287")),
       "own-brand filter giving the Bosch part number as a cross-reference", shown_brand=("清源", "Qingyuan"), mark="Bosch"),
    _c("compatible_part", "cp_washer_pump", "gk", "auto_parts", "accessory", "aftermarket",
       "雨刮喷水电机 适用于本田思域 替换原厂 76806-TBA-A01", "Windscreen washer pump, fits Honda Civic 2016-2021, replaces OEM 76806-TBA-A01",
       39.0, (("适用车型", "本田思域"), ("零件号", "76806-TBA-A01 (OEM ref.)")),
       "unbranded replacement pump citing the OEM part number", shown_brand=(None, None), mark="Honda"),
    _c("compatible_part", "cp_glass_corolla", "gb", "auto_parts", "glass", "aftermarket",
       "明视 前挡风玻璃 适用于丰田卡罗拉 与福耀原配同规格 带CCC", "Mingshi windscreen for Toyota Corolla, same size as the Fuyao original",
       560.0, (("品牌", "明视"), ("适用车型", "丰田卡罗拉"), ("CCC证书编号", "2021011201087650"), ("规格", "1块")),
       "own-brand windscreen with CCC comparing itself to the Fuyao original fitment", shown_brand=("明视", "Mingshi"),
       mark="Fuyao"),
    _c("compatible_part", "cp_kubota_blade", "gbk", "agri_inputs", "machinery", "generic",
       "收割机割刀 适用于久保田PRO688 替代原厂件 5T051-51410", "Cutter blade for Kubota PRO688 harvester, replacement for 5T051-51410",
       85.0, (("品牌", "农友"), ("适用机型", "久保田PRO688"), ("材质", "65锰钢")),
       "own-brand harvester blade naming the Kubota machine it fits", shown_brand=("农友", "Nongyou"), mark="Kubota"),

    # A watched mark used as a common word.
    _c("common_word", "cw_shell_white", "gbk", "auto_parts", "accessory", "generic",
       "贝壳白 Shell White 补漆笔 汽车划痕修复", "Shell White touch-up paint pen for car scratches",
       25.0, (("品牌", "漆匠"), ("颜色", "Shell White 贝壳白")),
       "'Shell White' is a paint colour", shown_brand=("漆匠", "Qijiang"), mark="Shell"),
    _c("common_word", "cw_hard_shell", "gk", "auto_parts", "accessory", "generic",
       "硬壳车顶行李箱 hard shell 450L SUV通用", "Hard-shell roof box 450 L for SUVs",
       1299.0, (("品牌", "途行"), ("材质", "ABS+PC"), ("规格", "450L")),
       "'hard shell' describes the roof box", shown_brand=("途行", "Tuxing"), mark="Shell"),
    _c("common_word", "cw_bayern", "gb", "auto_parts", "accessory", "generic",
       "巴伐利亚 Bayern 蓝白菱格 反光车贴", "Bayern blue-and-white lozenge reflective car sticker",
       15.0, (("品牌", "车贴坊"), ("材质", "反光膜")),
       "'Bayern' (Bavaria, a place) contains 'Bayer'", shown_brand=("车贴坊", "Chetiefang"), mark="Bayer"),
    _c("common_word", "cw_meifoo", "bk", "auto_parts", "accessory", "generic",
       "香港美孚新邨门店自提 全包围汽车脚垫 TPE", None,
       188.0, (("品牌", "足迹"), ("材质", "TPE")),
       "美孚新邨 is a Hong Kong housing estate (pickup point), not Mobil", shown_brand=("足迹", None), mark="Mobil"),
    _c("common_word", "cw_mobility", "gk", "auto_parts", "accessory", "generic",
       None, "Mobility scooter puncture-proof tyres 3.00-4, pair",
       120.0, (("品牌", "RollEasy"), ("规格", "3.00-4")),
       "'Mobility' contains 'Mobil'; scooter tyres are no car parts", shown_brand=(None, "RollEasy"), mark="Mobil"),
    _c("common_word", "cw_camel_seat", "gbk", "auto_parts", "accessory", "generic",
       "驼色 Camel 毛绒汽车座垫 冬季保暖", "Camel-colour plush car seat cushion for winter",
       139.0, (("品牌", "暖途"), ("颜色", "Camel 驼色")),
       "'Camel' is a colour here", shown_brand=("暖途", "Nuantu"), mark="Camel"),
    _c("common_word", "cw_camel_milk", "bk", "cosmetics", "skincare", "generic",
       "新疆骆驼奶 滋润面霜 50g", None,
       59.0, (("品牌", "驼乡"), ("净含量", "50g")),
       "骆驼 is the animal (camel-milk cream), not the Camel battery mark", shown_brand=("驼乡", None), mark="Camel"),
    _c("common_word", "cw_champion", "gbk", "auto_parts", "accessory", "generic",
       "冠军之选 车载吸尘器 大吸力 无线", "Cordless car vacuum, a champion of suction",
       99.0, (("品牌", "洁驰"), ("规格", "1台")),
       "冠军 / champion as an ordinary word", shown_brand=("洁驰", "Jiechi"), mark="Champion"),
    _c("common_word", "cw_fuyao_sticker", "bk", "auto_parts", "accessory", "generic",
       "福耀九州 汽车福字车贴 新年装饰", None,
       9.9, (("材质", "PVC"),),
       "福耀九州 is a New Year blessing, not the Fuyao mark", shown_brand=(None, None), mark="Fuyao"),
    _c("common_word", "cw_rainbow", "gk", "cosmetics", "makeup", "generic",
       "Rainbow 彩虹眼影盘 12色 珠光", "Rainbow eyeshadow palette, 12 shimmer shades",
       69.0, (("品牌", "花漾"), ("净含量", "12g")),
       "'Rainbow' describes the palette's colours", shown_brand=("花漾", "Huayang"), mark="Rainbow"),
    _c("common_word", "cw_dove_wedding", "gk", "auto_parts", "accessory", "generic",
       "婚车装饰 白鸽 Dove 丝带套装", "Wedding car decoration kit with white doves and ribbons",
       79.0, (("品牌", "喜事多"), ("颜色", "白")),
       "'dove' is the bird on a wedding car", shown_brand=("喜事多", "Xishiduo"), mark="Dove"),

    # Scale models and toys.
    _c("scale_model", "toy_celica", "gbk", "auto_parts", "model", "toyshop",
       "1:18 丰田 Celica GT-Four 嘉实多涂装 合金车模 拉力赛", "1:18 diecast Toyota Celica GT-Four rally car, Castrol livery",
       399.0, (("品牌", "驰模"), ("比例", "1:18"), ("材质", "合金")),
       "1:18 scale model in a historic Castrol rally livery", shown_brand=("驰模", "Chimo"), mark="Castrol"),
    _c("scale_model", "toy_shell_tanker", "gbk", "auto_parts", "model", "toyshop",
       "1:64 壳牌 Shell 油罐车 合金模型", "1:64 diecast fuel tanker truck, Shell livery",
       39.0, (("比例", "1:64"), ("材质", "合金")),
       "1:64 toy tanker in Shell colours", shown_brand=(None, None), mark="Shell"),
    _c("scale_model", "toy_bosch_kids", "gb", "auto_parts", "model", "toyshop",
       "博世 儿童玩具电钻工具箱 过家家 仿真", "Kids' toy tool case with Bosch toy drill",
       129.0, (("品牌", "博世"), ("适用年龄", "3+")),
       "licensed children's toy tool set carrying the Bosch name", shown_brand=("博世", "Bosch"), mark="Bosch"),
    _c("scale_model", "toy_brembo_gt", "bk", "auto_parts", "model", "toyshop",
       "1:64 合金车模 6辆装 GT赛车 红色Brembo卡钳涂装", "1:64 diecast GT race cars, 6-pack, red Brembo-style calipers",
       59.0, (("比例", "1:64"), ("规格", "6辆装")),
       "toy cars whose painted calipers read Brembo", shown_brand=(None, None), mark="Brembo"),
    _c("scale_model", "toy_michelin_man", "gk", "auto_parts", "model", "official",
       "米其林轮胎人 Bibendum 公仔 车载摆件 官方周边", "Michelin Man (Bibendum) figure, official merchandise",
       69.0, (("品牌", "米其林"), ("材质", "PVC")),
       "Michelin's own merchandise sold by its store", brand="michelin"),

    # A brand's own heritage / re-issue line from its own or authorised store.
    _c("heritage_line", "her_pechoin_tin", "gbk", "cosmetics", "skincare", "flagship",
       "百雀羚 经典复刻 铁盒冷霜 80g 国货老牌", "Pechoin classic re-issue cold cream in the heritage tin, 80 g",
       39.0, (("品牌", "百雀羚"), ("净含量", "80g")),
       "Pechoin's own 经典复刻 heritage tin from its flagship", brand="pechoin"),
    _c("heritage_line", "her_castrol_classic", "gbk", "auto_parts", "oil", "authorised",
       "嘉实多 Castrol Classic XL 20W-50 经典复刻铁罐 老爷车 4L", "Castrol Classic XL 20W-50 heritage tin, 4 L, for classic cars",
       359.0, (("品牌", "嘉实多"), ("型号", "Classic XL 20W-50"), ("规格", "4L")),
       "Castrol's classic-car re-issue line sold by the authorised dealer", brand="castrol"),
    _c("heritage_line", "her_michelin_xas", "gk", "auto_parts", "tyre", "flagship",
       "米其林 XAS 复刻版 经典轮胎 165HR15 老爷车", "Michelin XAS re-issue classic tyre 165HR15",
       1280.0, (("品牌", "米其林"), ("型号", "XAS"), ("规格", "1条")),
       "Michelin's own classic-tyre re-issue (复刻版) from its flagship", brand="michelin"),

    # Honest listings that deny counterfeit words, at normal prices.
    _c("denies_counterfeit", "dn_headline", "gbk", "agri_inputs", "pesticide", "authorised",
       "巴斯夫 凯润 吡唑醚菌酯 乳油 100ml 假一赔十 拒绝高仿", "BASF Headline 100 ml, genuine only, no fakes",
       ("headline", 1.0), (("品牌", "巴斯夫"), ("规格", "100ml")),
       "authorised dealer denying fakes (假一赔十, 拒绝高仿) at the normal price", brand="basf"),
    _c("denies_counterfeit", "dn_revitalift", "bk", "cosmetics", "skincare", "independent",
       "欧莱雅 复颜玻尿酸精华 50ml 专柜正品 非A货 假一赔十", None,
       ("revitalift", 0.95), (("品牌", "欧莱雅"), ("净含量", "50ml")),
       "reseller stating 非A货 / 假一赔十 at 95% of the reference price", brand="loreal"),
    _c("denies_counterfeit", "dn_bosch_pads", "gk", "auto_parts", "brake", "authorised",
       "博世 陶瓷刹车片 0 986 AB2 526 正品 不是仿品", "Bosch ceramic brake pads 0 986 AB2 526, genuine, not a replica",
       ("bosch_pads", 1.0), (("品牌", "博世"), ("零件号", "0 986 AB2 526"), ("规格", "4片/套")),
       "authorised dealer saying 'not a replica' at the normal price", brand="bosch"),
    _c("denies_counterfeit", "dn_pechoin", "gbk", "cosmetics", "skincare", "generic",
       "百雀羚 水能量焕颜霜 50g 正品保证 拒绝高仿", "Pechoin Hydra Energy cream 50 g, no copies, genuine guaranteed",
       ("pechoin_cream", 1.0), (("品牌", "百雀羚"), ("净含量", "50g")),
       "beauty shop denying copies (拒绝高仿) at the normal price", brand="pechoin"),
    _c("denies_counterfeit", "dn_primacy", "bk", "auto_parts", "tyre", "authorised",
       "米其林 浩悦4 205/55R16 非翻新 非A货 假一赔十", None,
       ("primacy4", 0.95), (("品牌", "米其林"), ("型号", "PRIMACY 4"), ("规格", "1条")),
       "authorised tyre dealer denying 翻新 / A货 at 95%", brand="michelin"),

    # Sample / travel sizes priced for their size.
    _c("sample_size", "sm_genifique_7ml", "gbk", "cosmetics", "skincare", "independent",
       "兰蔻 小黑瓶 精华肌底液 小样 7ml", "Lancôme Advanced Génifique, sample size 7 ml",
       165.0, (("品牌", "兰蔻"), ("净含量", "7ml")),
       "7 ml 小样 at 165 (the 50 ml is 1080: a slightly higher unit price)", brand="lancome"),
    _c("sample_size", "sm_fte_30ml", "gbk", "cosmetics", "skincare", "independent",
       "SK-II 神仙水 30ml 旅行装", "SK-II Facial Treatment Essence, travel size 30 ml",
       229.0, (("品牌", "SK-II"), ("净含量", "30ml")),
       "30 ml travel size at 229 (230 ml is 1540)", brand="skii"),
    _c("sample_size", "sm_uv_expert_10ml", "bk", "cosmetics", "sunscreen", "flagship",
       "兰蔻 小白管 防晒 10ml 试用装", None,
       155.0, (("品牌", "兰蔻"), ("净含量", "10ml")),
       "brand's own 10 ml trial size priced for its size", brand="lancome"),
    _c("sample_size", "sm_revitalift_15ml", "gk", "cosmetics", "skincare", "official",
       "欧莱雅 复颜玻尿酸精华 15ml 旅行装", "L'Oréal Paris Revitalift serum, travel size 15 ml",
       99.0, (("品牌", "欧莱雅"), ("净含量", "15ml")),
       "L'Oréal's own travel size, 15 ml at 99 (50 ml is 299)", brand="loreal"),
    _c("sample_size", "sm_amistar_10ml", "gbk", "agri_inputs", "pesticide", "authorised",
       "先正达 阿米妙收 10ml 小包装 试用装", "Syngenta Amistar Top 10 ml trial pack",
       5.0, (("品牌", "先正达"), ("规格", "10ml")),
       "10 ml trial pack at 5 (100 ml is 38)", brand="syngenta"),
    _c("sample_size", "sm_edge_1l", "gbk", "auto_parts", "oil", "official",
       "嘉实多 极护 5W-30 SP 1L 补充装", "Castrol EDGE 5W-30 top-up bottle, 1 L",
       102.0, (("品牌", "嘉实多"), ("型号", "EDGE 5W-30"), ("规格", "1L")),
       "1 L top-up bottle at 102 (4 L is 339)", brand="castrol"),

    # Second-hand goods at used prices.
    _c("second_hand", "sh_primacy", "gbk", "auto_parts", "tyre", "secondhand",
       "二手 米其林 浩悦4 205/55R16 8成新 拆车胎 1条", "Used Michelin Primacy 4 205/55 R16, 80% tread, 1 tyre",
       ("primacy4", 0.35), (("品牌", "米其林"), ("成色", "8成新"), ("规格", "1条")),
       "used tyre at 35%", brand="michelin"),
    _c("second_hand", "sh_genifique", "bk", "cosmetics", "skincare", "secondhand",
       "闲置 兰蔻小黑瓶 50ml 用过两次 剩90%", None,
       ("genifique", 0.55), (("品牌", "兰蔻"), ("成色", "剩90%"), ("净含量", "50ml")),
       "opened 闲置 serum at 55%", brand="lancome"),
    _c("second_hand", "sh_aerotwin", "gk", "auto_parts", "wiper", "secondhand",
       "二手 博世风翼雨刮 24/18寸 用了一季", "Used Bosch AeroTwin wiper blades 24/18\", one season old",
       ("aerotwin", 0.3), (("品牌", "博世"), ("成色", "一季"), ("规格", "2支装")),
       "used wipers at 30%", brand="bosch"),
    _c("second_hand", "sh_brembo", "gb", "auto_parts", "brake", "secondhand",
       "闲置 布雷博 刹车片 P 85 075 全新未拆 买错型号", "Brembo P 85 075 pads, unopened, bought for the wrong car",
       ("brembo_p85", 0.7), (("品牌", "布雷博"), ("成色", "全新未拆"), ("规格", "4片/套")),
       "unopened 闲置 pads at 70%", brand="brembo"),
    _c("second_hand", "sh_ngk", "bk", "auto_parts", "spark_plug", "secondhand",
       "闲置 NGK 火花塞 ILKAR7B11 剩2支 拆封未用", None,
       ("ilkar7b11", 0.3), (("品牌", "NGK"), ("型号", "ILKAR7B11"), ("规格", "2支")),
       "two left-over plugs of a set of four at 30% of the set price", brand="ngk"),

    # Ordinary (non-special-use) cosmetics with no registration number shown.
    _c("ordinary_cosmetic", "oc_hand_cream", "gbk", "cosmetics", "skincare", "generic",
       "草木间 植物护手霜 50g 滋润不油腻", "Caomujian botanical hand cream 50 g",
       25.0, (("品牌", "草木间"), ("净含量", "50g")),
       "ordinary hand cream, no filing number shown", shown_brand=("草木间", "Caomujian")),
    _c("ordinary_cosmetic", "oc_lip_balm", "bk", "cosmetics", "skincare", "generic",
       "蜜语 保湿润唇膏 4g 男女通用", None,
       19.0, (("品牌", "蜜语"), ("净含量", "4g")),
       "ordinary lip balm without filing number shown", shown_brand=("蜜语", None)),
    _c("ordinary_cosmetic", "oc_shampoo", "gk", "cosmetics", "haircare", "generic",
       None, "LeafCare herbal shampoo 400 ml, sulphate-free",
       45.0, (("品牌", "LeafCare"), ("净含量", "400ml")),
       "ordinary shampoo (no dye or anti-hair-loss claim), no number shown", shown_brand=(None, "LeafCare")),
    _c("ordinary_cosmetic", "oc_chando_cleanser", "gbk", "cosmetics", "skincare", "flagship",
       "自然堂 氨基酸洁面乳 120g", "CHANDO amino-acid facial cleanser 120 g",
       69.0, (("品牌", "自然堂"), ("净含量", "120g")),
       "CHANDO's ordinary cleanser from its flagship, no filing number shown", brand="chando"),

    # Exempt products: tools, mats, wipers, glue traps without active ingredient, sprayers.
    _c("exempt", "ex_glue_trap", "gbk", "agri_inputs", "pesticide", "generic",
       "捕快 粘鼠板 加厚 10张 无药物理捕鼠", "Sticky rat glue boards, 10 pcs, no poison",
       15.0, (("品牌", "捕快"), ("规格", "10张")),
       "glue trap without an active ingredient needs no pesticide registration", shown_brand=("捕快", "Bukuai")),
    _c("exempt", "ex_yellow_board", "gbk", "agri_inputs", "pesticide", "generic",
       "黄板 双面诱虫粘虫板 25×20cm 50张 不含农药", "Yellow sticky insect traps 25x20 cm, 50 sheets, no insecticide",
       22.0, (("品牌", "绿盾"), ("规格", "50张")),
       "sticky insect boards without insecticide are exempt", shown_brand=("绿盾", "Lvdun")),
    _c("exempt", "ex_torque_wrench", "gk", "auto_parts", "accessory", "generic",
       "工匠 扭力扳手 1/2 28-210N·m 轮胎螺丝", "Torque wrench 1/2\" 28-210 Nm for wheel nuts",
       159.0, (("品牌", "工匠"), ("规格", "28-210N·m")),
       "a tool: no CCC or other registration applies", shown_brand=("工匠", "Gongjiang")),
    _c("exempt", "ex_floor_mat", "bk", "auto_parts", "accessory", "generic",
       "车之垫 全包围汽车脚垫 适用于丰田卡罗拉 TPE", None,
       268.0, (("品牌", "车之垫"), ("适用车型", "丰田卡罗拉"), ("材质", "TPE")),
       "floor mats naming the car they fit; no certificate applies", shown_brand=("车之垫", None), mark="Toyota"),
    _c("exempt", "ex_wiper_universal", "gbk", "auto_parts", "wiper", "generic",
       "清风 通用无骨雨刮片 16-26寸 U型接口", "Universal frameless wiper blade 16-26\", U-hook",
       29.0, (("品牌", "清风"), ("规格", "1支")),
       "wiper blades are not CCC products", shown_brand=("清风", "Qingfeng")),
    _c("exempt", "ex_sprayer", "gk", "agri_inputs", "machinery", "generic",
       "丰收乐 电动喷雾器 16L 锂电池 农用", "Electric knapsack sprayer 16 L, lithium battery",
       189.0, (("品牌", "丰收乐"), ("规格", "16L")),
       "a sprayer is equipment, not a registered agri input", shown_brand=("丰收乐", "Fengshoule")),
)

SELLER_POOLS = {
    "greenmart": {
        "authorised": (("Green Field Agri Supplies 绿野农资", "河南 郑州", "agri_inputs"),
                       ("Lumi Beauty Authorised Store", "浙江 杭州", "cosmetics"),
                       ("AutoPro Parts Centre 车之宝", "广东 广州", "auto_parts")),
        "reseller": (("Tokyo Direct Beauty", "上海", "cosmetics"),),
        "generic": (("Harvest Garden Supplies 禾丰园艺", "河北 石家庄", None), ("Daily Beauty Corner", "广东 广州", None),
                    ("Urban Car Accessories", "浙江 义乌", None), ("Jinhe Agri Trading 金禾农贸", "安徽 合肥", None)),
        "suspicious": (("Best Deals Outlet", "广东 深圳", None), ("Factory Direct Wholesale", "浙江 义乌", None),
                       ("Lucky Trade Co.", "广东 广州", None), ("Super Value Shop", "福建 泉州", None)),
    },
    "baihuo": {
        "authorised": (("丰收农资专营店", "山东 寿光", "agri_inputs"), ("丽人美妆专营店", "上海", "cosmetics"),
                       ("车之宝汽配专营店", "广东 广州", "auto_parts")),
        "reseller": (("日韩代购小铺", "辽宁 大连", "cosmetics"),),
        "generic": (("惠农农资店", "河南 新乡", None), ("小美护肤馆", "广东 汕头", None),
                    ("车友汽车用品", "浙江 义乌", None), ("老王农资批发", "河北 邯郸", None)),
        "suspicious": (("尾货特卖店", "广东 广州", None), ("工厂直销批发", "浙江 义乌", None), ("正品折扣仓", "广东 深圳", None),
                       ("农资特价批发", "河北 石家庄", None), ("名品汇", "福建 泉州", None)),
    },
    "kuaigou": {
        "authorised": (("田园农资服务站", "河南 周口", "agri_inputs"), ("悦颜美妆授权店", "江苏 苏州", "cosmetics"),
                       ("驰程汽配授权店", "浙江 台州", "auto_parts")),
        "reseller": (("海淘优选", "福建 厦门", "cosmetics"),),
        "generic": (("乡亲农资", "四川 成都", None), ("美颜小铺", "湖南 长沙", None),
                    ("车品生活馆", "广东 佛山", None), ("绿源农业", "江西 南昌", None)),
        "suspicious": (("好货清仓", "广东 东莞", None), ("一手货源", "浙江 金华", None),
                       ("特价农资", "山东 菏泽", None), ("大牌折扣屋", "广东 深圳", None)),
    },
}

# Sellers of the realistic clean listings (appended after the pools above, so the older
# sellers keep their ids). official: a brand's own second store (自营 / another flagship),
# not on the watchlist's authorised list; independent: unauthorised resellers of genuine
# goods (代购, 平行进口, 1688 wholesale, independent shops); secondhand: 闲置 / used goods;
# toyshop: scale models and toys; aftermarket: makers of compatible parts.
EXTRA_SELLERS = {
    "greenmart": {
        "official": (("Syngenta Direct 先正达自营", "上海", "agri_inputs", "syngenta"),
                     ("Winona Official Store Global", "云南 昆明", "cosmetics", "winona"),
                     ("Bosch Auto Parts Direct 博世自营", "上海", "auto_parts", "bosch"),
                     ("Fuyao Glass Official Store", "福建 福州", "auto_parts", "fuyao")),
        "independent": (("Mike's Farm & Garden Supply", "江苏 南京", "agri_inputs"),
                        ("Hangzhou Beauty Importers", "浙江 杭州", "cosmetics"),
                        ("Torque Auto Spares", "广东 深圳", "auto_parts")),
        "secondhand": (("Pre-loved Finds 闲置好物", "上海", None),),
        "toyshop": (("Diecast Garage Models", "广东 汕头", None),),
        "aftermarket": (("Fitwell Aftermarket Parts", "浙江 瑞安", "auto_parts"),),
    },
    "baihuo": {
        "official": (("拜耳作物科学自营", "浙江 杭州", "agri_inputs", "bayer"),
                     ("兰蔻自营", "上海", "cosmetics", "lancome"),
                     ("博世汽车配件自营", "上海", "auto_parts", "bosch"),
                     ("米其林轮胎自营", "上海", "auto_parts", "michelin")),
        "independent": (("1688源头批发 鑫农商行", "河南 郑州", "agri_inputs"), ("海外代购小站", "上海", "cosmetics"),
                        ("平行进口汽配行", "天津", "auto_parts")),
        "secondhand": (("闲置好物铺", "北京", None),),
        "toyshop": (("澄海合金车模馆", "广东 汕头", None),),
        "aftermarket": (("瑞丰汽配工厂店", "浙江 瑞安", "auto_parts"),),
    },
    "kuaigou": {
        "official": (("巴斯夫农化官方旗舰店", "上海", "agri_inputs", "basf"),
                     ("欧莱雅自营", "上海", "cosmetics", "loreal"),
                     ("福耀玻璃官方旗舰店", "福建 福州", "auto_parts", "fuyao"),
                     ("嘉实多官方旗舰店", "上海", "auto_parts", "castrol")),
        "independent": (("老李农资门市", "山东 寿光", "agri_inputs"), ("港澳代购铺", "广东 深圳", "cosmetics"),
                        ("1688批发 车配优选", "浙江 台州", "auto_parts")),
        "secondhand": (("二手闲置小站", "四川 成都", None),),
        "toyshop": (("玩具车模小店", "广东 汕头", None),),
        "aftermarket": (("驰达汽配厂家直营", "浙江 台州", "auto_parts"),),
    },
}

RATING = {"flagship": (4.8, 4.95, 5000, 90000), "authorised": (4.7, 4.9, 1000, 20000),
           "reseller": (4.5, 4.8, 300, 5000), "generic": (4.3, 4.8, 80, 5000), "suspicious": (3.6, 4.6, 3, 800),
           "official": (4.8, 4.95, 3000, 60000), "independent": (4.5, 4.9, 200, 6000),
           "secondhand": (4.6, 5.0, 20, 600), "toyshop": (4.6, 4.9, 500, 9000), "aftermarket": (4.5, 4.8, 300, 8000)}
