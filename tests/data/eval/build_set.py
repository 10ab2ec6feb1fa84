"""Writes the labelled evaluation set: listings.jsonl, watchlist.csv and prices.csv.

Every listing below is written by hand (a title, a price, a seller, a label with a note);
small helpers only fill in the boilerplate that every listing of a kind shares (the
product's attributes, URLs, image links, observation times, USD prices on the English
sites). Marks are real; products' registration numbers, certificates, phone numbers,
WeChat ids, sellers and listings are invented in the formats of /work/shared/domain.md.
The look-alike spellings are new, not the demo catalogue's.

The split is fixed here, before any rule was tuned on the set: within each case type,
in the order written below, every third listing starting with the second is "holdout".

Run from the repository root to rebuild the files:

    .venv/bin/python tests/data/eval/build_set.py
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
USD_RATE = 7.2  # CNY per USD for the English sites' prices

# --------------------------------------------------------------------------- marks

# key: (watchlist mark, owner, category, aliases, well_known, official domains, common word, Chinese name)
MARKS = {
    "syngenta": ("Syngenta", "Syngenta AG (Syngenta Group)", "agri_inputs", ["先正达"], True, ["syngenta.com", "syngenta.com.cn"], False, "先正达"),
    "bayer": ("Bayer", "Bayer AG", "agri_inputs", ["拜耳", "Bayer CropScience", "拜耳作物科学"], True, ["bayer.com", "cropscience.bayer.com"], False, "拜耳"),
    "basf": ("BASF", "BASF SE", "agri_inputs", ["巴斯夫"], True, ["basf.com"], False, "巴斯夫"),
    "stanley": ("Stanley", "史丹利农业集团股份有限公司", "agri_inputs", ["史丹利", "史丹利肥业"], False, [], False, "史丹利"),
    "kingenta": ("Kingenta", "金正大生态工程集团股份有限公司", "agri_inputs", ["金正大"], False, [], False, "金正大"),
    "longping": ("Longping", "袁隆平农业高科技股份有限公司", "agri_inputs", ["隆平高科", "Longping High-Tech"], False, [], False, "隆平高科"),
    "denghai": ("Denghai", "山东登海种业股份有限公司", "agri_inputs", ["登海", "登海种业"], False, [], False, "登海"),
    "pioneer": ("Pioneer", "Corteva Inc. (Pioneer Hi-Bred)", "agri_inputs", ["先锋", "Pioneer Hi-Bred", "先锋种子"], True, ["pioneer.com"], True, "先锋"),
    "loreal": ("L'Oréal", "L'Oréal S.A.", "cosmetics", ["欧莱雅", "L'Oreal", "L'Oréal Paris", "Loreal"], True, ["loreal.com", "lorealparis.com.cn"], False, "欧莱雅"),
    "lancome": ("Lancôme", "L'Oréal S.A. (Lancôme)", "cosmetics", ["兰蔻", "Lancome"], True, ["lancome.com.cn"], False, "兰蔻"),
    "esteelauder": ("Estée Lauder", "The Estée Lauder Companies Inc.", "cosmetics", ["雅诗兰黛", "Estee Lauder"], True, ["esteelauder.com.cn"], False, "雅诗兰黛"),
    "skii": ("SK-II", "The Procter & Gamble Company (SK-II)", "cosmetics", ["SKII", "SK2"], True, ["sk-ii.com.cn"], False, "SK-II"),
    "pechoin": ("Pechoin", "上海百雀羚日用化学有限公司", "cosmetics", ["百雀羚"], True, [], False, "百雀羚"),
    "chando": ("CHANDO", "伽蓝（集团）股份有限公司 (自然堂)", "cosmetics", ["自然堂"], False, [], False, "自然堂"),
    "winona": ("Winona", "云南贝泰妮生物科技集团股份有限公司", "cosmetics", ["薇诺娜"], False, [], False, "薇诺娜"),
    "liushen": ("六神", "上海家化联合股份有限公司", "cosmetics", ["Liushen"], True, [], False, "六神"),
    "dove": ("Dove", "Unilever PLC", "cosmetics", ["多芬"], True, ["dove.com"], True, "多芬"),
    "bosch": ("Bosch", "Robert Bosch GmbH", "auto_parts", ["博世"], True, ["bosch.com", "bosch-automotive.com.cn"], False, "博世"),
    "denso": ("Denso", "DENSO Corporation", "auto_parts", ["电装"], True, ["denso.com"], False, "电装"),
    "ngk": ("NGK", "Niterra Co., Ltd. (NGK Spark Plug)", "auto_parts", ["日本特殊陶业"], True, ["ngk.com"], False, "NGK"),
    "brembo": ("Brembo", "Brembo N.V.", "auto_parts", ["布雷博"], True, ["brembo.com"], False, "布雷博"),
    "michelin": ("Michelin", "Compagnie Générale des Établissements Michelin", "auto_parts", ["米其林"], True, ["michelin.com.cn"], False, "米其林"),
    "castrol": ("Castrol", "BP p.l.c. (Castrol)", "auto_parts", ["嘉实多"], True, ["castrol.com"], False, "嘉实多"),
    "mobil": ("Mobil", "Exxon Mobil Corporation", "auto_parts", ["美孚", "Mobil 1", "美孚1号"], True, ["mobil.com.cn"], True, "美孚"),
    "shell": ("Shell", "Shell plc", "auto_parts", ["壳牌", "Shell Helix"], True, ["shell.com.cn"], True, "壳牌"),
}


def en_name(mkey: str) -> str:
    return MARKS[mkey][0]


def zh_name(mkey: str) -> str:
    return MARKS[mkey][7]


# --------------------------------------------------------------------------- identifiers


def digits(n: int, *parts) -> str:
    out, i = "", 0
    while len(out) < n:
        out += "".join(c for c in hashlib.sha256(f"{parts}|{i}".encode()).hexdigest() if c.isdigit())
        i += 1
    return out[:n]


def label_code(reg: str, consistent: bool = True, kind: str | None = None) -> str:
    """The pesticide label's 32-digit code: kind digit, last six digits of the registration, 1-3, rest."""
    kind = kind or {"PD": "1", "WP": "2"}.get(reg[:2], "3")
    six = reg[-6:] if consistent else digits(6, "wrong", reg)
    if not consistent and six == reg[-6:]:
        six = six[::-1]
    return kind + six + "123"[int(digits(1, "8th", reg)) % 3] + digits(24, "label", reg)


def phone(*parts) -> str:
    return "1" + "3578"[int(digits(1, "p", parts)) % 4] + digits(9, "phone", parts)


# --------------------------------------------------------------------------- products

# key: (mark, category, subtype, Chinese name, English name, spec, price CNY, title words for prices.csv, attributes)
P = {}


def product(key, mkey, sub, zh, en, spec, price, words, **attrs):
    P[key] = dict(mark=mkey, cat=MARKS[mkey][2], sub=sub, zh=zh, en=en, spec=spec, price=price, words=words, attrs=attrs)


def pest(key, mkey, zh, en, spec, price, words, reg, ingredient, form, maker):
    product(key, mkey, "pesticide", zh, en, spec, price, words, 有效成分=ingredient, 剂型=form, 农药登记证号=reg,
            标签二维码=label_code(reg), 生产厂家=maker)


pest("syn_fugo", "syngenta", "福戈 40%氯虫·噻虫嗪 水分散粒剂", "Voliam Flexi 40% chlorantraniliprole + thiamethoxam WG", "6g×10袋", 46.0,
     ["福戈", "Voliam Flexi"], "PD20121873", "氯虫苯甲酰胺20%、噻虫嗪20%", "水分散粒剂", "先正达南通作物保护有限公司")
pest("syn_score", "syngenta", "世高 10%苯醚甲环唑 水分散粒剂", "Score 10% difenoconazole WG", "100g", 68.0,
     ["世高", "Score"], "PD20070356", "苯醚甲环唑10%", "水分散粒剂", "先正达南通作物保护有限公司")
pest("bay_infinito", "bayer", "银法利 687.5克/升氟菌·霜霉威 悬浮剂", "Infinito 687.5 g/L fluopicolide + propamocarb SC", "100ml", 52.0,
     ["银法利", "Infinito"], "PD20080712", "氟吡菌胺62.5克/升、霜霉威盐酸盐625克/升", "悬浮剂", "拜耳作物科学（中国）有限公司")
pest("bay_luna", "bayer", "露娜森 43%氟菌·肟菌酯 悬浮剂", "Luna Sensation 43% fluopyram + trifloxystrobin SC", "100ml", 88.0,
     ["露娜森", "Luna Sensation"], "PD20152432", "氟吡菌酰胺21.5%、肟菌酯21.5%", "悬浮剂", "拜耳作物科学（中国）有限公司")
pest("basf_jianda", "basf", "健达 42.4%唑醚·氟酰胺 悬浮剂", "Priaxor 42.4% pyraclostrobin + fluxapyroxad SC", "100ml", 98.0,
     ["健达", "Priaxor"], "PD20121668", "吡唑醚菌酯21.2%、氟唑菌酰胺21.2%", "悬浮剂", "巴斯夫植物保护（江苏）有限公司")
pest("basf_paicao", "basf", "排草丹 480克/升灭草松 水剂", "Basagran 480 g/L bentazone SL", "500ml", 42.0,
     ["排草丹", "Basagran"], "PD20050226", "灭草松480克/升", "水剂", "巴斯夫植物保护（江苏）有限公司")
product("stan_nps", "stanley", "fertilizer", "高塔硝硫基复合肥 18-8-18", "tower-granulated nitro-sulphur NPK 18-8-18 fertilizer", "50kg", 198.0,
        ["硝硫基", "18-8-18"], 养分含量="N-P2O5-K2O 18-8-18 总养分≥44%", 执行标准="GB/T 15063-2020",
        生产厂家="史丹利农业集团股份有限公司", 生产地址="山东省临沂市临沭县")
product("stan_hum", "stanley", "fertilizer", "含腐植酸水溶肥料 冲施肥", "humic-acid water-soluble fertilizer", "20kg", 158.0,
        ["腐植酸水溶肥", "含腐植酸水溶肥料", "humic-acid water-soluble"], 养分含量="腐植酸≥3% N+P2O5+K2O≥20%",
        肥料登记证号="农肥（2021）准字20345号", 执行标准="NY 1106-2010", 生产厂家="史丹利农业集团股份有限公司", 生产地址="山东省临沂市临沭县")
product("king_crf", "kingenta", "fertilizer", "缓控释复合肥 24-8-13", "controlled-release NPK 24-8-13 fertilizer", "40kg", 215.0,
        ["缓控释复合肥", "24-8-13"], 养分含量="N-P2O5-K2O 24-8-13", 执行标准="GB/T 23348-2009",
        生产厂家="金正大生态工程集团股份有限公司", 生产地址="山东省临沭县")
product("king_sea", "kingenta", "fertilizer", "海藻酸大量元素水溶肥", "seaweed-extract water-soluble NPK fertilizer", "5kg", 89.0,
        ["海藻酸", "seaweed"], 养分含量="N-P2O5-K2O 20-10-20+TE", 肥料登记证号="鲁农肥（2020）准字11587号",
        执行标准="NY 1107-2020", 生产厂家="金正大生态工程集团股份有限公司", 生产地址="山东省临沭县")
product("lp_jly534", "longping", "seed", "晶两优534 杂交水稻种子", "Jingliangyou 534 hybrid rice seed", "1kg", 72.0,
        ["晶两优534", "Jingliangyou 534"], 品种="晶两优534", 审定编号="国审稻20180097", 种子生产经营许可证号="A（湘）农种许字（2018）第0003号",
        生产厂家="袁隆平农业高科技股份有限公司")
product("lp_lly1377", "longping", "seed", "隆两优1377 杂交水稻种子", "Longliangyou 1377 hybrid rice seed", "1kg", 66.0,
        ["隆两优1377", "Longliangyou 1377"], 品种="隆两优1377", 审定编号="国审稻20190041", 种子生产经营许可证号="A（湘）农种许字（2018）第0003号",
        生产厂家="袁隆平农业高科技股份有限公司")
product("dh618", "denghai", "seed", "登海618 玉米种子", "Denghai 618 maize seed", "2kg", 85.0,
        ["登海618", "Denghai 618"], 品种="登海618", 审定编号="国审玉20170013", 种子生产经营许可证号="A（鲁）农种许字（2016）第0002号",
        生产厂家="山东登海种业股份有限公司")
product("dh685", "denghai", "seed", "登海685 玉米种子", "Denghai 685 maize seed", "2kg", 92.0,
        ["登海685", "Denghai 685"], 品种="登海685", 审定编号="国审玉20190287", 种子生产经营许可证号="A（鲁）农种许字（2016）第0002号",
        生产厂家="山东登海种业股份有限公司")
product("pio_335", "pioneer", "seed", "先玉335 玉米种子", "Xianyu 335 maize seed", "4000粒", 90.0,
        ["先玉335", "Xianyu 335"], 品种="先玉335", 审定编号="国审玉2006026", 种子生产经营许可证号="A（京）农种许字（2017）第0005号",
        生产厂家="铁岭先锋种子研究有限公司")
product("lor_eye", "loreal", "skincare", "复颜玻色因紫熨斗眼霜", "Revitalift Pro-Xylane eye cream", "30ml", 399.0,
        ["紫熨斗", "眼霜", "eye cream"], 备案编号="苏G妆网备字2021018834", 生产企业="欧莱雅（苏州）有限公司", 净含量="30ml", 功效="保湿 抗皱")
product("lor_men", "loreal", "skincare", "男士劲能醒肤露", "Men Expert Hydra Energetic lotion", "120ml", 139.0,
        ["劲能醒肤露", "Hydra Energetic"], 备案编号="苏G妆网备字2020026415", 生产企业="欧莱雅（苏州）有限公司", 净含量="120ml", 功效="保湿 控油")
product("lan_tonique", "lancome", "skincare", "清滢柔肤水 粉水", "Tonique Confort toner", "400ml", 560.0,
        ["清滢柔肤水", "粉水", "Tonique Confort"], 备案编号="国妆网备进字（沪）2019012276", 境内责任人="欧莱雅（中国）有限公司",
        原产国="法国", 净含量="400ml", 功效="保湿")
product("lan_absolue", "lancome", "skincare", "菁纯臻颜面霜", "Absolue soft cream", "60ml", 2150.0,
        ["菁纯", "Absolue"], 备案编号="国妆网备进字（沪）2020004581", 境内责任人="欧莱雅（中国）有限公司", 原产国="法国", 净含量="60ml", 功效="保湿 修护")
product("el_anr", "esteelauder", "skincare", "特润修护肌活精华露 小棕瓶", "Advanced Night Repair serum", "50ml", 880.0,
        ["小棕瓶", "特润修护", "Advanced Night Repair", "ANR"], 备案编号="国妆网备进字（沪）2020011853", 境内责任人="雅诗兰黛（上海）商贸有限公司",
        原产国="美国", 净含量="50ml", 功效="修护 保湿")
product("el_dw", "esteelauder", "sunscreen", "DW持妆粉底液 SPF10 PA++", "Double Wear stay-in-place foundation SPF10 PA++", "30ml", 420.0,
        ["持妆粉底液", "DW", "Double Wear"], 注册证号="国妆特进字J20181246", 境内责任人="雅诗兰黛（上海）商贸有限公司", 原产国="美国",
        净含量="30ml", 功效="防晒 SPF10 PA++")
product("sk2_cream", "skii", "skincare", "赋能焕采精华霜 大红瓶", "Skinpower cream", "80g", 1590.0,
        ["大红瓶", "赋能焕采", "Skinpower"], 备案编号="国妆网备进字（沪）2020007716", 境内责任人="宝洁（中国）营销有限公司", 原产国="日本",
        净含量="80g", 功效="保湿 紧致")
product("sk2_aura", "skii", "whitening", "光蕴臻采焕亮精华露 小灯泡", "GenOptics Aura essence", "50ml", 1290.0,
        ["小灯泡", "光蕴", "GenOptics"], 注册证号="国妆特进字J20190458", 境内责任人="宝洁（中国）营销有限公司", 原产国="日本",
        净含量="50ml", 功效="美白 淡斑")
product("pech_frame", "pechoin", "skincare", "帧颜淡纹修护精华霜", "Frame anti-wrinkle repair cream", "50g", 239.0,
        ["帧颜", "Frame"], 备案编号="沪G妆网备字2021031166", 生产企业="上海百雀羚日用化学有限公司", 净含量="50g", 功效="抗皱 修护")
product("pech_water", "pechoin", "skincare", "草本水嫩倍现保湿精华水", "herbal hydrating essence water", "100ml", 89.0,
        ["水嫩倍现", "hydrating essence water"], 备案编号="沪G妆网备字2019040237", 生产企业="上海百雀羚日用化学有限公司", 净含量="100ml", 功效="保湿")
product("chando_ice", "chando", "skincare", "喜马拉雅冰肌水", "Himalaya ice-muscle toner", "160ml", 145.0,
        ["冰肌水", "Himalaya"], 备案编号="沪G妆网备字2020015590", 生产企业="伽蓝（集团）股份有限公司", 净含量="160ml", 功效="保湿 补水")
product("chando_sun", "chando", "sunscreen", "小紫气垫防晒隔离乳 SPF50+ PA++++", "UV defence lotion SPF50+ PA++++", "40ml", 139.0,
        ["防晒隔离乳", "UV defence"], 注册证号="国妆特字G20200672", 生产企业="伽蓝（集团）股份有限公司", 净含量="40ml", 功效="防晒 SPF50+ PA++++")
product("win_serum", "winona", "skincare", "舒敏保湿修护精华液", "soothing repair serum", "30ml", 298.0,
        ["舒敏保湿修护精华", "舒敏精华", "soothing repair serum"], 备案编号="滇G妆网备字2021003318", 生产企业="云南贝泰妮生物科技集团股份有限公司", 净含量="30ml", 功效="舒缓 修护")
product("win_white", "winona", "whitening", "光透皙白淡斑精华液", "brightening dark-spot serum", "30ml", 368.0,
        ["皙白淡斑", "brightening dark-spot"], 注册证号="国妆特字G20210388", 生产企业="云南贝泰妮生物科技集团股份有限公司", 净含量="30ml", 功效="美白 淡斑")
product("ls_water", "liushen", "skincare", "经典花露水", "classic floral water", "195ml", 19.9,
        ["花露水", "floral water"], 备案编号="沪G妆网备字2020008812", 生产企业="上海家化联合股份有限公司", 净含量="195ml", 功效="清凉 止痒")
product("dove_wash", "dove", "skincare", "深层营养美肤沐浴露", "Deeply Nourishing body wash", "1kg", 59.0,
        ["沐浴露", "body wash"], 备案编号="沪G妆网备字2019022741", 生产企业="联合利华（中国）有限公司", 净含量="1kg", 功效="清洁 滋润")
product("bosch_plug", "bosch", "spark_plug", "双铂金火花塞 FR7NPP332", "double platinum spark plugs FR7NPP332", "4支装", 168.0,
        ["FR7NPP332", "火花塞", "spark plug"], 型号="FR7NPP332", 适用车型="大众/斯柯达 1.4T", 生产厂家="博世汽车部件（苏州）有限公司")
product("bosch_pads", "bosch", "brake", "陶瓷刹车片 前片 0 986 AB4 418", "ceramic front brake pads 0 986 AB4 418", "4片/套", 298.0,
        ["0 986 AB4 418", "刹车片", "brake pads"], 零件号="0 986 AB4 418", 适用车型="本田雅阁/思域", CCC证书编号="2022011105045871",
        生产厂家="博世汽车部件（苏州）有限公司")
product("bosch_cabin", "bosch", "filter", "活性炭空调滤芯 1 987 432 598", "activated-carbon cabin filter 1 987 432 598", "1个", 68.0,
        ["1 987 432 598", "空调滤芯", "cabin filter"], 零件号="1 987 432 598", 适用车型="丰田卡罗拉/雷凌", 生产厂家="博世汽车部件（长沙）有限公司")
product("denso_plug", "denso", "spark_plug", "铱金火花塞 SK20HR11", "iridium spark plugs SK20HR11", "4支装", 196.0,
        ["SK20HR11", "火花塞", "spark plug"], 型号="SK20HR11", 适用车型="丰田凯美瑞/汉兰达", 生产厂家="天津电装电子有限公司")
product("denso_wiper", "denso", "wiper", "无骨雨刮片 DFR-022 26/16寸", "frameless wiper blades DFR-022 26/16\"", "2支装", 98.0,
        ["DFR-022", "雨刮", "wiper"], 型号="DFR-022", 适用车型="丰田RAV4", 生产厂家="电装（中国）投资有限公司")
product("ngk_gpower", "ngk", "spark_plug", "G-Power铂金火花塞 BKR6EGP", "G-Power platinum spark plugs BKR6EGP", "4支装", 128.0,
        ["BKR6EGP", "G-Power"], 型号="BKR6EGP", 适用车型="日产轩逸/本田飞度", 生产厂家="日特（上海）汽车配件有限公司")
product("ngk_iridium", "ngk", "spark_plug", "铱金火花塞 IZFR6K11", "iridium spark plugs IZFR6K11", "4支装", 236.0,
        ["IZFR6K11", "铱金火花塞", "iridium spark plug"], 型号="IZFR6K11", 适用车型="本田雅阁/CR-V", 生产厂家="日特（上海）汽车配件有限公司")
product("brembo_disc", "brembo", "brake_disc", "刹车盘 前盘 09.A727.11", "front brake discs 09.A727.11", "2片/对", 980.0,
        ["09.A727.11", "刹车盘", "brake disc"], 零件号="09.A727.11", 适用车型="宝马3系 F30", 生产厂家="布雷博（南京）汽车零部件有限公司")
product("brembo_pads", "brembo", "brake", "陶瓷刹车片 前片 P 83 140", "ceramic front brake pads P 83 140", "4片/套", 620.0,
        ["P 83 140", "刹车片", "brake pads"], 零件号="P 83 140", 适用车型="丰田凯美瑞", CCC证书编号="2021011105067732",
        生产厂家="布雷博（南京）汽车零部件有限公司")
product("mich_ps4", "michelin", "tyre", "轮胎 Pilot Sport 4 225/45R18 95Y", "Pilot Sport 4 225/45 R18 95Y tyre", "1条", 1199.0,
        ["Pilot Sport 4", "PS4"], 型号="Pilot Sport 4", 规格型号="225/45R18 95Y", CCC证书编号="2020011117034567", 生产厂家="米其林（沈阳）轮胎有限公司")
product("mich_ep", "michelin", "tyre", "轮胎 e·PRIMACY 215/55R17 94V", "e.PRIMACY 215/55 R17 94V tyre", "1条", 869.0,
        ["PRIMACY", "e·PRIMACY"], 型号="e·PRIMACY", 规格型号="215/55R17 94V", CCC证书编号="2021011117051209", 生产厂家="米其林（上海）轮胎有限公司")
product("castrol_mag", "castrol", "oil", "磁护 全合成机油 5W-40 SN", "Magnatec 5W-40 fully synthetic engine oil", "4L", 279.0,
        ["磁护", "Magnatec"], 型号="Magnatec 5W-40", 生产厂家="嘉实多（深圳）有限公司")
product("mobil_s2000", "mobil", "oil", "速霸2000 全合成机油 5W-30 SP", "Super 2000 5W-30 fully synthetic engine oil", "4L", 229.0,
        ["速霸2000", "Super 2000"], 型号="Super 2000 5W-30", 生产厂家="埃克森美孚（天津）石油化工有限公司")
product("shell_hx7", "shell", "oil", "蓝喜力 HX7 5W-40 SP 蓝壳", "Helix HX7 5W-40 engine oil", "4L", 189.0,
        ["HX7", "蓝喜力"], 型号="Helix HX7 5W-40", 生产厂家="壳牌（天津）润滑油有限公司")

ATTR_EN = {
    "品牌": "Brand", "生产厂家": "Manufacturer", "生产企业": "Manufacturer", "生产地址": "Manufacturer address",
    "有效成分": "Active ingredient", "剂型": "Formulation", "农药登记证号": "Pesticide registration No.",
    "标签二维码": "Label QR code", "肥料登记证号": "Fertilizer registration No.", "养分含量": "Nutrient content",
    "执行标准": "Standard", "品种": "Variety", "审定编号": "Variety approval No.", "种子生产经营许可证号": "Seed licence No.",
    "备案编号": "Filing No.", "注册证号": "Registration No.", "批准文号": "Approval No.", "境内责任人": "Responsible person in China",
    "净含量": "Net content", "功效": "Claims", "零件号": "Part No.", "型号": "Model", "规格型号": "Size", "适用车型": "Fits",
    "CCC证书编号": "CCC certificate No.", "规格": "Pack", "原产国": "Country of origin", "颜色": "Colour", "材质": "Material",
}
REG_FIELDS = ("农药登记证号", "标签二维码", "肥料登记证号", "审定编号", "种子生产经营许可证号", "备案编号", "注册证号", "CCC证书编号")
SPEC_EN = {"4片/套": "set of 4", "4支装": "4 pcs", "2支装": "2 pcs", "1条": "1 tyre", "1个": "1 pc", "2片/对": "pair",
           "6g×10袋": "6 g x 10 sachets", "4000粒": "4000 seeds"}
# Sub-types whose listing must show a registration, filing or certificate (domain.md).
NEEDS_REG = {"pesticide", "seed", "sunscreen", "whitening", "brake", "tyre"}

# --------------------------------------------------------------------------- sites and sellers

SITES = {
    # site: (language, currency, item URL, shop URL, id prefix, id base)
    "taoxi": ("zh", "CNY", "https://item.taoxi.example/{id}.html", "https://shop.taoxi.example/{sid}", "", 640000000000),
    "jingpin": ("zh", "CNY", "https://jingpin.example/p/{id}", "https://jingpin.example/shop/{sid}", "", 100084000000),
    "pinhui": ("zh", "CNY", "https://m.pinhui.example/goods?id={id}", "https://m.pinhui.example/mall?id={sid}", "", 3720000000),
    "tradenest": ("en", "USD", "https://www.tradenest.example/item/{id}", "https://www.tradenest.example/store/{sid}", "TN", 5500000),
    "shopmore": ("en", "USD", "https://shopmore.example/listing/{id}", "https://shopmore.example/seller/{sid}", "SM", 870000),
}
ZH_SITES = ("taoxi", "jingpin", "pinhui")
EN_SITES = ("tradenest", "shopmore")
SELLERS: dict[tuple[str, str], tuple[str, str]] = {}  # (site, seller id) -> (name, location)

LOCATION = {"syngenta": "上海", "bayer": "浙江 杭州", "basf": "上海", "stanley": "山东 临沂", "kingenta": "山东 临沂",
            "longping": "湖南 长沙", "denghai": "山东 莱州", "pioneer": "辽宁 铁岭", "loreal": "上海", "lancome": "上海",
            "esteelauder": "上海", "skii": "上海", "pechoin": "上海", "chando": "上海", "winona": "云南 昆明", "liushen": "上海",
            "dove": "上海", "bosch": "江苏 苏州", "denso": "天津", "ngk": "上海", "brembo": "江苏 南京", "michelin": "辽宁 沈阳",
            "castrol": "广东 深圳", "mobil": "天津", "shell": "天津"}


def seller(site: str, sid: str, name: str, location: str) -> str:
    SELLERS[(site, sid)] = (name, location)
    return sid


def official(site: str, mkey: str) -> str:
    lang = SITES[site][0]
    name = f"{zh_name(mkey)}官方旗舰店" if lang == "zh" else f"{en_name(mkey)} Official Store"
    return seller(site, f"{site[:2]}-{mkey}-official", name, LOCATION[mkey] if lang == "zh" else "Shanghai, CN")


DEALERS = {
    ("taoxi", "agri_inputs"): ("丰农农资专营店", "山东 寿光"), ("jingpin", "agri_inputs"): ("沃田农资自营旗舰店", "河南 郑州"),
    ("pinhui", "agri_inputs"): ("惠农植保服务站", "河北 石家庄"), ("tradenest", "agri_inputs"): ("GreenRow Agri Supply", "Zhengzhou, CN"),
    ("shopmore", "agri_inputs"): ("FieldFirst Agronomy", "Jinan, CN"),
    ("taoxi", "cosmetics"): ("悦妍美妆授权专营店", "上海"), ("jingpin", "cosmetics"): ("京品美妆自营", "北京"),
    ("pinhui", "cosmetics"): ("颜究所品牌授权店", "浙江 杭州"), ("tradenest", "cosmetics"): ("Belle Maison Authorized Beauty", "Shanghai, CN"),
    ("shopmore", "cosmetics"): ("Glow Authorized Retailer", "Hangzhou, CN"),
    ("taoxi", "auto_parts"): ("安驰汽配授权专营店", "广东 广州"), ("jingpin", "auto_parts"): ("京品汽车用品自营", "北京"),
    ("pinhui", "auto_parts"): ("途安汽配授权店", "浙江 台州"), ("tradenest", "auto_parts"): ("TorqueLine Authorized Parts", "Guangzhou, CN"),
    ("shopmore", "auto_parts"): ("PartsHub Authorized Dealer", "Ningbo, CN"),
}


def dealer(site: str, cat: str) -> str:
    name, loc = DEALERS[(site, cat)]
    return seller(site, f"{site[:2]}-{cat.split('_')[0]}-dealer", name, loc)


RESELLERS = {
    "taoxi": [("老李农资门市", "河南 周口"), ("小鹿美妆集合店", "广东 广州"), ("车友会汽配城", "江苏 常州")],
    "jingpin": [("绿源农资商行", "安徽 阜阳"), ("美丽日记护肤馆", "湖南 长沙"), ("速修汽配超市", "四川 成都")],
    "pinhui": [("乡亲农资店", "江西 南昌"), ("柚子美妆小铺", "福建 厦门"), ("路路通汽车用品", "湖北 武汉")],
    "tradenest": [("Harvest Lane Farm Store", "Hefei, CN"), ("Maple Beauty Outlet", "Xiamen, CN"), ("Route 9 Auto Supply", "Foshan, CN")],
    "shopmore": [("Prairie Co-op Supplies", "Harbin, CN"), ("Lotus Skin Shop", "Chengdu, CN"), ("GearBox Parts Depot", "Wuhan, CN")],
}
RESELLER_CAT = {"agri_inputs": 0, "cosmetics": 1, "auto_parts": 2}


def reseller(site: str, cat: str) -> str:
    name, loc = RESELLERS[site][RESELLER_CAT[cat]]
    return seller(site, f"{site[:2]}-re-{cat.split('_')[0]}", name, loc)


SUSPECTS = {
    "taoxi": [("好物特价仓", "广东 深圳"), ("源头工厂店", "浙江 义乌"), ("一件代发批发部", "广东 广州")],
    "jingpin": [("名品折扣汇", "福建 莆田"), ("优选清仓小店", "广东 东莞")],
    "pinhui": [("农资特价直销部", "山东 菏泽"), ("百货尾货清仓", "河北 保定"), ("汽配工厂直发", "浙江 瑞安")],
    "tradenest": [("Best Price Hub", "Shenzhen, CN"), ("Global Deals 88", "Yiwu, CN")],
    "shopmore": [("Factory Outlet Direct", "Guangzhou, CN"), ("MegaSave Trading", "Putian, CN")],
}


def suspect(site: str, n: int) -> str:
    pool = SUSPECTS[site]
    name, loc = pool[n % len(pool)]
    return seller(site, f"{site[:2]}-sx{n % len(pool) + 1}", name, loc)


GENERIC = {
    "taoxi": [("绿田农资店", "河南 新乡"), ("花颜护肤馆", "广东 汕头"), ("车品生活馆", "广东 佛山")],
    "jingpin": [("丰收农业服务社", "黑龙江 绥化"), ("清颜美妆店", "浙江 金华"), ("驰骋汽车用品", "河北 廊坊")],
    "pinhui": [("田野农资", "四川 绵阳"), ("小美护肤", "湖南 株洲"), ("车乐汽配", "浙江 温州")],
    "tradenest": [("Sunny Acres Supply", "Shijiazhuang, CN"), ("Petal & Co Beauty", "Guangzhou, CN"), ("DriveRight Accessories", "Yiwu, CN")],
    "shopmore": [("AgroBasket", "Weifang, CN"), ("Pure Skin Lab", "Shantou, CN"), ("AutoNest Parts", "Taizhou, CN")],
}


def generic(site: str, cat: str) -> str:
    name, loc = GENERIC[site][RESELLER_CAT[cat]]
    return seller(site, f"{site[:2]}-g-{cat.split('_')[0]}", name, loc)


# --------------------------------------------------------------------------- listings

LISTINGS: list[dict] = []
_counter: dict[str, int] = {}
_rotation: dict[str, int] = {}


def next_site(lang: str) -> str:
    pool = ZH_SITES if lang == "zh" else EN_SITES
    n = _rotation.get(lang, 0)
    _rotation[lang] = n + 1
    return pool[n % len(pool)]


def add(case: str, flagged: bool, kinds: list[str], note: str, *, cat: str, title: str, price_cny: float,
        site: str | None = None, lang: str | None = None, seller_id: str | None = None, brand: str | None = None,
        desc: str = "", attrs: dict | None = None, mark: str | None = None, images: int = 2) -> dict:
    lang = lang or ("en" if title.isascii() else "zh")
    site = site or next_site(lang)
    site_lang, currency, url, shop_url, prefix, base = SITES[site]
    n = _counter.get(site, 0) + 1
    _counter[site] = n
    lid = f"{prefix}{base + n * 7919 + int(digits(3, site, n))}"
    if seller_id is None:
        seller_id = generic(site, cat)
    sname, sloc = SELLERS[(site, seller_id)]
    price = round(price_cny / USD_RATE, 2) if currency == "USD" else float(round(price_cny, 1))
    day = 1 + len(LISTINGS) % 28
    row = {
        "site": site, "id": lid, "url": url.format(id=lid), "title": title, "description": desc, "brand": brand,
        "category": cat, "price": price, "currency": currency, "seller_id": seller_id, "seller_name": sname,
        "seller_url": shop_url.format(sid=seller_id), "seller_location": sloc,
        "images": [f"https://img.{site}.example/{lid}/{i}.jpg" for i in range(1, images + 1)],
        "attributes": attrs or {}, "observed_at": f"2026-03-{day:02d}T{(len(LISTINGS) * 7) % 24:02d}:{(len(LISTINGS) * 13) % 60:02d}:00Z",
        "label": {"flagged": flagged, "kinds": sorted(set(kinds)) if flagged else [], "case": case, "split": "", "note": note,
                  "mark": en_name(mark) if mark else None},
    }
    LISTINGS.append(row)
    return row


def attrs_of(p: dict, lang: str, *, brand: str, drop=(), replace: dict | None = None, extra: dict | None = None) -> dict:
    out = {"品牌": brand}
    for k, v in p["attrs"].items():
        if k in drop:
            continue
        out[k] = (replace or {}).get(k, v)
    out.update(extra or {})
    out["规格"] = p["spec"]
    if lang == "en":
        return {ATTR_EN.get(k, k): (SPEC_EN.get(v, v) if k == "规格" else v) for k, v in out.items()}
    return out


def spec(p: dict, lang: str) -> str:
    return p["spec"] if lang == "zh" else SPEC_EN.get(p["spec"], p["spec"])


# --------------------------------------------------------------------------- hard negatives: genuine goods


def genuine(case: str, key: str, site: str, seller_id: str, note: str, *, factor: float = 1.0, title: str | None = None,
            desc: str | None = None, extra: dict | None = None, drop=(), spec_override: str | None = None):
    p = P[key]
    mk = p["mark"]
    lang = SITES[site][0]
    b = zh_name(mk) if lang == "zh" else en_name(mk)
    sp = spec_override or spec(p, lang)
    if title is None:
        title = f"{b} {p['zh']} {sp}" if lang == "zh" else f"{b} {p['en']}, {sp}"
    if desc is None:
        desc = (f"{b}正品，{sp}，支持官方防伪查询。" if lang == "zh" else f"Genuine {b} product, {sp}. Verifiable on the brand's website.")
    a = attrs_of(p, lang, brand=b, drop=drop, extra=extra)
    if spec_override:
        a["规格" if lang == "zh" else "Pack"] = spec_override
    add(case, False, [], note, cat=p["cat"], title=title, price_cny=p["price"] * factor, site=site, lang=lang,
        seller_id=seller_id, brand=b, desc=desc, attrs=a, mark=mk, images=4)


# Flagship stores and authorised dealers, normal prices, complete registration data.
FLAGSHIP = [
    ("syn_fugo", "taoxi", 1.0), ("syn_score", "jingpin", 0.97), ("syn_score", "tradenest", 1.02), ("bay_infinito", "taoxi", 1.0),
    ("bay_luna", "jingpin", 0.95), ("bay_luna", "shopmore", 1.0), ("basf_jianda", "pinhui", 1.0), ("basf_paicao", "taoxi", 0.98),
    ("stan_nps", "jingpin", 1.0), ("stan_hum", "taoxi", 1.03), ("king_crf", "pinhui", 0.96), ("king_sea", "jingpin", 1.0),
    ("lp_jly534", "taoxi", 1.0), ("lp_lly1377", "pinhui", 1.05), ("dh618", "jingpin", 1.0), ("dh685", "taoxi", 0.97),
    ("pio_335", "jingpin", 1.0), ("lor_eye", "taoxi", 0.95), ("lor_men", "tradenest", 1.0), ("lan_tonique", "jingpin", 1.0),
    ("lan_absolue", "shopmore", 0.98), ("el_anr", "taoxi", 1.0), ("el_dw", "jingpin", 0.97), ("sk2_cream", "tradenest", 1.0),
    ("sk2_aura", "taoxi", 1.0), ("pech_frame", "pinhui", 0.92), ("pech_water", "taoxi", 1.0), ("chando_ice", "jingpin", 1.0),
    ("chando_sun", "taoxi", 0.95), ("win_serum", "pinhui", 1.0), ("win_white", "jingpin", 1.0), ("ls_water", "taoxi", 1.0),
    ("dove_wash", "jingpin", 0.9), ("bosch_plug", "taoxi", 1.0), ("bosch_pads", "jingpin", 1.0), ("bosch_cabin", "shopmore", 1.0),
    ("denso_plug", "pinhui", 0.96), ("denso_wiper", "taoxi", 1.0), ("ngk_gpower", "jingpin", 1.0), ("ngk_iridium", "tradenest", 1.0),
    ("brembo_disc", "taoxi", 1.0), ("brembo_pads", "jingpin", 0.97), ("mich_ps4", "taoxi", 1.0), ("mich_ep", "shopmore", 1.0),
    ("castrol_mag", "jingpin", 0.93), ("mobil_s2000", "taoxi", 1.0), ("shell_hx7", "pinhui", 1.0),
]
for i, (key, site, factor) in enumerate(FLAGSHIP):
    extra_desc = None
    if i % 5 == 2 and SITES[site][0] == "zh":
        extra_desc = f"{zh_name(P[key]['mark'])}正品，{P[key]['spec']}。客服热线 400-{digits(3, key, 'h')}-{digits(4, key, 'h2')}，工作日 9:00-18:00。"
    genuine("genuine_flagship", key, site, official(site, P[key]["mark"]),
            f"the brand's own store at {factor:.0%} of the reference price with complete registration data"
            + ("; the 400 hotline is not a mobile number" if extra_desc else ""), factor=factor, desc=extra_desc)

DEALER_SALES = [
    ("syn_fugo", "pinhui", 0.95), ("bay_infinito", "tradenest", 1.0), ("basf_jianda", "taoxi", 0.97), ("king_sea", "pinhui", 0.98),
    ("dh618", "shopmore", 1.0), ("lp_jly534", "jingpin", 0.96), ("lor_eye", "pinhui", 0.9), ("lan_tonique", "tradenest", 0.95),
    ("el_anr", "jingpin", 0.92), ("win_white", "taoxi", 0.95), ("bosch_pads", "pinhui", 0.94), ("ngk_gpower", "taoxi", 0.9),
    ("mich_ps4", "jingpin", 0.96), ("castrol_mag", "shopmore", 1.0), ("mobil_s2000", "jingpin", 0.92),
]
for key, site, factor in DEALER_SALES:
    genuine("genuine_authorised_dealer", key, site, dealer(site, P[key]["cat"]),
            f"authorised dealer on the brand's list, {factor:.0%} of the reference price", factor=factor)

# Genuine resellers that are NOT on the brand's list: a normal price and complete data.
RESALES = [
    ("syn_score", "taoxi", 0.95, None), ("bay_luna", "pinhui", 1.0, None), ("basf_paicao", "jingpin", 0.9, None),
    ("stan_nps", "pinhui", 0.97, "史丹利 硝硫基复合肥 18-8-18 50kg 门市现货 可送货到村"),
    ("dh685", "pinhui", 1.0, "登海685 玉米种子 2kg 正规渠道 可查审定编号"), ("pio_335", "taoxi", 1.02, None),
    ("lor_men", "taoxi", 0.88, None), ("chando_ice", "pinhui", 0.9, "自然堂 冰肌水 160ml 专柜同款 正品 可验货"),
    ("sk2_cream", "jingpin", 0.9, None), ("pech_water", "shopmore", 0.93, None),
    ("bosch_plug", "tradenest", 0.92, None), ("denso_plug", "jingpin", 0.95, None), ("mich_ep", "pinhui", 0.97, None),
    ("shell_hx7", "taoxi", 0.9, "壳牌 蓝喜力 HX7 5W-40 4L 蓝壳 正品机油 汽修厂直供"),
]
for key, site, factor, title in RESALES:
    genuine("genuine_reseller", key, site, reseller(site, P[key]["cat"]),
            f"genuine goods from a shop that is not on the brand's authorised list, {factor:.0%} of the reference price, "
            "complete registration data; an unauthorised seller alone is not a flag", factor=factor, title=title)

# Discounts and small packs: the unit price is normal or the discount is an ordinary promotion.
genuine("genuine_promo", "lan_tonique", "taoxi", official("taoxi", "lancome"),
        "official store promotion at 70% of the reference price (38 festival)", factor=0.7,
        title="兰蔻 清滢柔肤水 粉水 400ml 【3.8女神节 限时7折】")
genuine("genuine_promo", "castrol_mag", "tradenest", official("tradenest", "castrol"),
        "official store clearance at 65% of the reference price", factor=0.65,
        title="Castrol Magnatec 5W-40 fully synthetic engine oil, 4L - spring sale 35% off")
genuine("genuine_promo", "king_crf", "jingpin", official("jingpin", "kingenta"),
        "official store planting-season discount at 75% of the reference price", factor=0.75,
        title="金正大 缓控释复合肥 24-8-13 40kg 春耕特惠 满减")
genuine("genuine_small_pack", "lan_absolue", "jingpin", official("jingpin", "lancome"),
        "15 ml travel size from the official store: per-ml price equals the 60 ml reference", factor=0.25,
        title="兰蔻 菁纯臻颜面霜 15ml 中样 旅行装", spec_override="15ml")
genuine("genuine_small_pack", "el_anr", "tradenest", official("tradenest", "esteelauder"),
        "15 ml size: per-ml price close to the 50 ml reference", factor=0.34,
        title="Estée Lauder Advanced Night Repair serum, 15ml travel size", spec_override="15ml")
genuine("genuine_small_pack", "stan_hum", "pinhui", dealer("pinhui", "agri_inputs"),
        "5 kg bag from an authorised dealer: per-kg price equals the 20 kg reference", factor=0.26,
        title="史丹利 含腐植酸水溶肥料 冲施肥 5kg 小包装", spec_override="5kg")
genuine("genuine_small_pack", "mobil_s2000", "pinhui", official("pinhui", "mobil"),
        "1 litre bottle: per-litre price close to the 4 L reference", factor=0.28,
        title="美孚 速霸2000 全合成机油 5W-30 SP 1L 补充装", spec_override="1L")

# Cross-border sales: real imported goods sold under the cross-border e-commerce rules.
add("grey_import_crossborder", False, [], "cross-border bonded-warehouse sale of real SK-II (no Chinese filing needed for "
    "cross-border retail imports); reseller at 85% of the reference price", cat="cosmetics",
    title="【跨境保税】SK-II 赋能焕采精华霜 大红瓶 80g 日本直邮 海关监管", price_cny=1590 * 0.85, site="jingpin",
    seller_id=seller("jingpin", "jp-hk-global", "京品国际美妆自营（跨境）", "浙江 宁波"), brand="SK-II",
    desc="跨境电商零售进口商品，保税仓发货，提供报关单号。", attrs={"品牌": "SK-II", "原产国": "日本", "净含量": "80g", "发货地": "宁波保税区"},
    mark="skii", images=4)
add("grey_import_crossborder", False, [], "cross-border sale of real Lancôme at 90% of the reference price", cat="cosmetics",
    title="Lancôme Absolue soft cream 60ml (cross-border, ships from bonded warehouse)", price_cny=2150 * 0.9, site="shopmore",
    seller_id=seller("shopmore", "sm-xb-beauty", "Duty Free Beauty Direct", "Ningbo, CN"), brand="Lancôme",
    desc="Imported under cross-border e-commerce rules; customs declaration number on request.",
    attrs={"Brand": "Lancôme", "Country of origin": "France", "Net content": "60ml"}, mark="lancome", images=3)

# --------------------------------------------------------------------------- flagged: look-alike marks

KNOCKOFF_MAKERS = {
    "agri_inputs": ("河南丰硕生物科技有限公司", "河南省商丘市"),
    "cosmetics": ("广州市美研化妆品有限公司", "广东省广州市白云区"),
    "auto_parts": ("温州市瑞丰汽配有限公司", "浙江省温州市"),
}
ZH_TITLES = ("{m} {n} {s}", "【正品】{m}{n} {s} 包邮", "{m} {n} {s} 厂家直销", "{m}牌 {n} {s}", "新款 {m} {n} {s} 现货")
EN_TITLES = ("{m} {n}, {s}", "{m} {n} {s} - free shipping", "{m} brand {n} ({s})", "NEW {m} {n} {s}")
_lk_count = [0]


def lookalike(case: str, key: str, shown: str, mechanism: str, *, lang: str, factor: float, keep_regs: bool = True,
              contact: str | None = None, sus: bool = True, title: str | None = None):
    p = P[key]
    n = _lk_count[0]
    _lk_count[0] += 1
    site = next_site(lang)
    sid = suspect(site, n) if sus else generic(site, p["cat"])
    s = spec(p, lang)
    if title is None:
        pool = ZH_TITLES if lang == "zh" else EN_TITLES
        title = pool[n % len(pool)].format(m=shown, n=p["zh"] if lang == "zh" else p["en"], s=s)
    maker, address = KNOCKOFF_MAKERS[p["cat"]]
    drop = ["标签二维码"] + ([] if keep_regs else list(REG_FIELDS))
    replace = {k: maker for k in ("生产厂家", "生产企业", "境内责任人")}
    a = attrs_of(p, lang, brand=shown, drop=drop, replace=replace, extra={"生产地址": address})
    kinds = ["trademark"]
    if factor <= 0.4:
        kinds.append("price")
    if not keep_regs and p["sub"] in NEEDS_REG:
        kinds.append("regulatory")
    desc = f"{shown}品牌，{s}，品质保证，欢迎选购。" if lang == "zh" else f"{shown} brand, {s}. Quality guaranteed."
    if contact:
        desc += contact
        kinds.append("contact")
    note = f"look-alike of {en_name(p['mark'])} {zh_name(p['mark'])}: {shown} ({mechanism}), {factor:.0%} of the reference price"
    if not keep_regs and p["sub"] in NEEDS_REG:
        note += ", no registration/filing/certificate shown"
    add(case, True, kinds, note, cat=p["cat"], title=title, price_cny=p["price"] * factor, site=site, lang=lang,
        seller_id=sid, brand=shown, desc=desc, attrs=a, mark=p["mark"])


# Latin script: one-letter edits, transpositions, doubled letters, digits for letters, homoglyphs, separators.
lookalike("lookalike_letter_edit", "syn_score", "Syngenda", "t→d", lang="en", factor=0.45)
lookalike("lookalike_letter_edit", "bay_infinito", "Beyer", "a→e", lang="en", factor=0.3)
lookalike("lookalike_letter_edit", "lan_tonique", "Lancame", "o→a", lang="en", factor=0.35)
lookalike("lookalike_letter_edit", "mich_ps4", "Michelon", "i→o", lang="en", factor=0.5, keep_regs=False)
lookalike("lookalike_letter_edit", "castrol_mag", "Castrel", "o→e", lang="zh", factor=0.38, title="Castrel 磁护 全合成机油 5W-40 SN 4L")
lookalike("lookalike_letter_edit", "denso_plug", "Denzo", "s→z", lang="en", factor=0.4)
lookalike("lookalike_transposition", "syn_fugo", "Sygnenta", "ng→gn", lang="en", factor=0.33)
lookalike("lookalike_transposition", "bosch_pads", "Bocsh", "sc→cs", lang="en", factor=0.3, keep_regs=False)
lookalike("lookalike_transposition", "lan_absolue", "Lacnome", "nc→cn", lang="en", factor=0.12)
lookalike("lookalike_transposition", "mich_ep", "Mihcelin", "ch→hc", lang="zh", factor=0.4, title="Mihcelin 轮胎 e·PRIMACY 215/55R17 94V 静音")
lookalike("lookalike_transposition", "ngk_gpower", "GNK", "NG→GN", lang="en", factor=0.35)
lookalike("lookalike_doubled_letter", "bay_luna", "Bayyer", "doubled y", lang="en", factor=0.4)
lookalike("lookalike_doubled_letter", "brembo_pads", "Brembbo", "doubled b", lang="en", factor=0.25, keep_regs=False)
lookalike("lookalike_doubled_letter", "el_anr", "Esttee Lauder", "doubled t", lang="en", factor=0.15)
lookalike("lookalike_doubled_letter", "castrol_mag", "Casttrol", "doubled t", lang="en", factor=0.45)
lookalike("lookalike_doubled_letter", "mobil_s2000", "Moobil", "doubled o", lang="zh", factor=0.3, title="Moobil 速霸2000 全合成机油 5W-30 SP 4L 整箱")
lookalike("lookalike_digit_for_letter", "syn_fugo", "5yngenta", "5 for S", lang="en", factor=0.3)
lookalike("lookalike_digit_for_letter", "basf_jianda", "BA5F", "5 for S", lang="zh", factor=0.35, title="BA5F 健达 42.4%唑醚·氟酰胺 悬浮剂 100ml")
lookalike("lookalike_digit_for_letter", "lor_eye", "L'0real", "0 for O", lang="en", factor=0.2)
lookalike("lookalike_digit_for_letter", "ngk_iridium", "N6K", "6 for G", lang="en", factor=0.3)
lookalike("lookalike_digit_for_letter", "brembo_disc", "Br3mbo", "3 for e", lang="en", factor=0.35)
lookalike("lookalike_digit_for_letter", "mobil_s2000", "M0bil", "0 for o", lang="en", factor=0.45, contact=" WhatsApp +86 " + phone("m0bil") + " for wholesale.")
lookalike("lookalike_digit_for_letter", "shell_hx7", "5hell", "5 for S", lang="en", factor=0.35)
lookalike("lookalike_homoglyph", "bay_infinito", "\u0412ayer", "Cyrillic В for B", lang="en", factor=0.4)
lookalike("lookalike_homoglyph", "lan_tonique", "L\u0430ncome", "Cyrillic а for a", lang="en", factor=0.3)
lookalike("lookalike_homoglyph", "denso_wiper", "D\u0435nso", "Cyrillic е for e", lang="en", factor=0.35)
lookalike("lookalike_homoglyph", "mich_ps4", "\u041c\u0456\u0441helin", "Cyrillic М, і, с", lang="en", factor=0.3, keep_regs=False)
lookalike("lookalike_homoglyph", "castrol_mag", "\u0421\u0430strol", "Cyrillic С and а", lang="zh", factor=0.4,
          title="\u0421\u0430strol 磁护 5W-40 全合成机油 4L 正品保障")
lookalike("lookalike_homoglyph", "shell_hx7", "\u0405hell", "Cyrillic Ѕ for S", lang="en", factor=0.45)
lookalike("lookalike_homoglyph", "ngk_gpower", "\u039dG\u039a", "Greek Ν and Κ", lang="en", factor=0.3)
lookalike("lookalike_separator", "syn_score", "Syn-genta", "hyphen inside", lang="en", factor=0.35)
lookalike("lookalike_separator", "basf_paicao", "B.A.S.F", "dots between letters", lang="en", factor=0.4)
lookalike("lookalike_separator", "ngk_iridium", "N.G.K", "dots between letters", lang="zh", factor=0.3, title="N.G.K 铱金火花塞 IZFR6K11 4支装 通用")
lookalike("lookalike_separator", "bosch_plug", "Bo-sch", "hyphen inside", lang="en", factor=0.3)
lookalike("lookalike_separator", "mobil_s2000", "Mo bil", "space inside", lang="en", factor=0.35)

# Chinese: shape-similar, same sound, component split, number swap, inserted word, Traditional, other script.
lookalike("lookalike_shape_similar", "syn_score", "先止达", "正→止", lang="zh", factor=0.35)
lookalike("lookalike_shape_similar", "basf_paicao", "巴期夫", "斯→期", lang="zh", factor=0.4, keep_regs=False)
lookalike("lookalike_shape_similar", "stan_nps", "吏丹利", "史→吏", lang="zh", factor=0.55)
lookalike("lookalike_shape_similar", "king_sea", "全正大", "金→全", lang="zh", factor=0.5)
lookalike("lookalike_shape_similar", "lor_men", "欧莱稚", "雅→稚", lang="zh", factor=0.3)
lookalike("lookalike_shape_similar", "chando_ice", "自然棠", "堂→棠", lang="zh", factor=0.35)
lookalike("lookalike_shape_similar", "bosch_cabin", "搏世", "博→搏", lang="zh", factor=0.3)
lookalike("lookalike_shape_similar", "mich_ps4", "米甚林", "其→甚", lang="zh", factor=0.4, keep_regs=False)
lookalike("lookalike_homophone", "syn_fugo", "鲜正达", "先→鲜 xian", lang="zh", factor=0.3)
lookalike("lookalike_homophone", "basf_jianda", "芭斯夫", "巴→芭 ba", lang="zh", factor=0.35, keep_regs=False)
lookalike("lookalike_homophone", "stan_hum", "史丹丽", "利→丽 li", lang="zh", factor=0.5)
lookalike("lookalike_homophone", "lp_lly1377", "龙平高科", "隆→龙 long", lang="zh", factor=0.45, keep_regs=False)
lookalike("lookalike_homophone", "dh618", "灯海", "登→灯 deng", lang="zh", factor=0.4)
lookalike("lookalike_homophone", "lan_tonique", "蓝蔻", "兰→蓝 lan", lang="zh", factor=0.25)
lookalike("lookalike_homophone", "castrol_mag", "佳实多", "嘉→佳 jia", lang="zh", factor=0.35)
lookalike("lookalike_homophone", "bosch_pads", "铂世", "博→铂 bo", lang="zh", factor=0.33, keep_regs=False)
lookalike("lookalike_component_split", "lp_jly534", "隆平高禾斗", "科→禾斗", lang="zh", factor=0.5, keep_regs=False)
lookalike("lookalike_component_split", "dh685", "登氵每", "海→氵每", lang="zh", factor=0.45)
lookalike("lookalike_component_split", "lor_eye", "欧莱牙隹", "雅→牙隹", lang="zh", factor=0.2)
lookalike("lookalike_component_split", "pech_water", "百雀羊令", "羚→羊令", lang="zh", factor=0.4)
lookalike("lookalike_component_split", "win_serum", "薇诺女那", "娜→女那", lang="zh", factor=0.3)
lookalike("lookalike_component_split", "denso_wiper", "电壮衣", "装→壮衣", lang="zh", factor=0.4)
lookalike("lookalike_number_swap", "sk2_cream", "SK-IV", "II→IV", lang="en", factor=0.12)
lookalike("lookalike_number_swap", "sk2_aura", "SK-2", "II→2 (same sound, digit)", lang="zh", factor=0.15, keep_regs=False,
          title="SK-2 小灯泡 光蕴臻采焕亮精华露 50ml 美白淡斑")
lookalike("lookalike_number_swap", "ls_water", "九神", "六→九 (number swap of 六神)", lang="zh", factor=0.5,
          title="九神 经典花露水 195ml 清凉止痒 驱蚊")
lookalike("lookalike_number_swap", "ls_water", "八神", "六→八 (number swap of 六神)", lang="zh", factor=0.45,
          title="八神花露水 195ml 老牌 夏季必备")
lookalike("lookalike_inserted_word", "syn_score", "先正农达", "inserted 农", lang="zh", factor=0.4)
lookalike("lookalike_inserted_word", "lp_lly1377", "隆平农高科", "inserted 农", lang="zh", factor=0.5)
lookalike("lookalike_inserted_word", "chando_sun", "自然本堂", "inserted 本", lang="zh", factor=0.3, keep_regs=False)
lookalike("lookalike_inserted_word", "mich_ep", "米其森林", "inserted 森", lang="zh", factor=0.35)
lookalike("lookalike_inserted_word", "castrol_mag", "嘉实力多", "inserted 力", lang="zh", factor=0.3)
lookalike("lookalike_inserted_word", "win_white", "薇诺丽娜", "inserted 丽", lang="zh", factor=0.35, keep_regs=False)
lookalike("lookalike_traditional", "el_anr", "雅詩蘭黛", "Traditional 詩蘭", lang="zh", factor=0.2)
lookalike("lookalike_traditional", "castrol_mag", "嘉實多", "Traditional 實", lang="zh", factor=0.35)
lookalike("lookalike_traditional", "denso_plug", "電装", "Traditional 電 with Simplified 装", lang="zh", factor=0.3)
lookalike("lookalike_traditional", "lor_men", "欧萊雅", "Traditional 萊 only", lang="zh", factor=0.3,
          contact="加微信 " + f"ly{digits(5, 'lor')}" + " 看实拍")
lookalike("lookalike_traditional", "lan_absolue", "蘭蔲", "Traditional 蘭 and variant 蔲", lang="zh", factor=0.1)
lookalike("lookalike_other_script", "syn_fugo", "Xianzhengda", "pinyin of 先正达", lang="en", factor=0.35)
lookalike("lookalike_other_script", "stan_hum", "Shidanli", "pinyin of 史丹利", lang="zh", factor=0.45,
          title="Shidanli 含腐植酸水溶肥料 冲施肥 20kg")
lookalike("lookalike_other_script", "king_crf", "JINZHENGDA", "pinyin of 金正大", lang="zh", factor=0.5,
          title="JINZHENGDA 缓控释复合肥 24-8-13 40kg 厂家直发")
lookalike("lookalike_other_script", "pech_frame", "Baiqueling", "pinyin of 百雀羚", lang="en", factor=0.3)
lookalike("lookalike_other_script", "win_white", "Weinuona", "pinyin of 薇诺娜", lang="en", factor=0.25, keep_regs=False)

# --------------------------------------------------------------------------- flagged: counterfeit vocabulary

_cf_count = [0]


def counterfeit(case: str, key: str, title: str, *, lang: str, factor: float, note: str, kinds=("trademark", "counterfeit"),
                desc: str = "", keep_regs: bool = False, seller_id: str | None = None, site: str | None = None):
    p = P[key]
    n = _cf_count[0]
    _cf_count[0] += 1
    site = site or next_site(lang)
    sid = seller_id or suspect(site, n)
    b = zh_name(p["mark"]) if lang == "zh" else en_name(p["mark"])
    a = attrs_of(p, lang, brand=b, drop=() if keep_regs else ("标签二维码",) + REG_FIELDS)
    kinds = list(kinds)
    if factor <= 0.4 and "price" not in kinds:
        kinds.append("price")
    if not keep_regs and p["sub"] in NEEDS_REG and "regulatory" not in kinds:
        kinds.append("regulatory")
    if "seller" not in kinds:
        kinds.append("seller")  # every one of these sellers claims the mark without being on its list
    add(case, True, kinds, note + f"; {factor:.0%} of the reference price", cat=p["cat"], title=title,
        price_cny=p["price"] * factor, site=site, lang=lang, seller_id=sid, brand=b, desc=desc, attrs=a, mark=p["mark"])


WX = lambda tag: f"{tag}{digits(4, 'wx', tag)}"  # noqa: E731

counterfeit("counterfeit_vocab_en", "lan_absolue", "Lancôme Absolue soft cream 60ml replica 1:1", lang="en", factor=0.08,
            note="replica / 1:1 next to Lancôme", desc="Top replica, same jar and box as the counter.")
counterfeit("counterfeit_vocab_en", "el_anr", "Estée Lauder Advanced Night Repair 50ml AAA+ quality", lang="en", factor=0.12,
            note="AAA+ next to Estée Lauder", desc="AAA+ grade, looks identical.")
counterfeit("counterfeit_vocab_en", "sk2_cream", "SK-II Skinpower cream 80g mirror quality", lang="en", factor=0.1,
            note="mirror quality next to SK-II", desc="Mirror quality, original packaging.")
counterfeit("counterfeit_vocab_en", "bosch_pads", "Bosch ceramic brake pads 0 986 AB4 418 super copy", lang="en", factor=0.2,
            note="super copy next to Bosch on brake pads, no CCC", desc="Super copy, same box as original.")
counterfeit("counterfeit_vocab_en", "ngk_iridium", "NGK iridium spark plugs IZFR6K11 first copy (4 pcs)", lang="en", factor=0.25,
            note="first copy next to NGK", desc="First copy, best quality.")
counterfeit("counterfeit_vocab_en", "mich_ps4", "Michelin Pilot Sport 4 225/45 R18 master copy", lang="en", factor=0.3,
            note="master copy next to Michelin on a tyre, no CCC", desc="Master copy tyre, factory price.")
counterfeit("counterfeit_vocab_en", "castrol_mag", "Castrol Magnatec 5W-40 4L 5A grade", lang="en", factor=0.3,
            note="5A next to Castrol", desc="5A grade oil, same bottle.")
counterfeit("counterfeit_vocab_en", "lor_eye", "L'Oréal Revitalift eye cream dupe 30ml", lang="en", factor=0.15,
            note="dupe next to L'Oréal (doubtful: a dupe may be a differently branded imitation; still a notice-worthy use of the mark)",
            desc="Best dupe, same texture.")
counterfeit("counterfeit_vocab_en", "brembo_pads", "Brembo style brake pads P 83 140 unbranded, no logo", lang="en", factor=0.2,
            note="unbranded / no logo next to Brembo, no CCC", desc="No logo version, same factory as Brembo.")
counterfeit("counterfeit_vocab_en", "denso_plug", "Denso iridium spark plugs SK20HR11 AAA quality, CE UL certified", lang="en",
            factor=0.25, note="AAA next to Denso and made-up CE/UL marks on spark plugs", desc="AAA quality, CE and UL marked.")
counterfeit("counterfeit_vocab_en", "syn_score", "Syngenta Score fungicide 100g, inspired by the original", lang="en", factor=0.3,
            note="'inspired by' next to Syngenta, no registration number", desc="Inspired by Syngenta Score, same formula.")
counterfeit("counterfeit_vocab_zh", "lan_tonique", "高仿兰蔻 清滢柔肤水 粉水 400ml", lang="zh", factor=0.1, note="高仿 next to 兰蔻",
            desc="高仿专柜版，外观一致。")
counterfeit("counterfeit_vocab_zh", "sk2_aura", "SK-II 小灯泡 精华 50ml A货 美白", lang="zh", factor=0.12,
            note="A货 next to SK-II, whitening claim without the special registration", desc="A货，效果一样。")
counterfeit("counterfeit_vocab_zh", "el_dw", "雅诗兰黛DW粉底液 原单 30ml", lang="zh", factor=0.15, note="原单 next to 雅诗兰黛",
            desc="原单货，和专柜一样。")
counterfeit("counterfeit_vocab_zh", "lor_men", "欧莱雅男士 劲能醒肤露 尾单 清仓", lang="zh", factor=0.35, note="尾单 next to 欧莱雅",
            desc="外贸尾单，数量有限。")
counterfeit("counterfeit_vocab_zh", "denso_wiper", "电装 无骨雨刮 复刻版 DFR-022", lang="zh", factor=0.3, note="复刻 next to 电装",
            desc="复刻版，安装一样。")
counterfeit("counterfeit_vocab_zh", "castrol_mag", "嘉实多 磁护 5W-40 精仿 4L", lang="zh", factor=0.25, note="精仿 next to 嘉实多",
            desc="精仿，瓶子一模一样。")
counterfeit("counterfeit_vocab_zh", "lan_absolue", "兰蔻菁纯面霜 超A 60ml 无盒", lang="zh", factor=0.06, note="超A and 无盒 next to 兰蔻",
            desc="超A品质，无盒装。")
counterfeit("counterfeit_vocab_zh", "pech_frame", "百雀羚 帧颜霜 工厂货 50g", lang="zh", factor=0.3, note="工厂货 next to 百雀羚",
            desc="工厂货，没有专柜码。")
counterfeit("counterfeit_vocab_zh", "ngk_gpower", "NGK 铂金火花塞 BKR6EGP 厂货 4支", lang="zh", factor=0.3, note="厂货 next to NGK",
            desc="厂货直发，量大从优。")
counterfeit("counterfeit_vocab_zh", "win_serum", "薇诺娜 舒敏精华 大牌同款 30ml", lang="zh", factor=0.2, note="大牌同款 next to 薇诺娜",
            desc="大牌同款，一样好用。")
counterfeit("counterfeit_vocab_zh", "el_anr", "雅诗兰黛小棕瓶平替 修护精华 50ml", lang="zh", factor=0.1,
            note="平替 next to 雅诗兰黛 (doubtful: may be another brand's product advertised as a cheap alternative; the mark is still used)",
            desc="小棕瓶平替，效果差不多。")
counterfeit("counterfeit_vocab_zh", "syn_fugo", "先正达 福戈 正品 假一赔万 6g×10袋", lang="zh", factor=0.3,
            note="假一赔万 over-assertion next to 先正达, no registration number")
counterfeit("counterfeit_vocab_zh", "mobil_s2000", "美孚速霸2000 5W-30 4L 绝对正品 特价", lang="zh", factor=0.3,
            note="绝对正品 over-assertion at a third of the price")
counterfeit("counterfeit_vocab_agri", "bay_infinito", "拜耳 银法利 特效 杀菌剂 100ml 一喷见效", lang="zh", factor=0.35,
            note="特效 claim next to 拜耳, no registration number", kinds=("trademark", "counterfeit", "regulatory"))
counterfeit("counterfeit_vocab_agri", "basf_jianda", "巴斯夫 健达 根治灰霉病 100ml", lang="zh", factor=0.4,
            note="根治 claim next to 巴斯夫, no registration number", kinds=("trademark", "counterfeit", "regulatory"))
counterfeit("counterfeit_vocab_agri", "bay_luna", "拜耳 露娜森 原装进口 德国 100ml", lang="zh", factor=0.45,
            note="'imported original' next to 拜耳 without a registration number", kinds=("trademark", "counterfeit", "regulatory"))
counterfeit("counterfeit_vocab_agri", "syn_score", "Syngenta Score imported original 100g, special effect", lang="en", factor=0.4,
            note="'imported original' next to Syngenta without a registration number", kinds=("trademark", "counterfeit", "regulatory"))
counterfeit("counterfeit_vocab_auto", "bosch_pads", "博世 原厂品质 刹车片 前片 本田雅阁 散装", lang="zh", factor=0.3,
            note="原厂品质 next to 博世 on loose brake pads without CCC")
counterfeit("counterfeit_vocab_auto", "denso_plug", "电装 火花塞 SK20HR11 拆车件 9成新 原厂", lang="zh", factor=0.2,
            note="拆车件 sold under 电装 as 原厂 (used parts passed off)")
counterfeit("counterfeit_vocab_auto", "brembo_pads", "布雷博 刹车片 P 83 140 副厂 原厂品质", lang="zh", factor=0.25,
            note="副厂 with 原厂品质 under the 布雷博 mark, no CCC")

# --------------------------------------------------------------------------- flagged: price far below, seller, contact

_pr = [0]


def cheap(case: str, key: str, factor: float, *, lang: str, note: str, kinds=("trademark", "price", "seller"),
          seller_name: str | None = None, contact: str | None = None, title: str | None = None, keep_regs=True):
    p = P[key]
    n = _pr[0]
    _pr[0] += 1
    site = next_site(lang)
    if seller_name:
        sid = seller(site, f"{site[:2]}-imp{n}", seller_name, "广东 广州" if lang == "zh" else "Guangzhou, CN")
    else:
        sid = suspect(site, n + 1)
    b = zh_name(p["mark"]) if lang == "zh" else en_name(p["mark"])
    sp = spec(p, lang)
    title = title or (f"{b} {p['zh']} {sp}" if lang == "zh" else f"{b} {p['en']}, {sp}")
    desc = (f"{b}正品，{sp}。" if lang == "zh" else f"{b} original, {sp}.")
    kinds = list(kinds)
    if contact:
        desc += contact
        kinds.append("contact")
    drop = ("标签二维码",) if keep_regs else ("标签二维码",) + REG_FIELDS
    if not keep_regs and p["sub"] in NEEDS_REG:
        kinds.append("regulatory")
    add(case, True, kinds, note + f"; {factor:.0%} of the reference price", cat=p["cat"], title=title,
        price_cny=p["price"] * factor, site=site, lang=lang, seller_id=sid, brand=b, desc=desc,
        attrs=attrs_of(p, lang, brand=b, drop=drop), mark=p["mark"])


cheap("price_far_below", "lan_absolue", 0.09, lang="zh", note="plain copy of the genuine title at under a tenth of the price, unlisted seller")
cheap("price_far_below", "sk2_aura", 0.14, lang="en", note="SK-II whitening essence at 14%, unlisted seller")
cheap("price_far_below", "mich_ps4", 0.22, lang="zh", note="Michelin tyre at 22%, unlisted seller (CCC number copied)")
cheap("price_far_below", "el_dw", 0.18, lang="zh", note="Estée Lauder foundation at 18%, unlisted seller")
cheap("price_far_below", "brembo_disc", 0.2, lang="en", note="Brembo discs at 20%, unlisted seller")
cheap("price_far_below", "bay_luna", 0.25, lang="zh", note="Bayer fungicide at 25%, unlisted seller (registration copied)")
cheap("price_far_below", "ngk_iridium", 0.2, lang="zh", note="NGK iridium plugs at 20%, unlisted seller")
cheap("price_far_below", "win_white", 0.15, lang="zh", note="Winona whitening serum at 15%, unlisted seller")
cheap("price_far_below", "castrol_mag", 0.22, lang="en", note="Castrol oil at 22%, unlisted seller")
cheap("price_far_below", "dh618", 0.3, lang="zh", note="Denghai seed at 30% before planting season, unlisted seller")
cheap("price_far_below", "lor_eye", 0.12, lang="zh", note="L'Oréal eye cream at 12%, unlisted seller")

cheap("seller_impersonation", "mich_ep", 0.45, lang="zh", seller_name="米其林轮胎官方直营店",
      note="seller name claims to be Michelin's official store but is not on the list, with a low price",
      kinds=("trademark", "seller", "price"))
cheap("seller_impersonation", "lan_tonique", 0.4, lang="en", seller_name="Lancome Official Outlet",
      note="seller name claims Lancôme's official outlet, not on the list, at 40%", kinds=("trademark", "seller", "price"))
cheap("seller_impersonation", "syn_fugo", 0.5, lang="zh", seller_name="先正达农药总代理",
      note="seller claims to be Syngenta's general agent, not on the list, no registration number shown",
      kinds=("trademark", "seller"), keep_regs=False)
cheap("seller_impersonation", "bosch_plug", 0.35, lang="zh", seller_name="博世汽配官方旗舰店",
      note="seller named like Bosch's flagship store but not on the list, at 35%", kinds=("trademark", "seller", "price"))
cheap("seller_impersonation", "sk2_cream", 0.3, lang="zh", seller_name="SK-II专柜直营",
      note="seller claims to be an SK-II counter, not on the list, at 30%", kinds=("trademark", "seller", "price"),
      title="SK-II 赋能焕采精华霜 大红瓶 80g 专柜正品")
cheap("seller_impersonation", "shell_hx7", 0.5, lang="en", seller_name="Shell Lubricants Official Shop",
      note="seller claims to be Shell's official shop, not on the list, with WeChat contact",
      kinds=("trademark", "seller"), contact=" Add WeChat " + WX("shl") + " for bulk price.")
cheap("seller_impersonation", "king_sea", 0.55, lang="zh", seller_name="金正大肥业厂家直营",
      note="seller claims to be Kingenta's factory store, not on the list, with phone for off-platform orders",
      kinds=("trademark", "seller"), contact=f"订货电话 {phone('king')}（微信同号）")

cheap("offplatform_contact", "lan_absolue", 0.2, lang="zh", note="brand product at 20% with WeChat id for off-platform sale",
      contact="加微信 vx：" + WX("lcm") + " 看实拍")
cheap("offplatform_contact", "el_anr", 0.25, lang="en", note="brand product at 25% with a WhatsApp number",
      contact=f" WhatsApp +86 {phone('el')} for real photos.")
cheap("offplatform_contact", "bosch_pads", 0.3, lang="zh", note="brand brake pads at 30% with QQ number",
      contact=f"QQ {digits(9, 'qq1')} 量大从优")
cheap("offplatform_contact", "syn_score", 0.35, lang="zh", note="brand pesticide at 35% with a mobile number",
      contact=f"电话/微信同号 {phone('syn')}")
cheap("offplatform_contact", "mobil_s2000", 0.3, lang="zh", note="brand oil at 30% with '加我看' and WeChat",
      contact="加我看细节图 v信 " + WX("mb"))
cheap("offplatform_contact", "sk2_aura", 0.2, lang="en", note="brand essence at 20% with Telegram handle",
      contact=" DM on Telegram @skii_" + digits(4, "tg") + " for discount.")
cheap("offplatform_contact", "dh685", 0.35, lang="zh", note="brand seed at 35% with WeChat id",
      contact="团购加微信 " + WX("dh") + " 送货上门")

# --------------------------------------------------------------------------- flagged: regulatory breaches


# Relabelled for issue 11 (the labelling policy of ../shared/data/labelled-listings, which the
# issue adopts): a regulatory breach that only absence shows is no flag (1) on an overseas
# English shop, whose listings China's registration rules do not govern, and (2) for a CCC
# number a named maker's listing does not show (the mark is on the part). The cases keep their
# names and place, so the holdout split is unchanged; the note says why.
CCC_NOT_SHOWN = ("brake_pads_no_ccc", "tyre_no_ccc", "lamp_no_ccc")


def _policy_clear(case: str, title: str, attrs: dict, desc: str, brand: str | None, kinds, lang: str | None) -> str:
    english = (lang or ("en" if title.isascii() else "zh")) == "en"
    if english and tuple(kinds) == ("regulatory",):
        return "not a flag: China's registration rules are not applied to an overseas English shop's listing"
    shows_number = any("CCC" in k or "3C" in k for k in attrs) or "CCC" in desc or "3C" in desc
    if case in CCC_NOT_SHOWN and brand and not shows_number:
        return "not a flag: a CCC number that a named maker's listing does not show is no reason by itself"
    return ""


def reg(case: str, note: str, *, cat: str, title: str, price: float, attrs: dict, desc: str = "", brand: str | None = None,
        kinds=("regulatory",), lang: str | None = None, seller_id: str | None = None, site: str | None = None):
    clear = _policy_clear(case, title, attrs, desc, brand, kinds, lang)
    add(case, not clear, [] if clear else list(kinds), f"{note} ({clear}, issue 11)" if clear else note, cat=cat,
        title=title, price_cny=price, attrs=attrs, desc=desc, brand=brand, lang=lang, site=site, seller_id=seller_id,
        images=1)


A = "agri_inputs"
C = "cosmetics"
U = "auto_parts"

reg("pesticide_no_registration", "insecticide with neither registration number nor label code", cat=A, brand="田丰",
    title="田丰 5%甲氨基阿维菌素苯甲酸盐 水分散粒剂 100g 杀虫", price=16,
    attrs={"品牌": "田丰", "有效成分": "甲氨基阿维菌素苯甲酸盐5%", "生产厂家": "河北田丰生物科技有限公司", "规格": "100g"},
    desc="防治甜菜夜蛾、小菜蛾，速效持久。")
reg("pesticide_no_registration", "herbicide without registration number", cat=A, brand="禾清",
    title="禾清 41%草甘膦异丙胺盐 水剂 果园除草 1kg", price=22,
    attrs={"品牌": "禾清", "有效成分": "草甘膦异丙胺盐41%", "剂型": "水剂", "生产厂家": "安徽禾清化工有限公司", "规格": "1kg"},
    desc="果园、荒地除草，烂根。")
reg("pesticide_no_registration", "fungicide in English without registration number", cat=A, brand="AgriShield",
    title="AgriShield 50% carbendazim WP fungicide 500g", price=19,
    attrs={"Brand": "AgriShield", "Active ingredient": "carbendazim 50%", "Manufacturer": "Hebei AgriShield Chemical Co.", "Pack": "500g"},
    desc="Broad-spectrum fungicide for fruit and vegetables.")
reg("pesticide_no_registration", "insecticide with WeChat ordering and no registration", cat=A, brand="绿盾",
    title="绿盾 22%噻虫·高氯氟 微囊悬浮剂 杀虫剂 200ml", price=25, kinds=("regulatory", "contact"),
    attrs={"品牌": "绿盾", "有效成分": "噻虫嗪12.6%、高效氯氟氰菊酯9.4%", "规格": "200ml"},
    desc=f"批发加微信 {WX('ld')}，全国包邮。")
reg("pesticide_no_registration", "rodenticide sold without registration number", cat=A, brand="鼠克星",
    title="鼠克星 0.005%溴鼠灵 毒饵 农田灭鼠 500g", price=12,
    attrs={"品牌": "鼠克星", "有效成分": "溴鼠灵0.005%", "生产厂家": "山东鼠克星生物有限公司", "规格": "500g"},
    desc="农田、仓库灭鼠，效果好。")
reg("pesticide_malformed_registration", "registration number has seven digits instead of eight", cat=A, brand="丰乐",
    title="丰乐 25%吡蚜酮 可湿性粉剂 稻飞虱 100g", price=9.5,
    attrs={"品牌": "丰乐", "有效成分": "吡蚜酮25%", "农药登记证号": "PD2016183", "生产厂家": "江苏丰乐农化有限公司", "规格": "100g"},
    desc="防治稻飞虱。")
reg("pesticide_malformed_registration", "unknown prefix PE is not PD/WP/LS/WL", cat=A, brand="润禾",
    title="润禾 30%苯甲·丙环唑 乳油 纹枯病 100ml", price=14,
    attrs={"品牌": "润禾", "有效成分": "苯醚甲环唑15%、丙环唑15%", "农药登记证号": "PE20170512", "生产厂家": "山东润禾化工有限公司", "规格": "100ml"},
    desc="防治水稻纹枯病。")
reg("pesticide_malformed_registration", "registration number with letters inside the year", cat=A, brand="GreenTide",
    title="GreenTide 10% bifenthrin EC insecticide 100ml (Reg. PD20X91234)", price=11,
    attrs={"Brand": "GreenTide", "Active ingredient": "bifenthrin 10%", "Pesticide registration No.": "PD20X91234", "Pack": "100ml"},
    desc="Controls aphids and whitefly.")
reg("pesticide_malformed_registration", "registration field says 'pending' (待审)", cat=A, brand="金稻",
    title="金稻 20%氯虫苯甲酰胺 悬浮剂 稻纵卷叶螟 50ml", price=28,
    attrs={"品牌": "金稻", "有效成分": "氯虫苯甲酰胺20%", "农药登记证号": "登记中 待审", "生产厂家": "江西金稻生物科技有限公司", "规格": "50ml"},
    desc="新品上市，登记证办理中。")
reg("pesticide_label_mismatch", "label code digits 2-7 do not match PD20183317", cat=A, brand="沃丰",
    title="沃丰 480克/升毒死蜱 乳油 500ml", price=35,
    attrs={"品牌": "沃丰", "有效成分": "毒死蜱480克/升", "农药登记证号": "PD20183317", "标签二维码": label_code("PD20183317", False),
           "生产厂家": "山东沃丰农化有限公司", "规格": "500ml"}, desc="防治地下害虫。")
reg("pesticide_label_mismatch", "label code's first digit says WP (2) for a PD registration", cat=A, brand="农尚",
    title="农尚 43%戊唑醇 悬浮剂 100ml 小麦赤霉病", price=18,
    attrs={"品牌": "农尚", "有效成分": "戊唑醇43%", "农药登记证号": "PD20142876", "标签二维码": label_code("PD20142876", kind="2"),
           "生产厂家": "河南农尚生物科技有限公司", "规格": "100ml"}, desc="防治小麦赤霉病、锈病。")
reg("pesticide_label_mismatch", "English listing whose label code belongs to another registration", cat=A, brand="CropGuard",
    title="CropGuard 25% azoxystrobin SC 1L (PD20161205)", price=78,
    attrs={"Brand": "CropGuard", "Active ingredient": "azoxystrobin 25%", "Pesticide registration No.": "PD20161205",
           "Label QR code": label_code("PD20171944"), "Manufacturer": "Jiangsu CropGuard Co.", "Pack": "1L"},
    desc="Systemic fungicide.")
reg("pesticide_label_mismatch", "label code digits 2-7 do not match WP20190078", cat=A, brand="净宅",
    title="净宅 卫生杀虫气雾剂 600ml WP20190078", price=15,
    attrs={"品牌": "净宅", "有效成分": "胺菊酯0.3%、氯氰菊酯0.1%", "农药登记证号": "WP20190078", "标签二维码": label_code("WP20190078", False),
           "生产厂家": "广东净宅日化有限公司", "规格": "600ml"}, desc="仓库、畜舍灭蚊蝇。")
reg("pesticide_temporary_registration", "temporary registration LS dated 2018", cat=A, brand="植康",
    title="植康 1%申嗪霉素 悬浮剂 临时登记 LS20180316", price=32,
    attrs={"品牌": "植康", "有效成分": "申嗪霉素1%", "农药登记证号": "LS20180316", "标签二维码": label_code("LS20180316"),
           "生产厂家": "上海植康生物有限公司", "规格": "100ml"}, desc="防治枯萎病。")
reg("pesticide_temporary_registration", "temporary registration WL dated 2021", cat=A, brand="驱宝",
    title="驱宝 驱蚊液 WL20210045 仓储用", price=18,
    attrs={"品牌": "驱宝", "有效成分": "避蚊胺15%", "农药登记证号": "WL20210045", "生产厂家": "浙江驱宝日化有限公司", "规格": "100ml"},
    desc="仓库、养殖场驱蚊。")
reg("pesticide_temporary_registration", "English listing with LS registration dated 2020", cat=A, brand="BioVita",
    title="BioVita 0.3% matrine SL botanical insecticide 500ml", price=24,
    attrs={"Brand": "BioVita", "Active ingredient": "matrine 0.3%", "Pesticide registration No.": "LS20200217",
           "Manufacturer": "Shandong BioVita Co.", "Pack": "500ml"}, desc="Plant-based insecticide for organic farms.")
reg("pesticide_temporary_registration", "temporary registration LS dated 2019 with full-width digits", cat=A, brand="禾美",
    title="禾美 0.1%芸苔素内酯 可溶液剂 调节剂 10ml", price=8,
    attrs={"品牌": "禾美", "有效成分": "芸苔素内酯0.1%", "农药登记证号": "ＬＳ２０１９０４０８", "生产厂家": "河南禾美生物科技有限公司", "规格": "10ml"},
    desc="促进生长，提高坐果率。")
reg("fertilizer_no_registration", "water-soluble fertilizer (needs registration) without a number", cat=A, brand="沃施乐",
    title="沃施乐 大量元素水溶肥 20-20-20+TE 10kg 滴灌冲施", price=75,
    attrs={"品牌": "沃施乐", "养分含量": "N-P2O5-K2O 20-20-20", "执行标准": "NY 1107-2020", "生产厂家": "山东沃施乐肥业有限公司", "规格": "10kg"},
    desc="全水溶，滴灌冲施。")
reg("fertilizer_no_registration", "microbial inoculant (needs registration) without a number", cat=A, brand="菌力丰",
    title="菌力丰 枯草芽孢杆菌 微生物菌剂 20kg 改良土壤", price=96,
    attrs={"品牌": "菌力丰", "有效活菌数": "≥5亿/克", "生产厂家": "河北菌力丰生物有限公司", "规格": "20kg"},
    desc="改良土壤，防止板结。")
reg("fertilizer_no_registration", "English foliar fertilizer without registration", cat=A, brand="LeafMax",
    title="LeafMax amino acid foliar fertilizer 1L", price=29,
    attrs={"Brand": "LeafMax", "Nutrient content": "amino acids ≥100 g/L, Zn+B ≥2%", "Manufacturer": "Zhengzhou LeafMax Agri Co.", "Pack": "1L"},
    desc="Foliar spray for fruit set.")
reg("fertilizer_no_registration", "seaweed water-soluble fertilizer without registration", cat=A, brand="海之源",
    title="海之源 含氨基酸水溶肥料 海藻精 5kg", price=48,
    attrs={"品牌": "海之源", "养分含量": "氨基酸≥100g/L", "生产厂家": "青岛海之源肥业有限公司", "规格": "5kg"},
    desc="生根壮苗。")
reg("fertilizer_malformed_registration", "fertilizer registration without the serial number", cat=A, brand="丰硕",
    title="丰硕 高钾水溶肥 13-7-40 5kg", price=55,
    attrs={"品牌": "丰硕", "养分含量": "N-P2O5-K2O 13-7-40", "肥料登记证号": "农肥（2020）准字号", "生产厂家": "山东丰硕肥业有限公司", "规格": "5kg"},
    desc="膨果着色。")
reg("fertilizer_malformed_registration", "fertilizer registration in a made-up format", cat=A, brand="绿康",
    title="绿康 腐植酸水溶肥 10kg 冲施肥", price=42,
    attrs={"品牌": "绿康", "养分含量": "腐植酸≥3%", "肥料登记证号": "农肥准字2019-1234", "生产厂家": "河南绿康肥业有限公司", "规格": "10kg"},
    desc="生根养根。")
reg("seed_no_licence", "maize seed without variety approval or licence", cat=A, brand="金穗",
    title="金穗 高产杂交玉米种子 5斤装 耐密抗倒", price=55,
    attrs={"品牌": "金穗", "品种": "金穗8号", "规格": "2.5kg"}, desc="亩产高，抗倒伏。")
reg("seed_no_licence", "English listing: loose rice seed with no approval or licence", cat=A, brand=None,
    title="Hybrid rice seed, high yield, loose bulk 5kg", price=60,
    attrs={"Variety": "high-yield hybrid", "Pack": "5kg"}, desc="Bulk seed, high germination.")
reg("seed_no_licence", "vegetable seed repacked without licence", cat=A, brand="农家乐",
    title="农家乐 分装 大白菜种子 500g 散装称重", price=18,
    attrs={"品牌": "农家乐", "品种": "早熟大白菜", "规格": "500g"}, desc="自家分装，发芽率高。")
reg("agri_prohibited_claims", "registered fungicide advertised with 根治 and 特效 (prohibited label claims)", cat=A, brand="稼保",
    title="稼保 特效杀菌剂 根治根腐病 75%百菌清 500g", price=20,
    attrs={"品牌": "稼保", "有效成分": "百菌清75%", "农药登记证号": "PD20131655", "标签二维码": label_code("PD20131655"),
           "生产厂家": "江苏稼保农化有限公司", "规格": "500g"}, desc="根治根腐病，特效，一次见效。")
reg("agri_prohibited_claims", "microbial fertilizer claiming to cure nematodes, no registration", cat=A, brand="根康宝",
    title="根康宝 生物菌肥 根治线虫 死棵烂根 特效 10kg", price=68,
    attrs={"品牌": "根康宝", "有效活菌数": "≥2亿/克", "生产厂家": "山东根康宝生物有限公司", "规格": "10kg"},
    desc="根治根结线虫，增产50%。")
reg("agri_prohibited_claims", "English pesticide claiming '100% cure' without registration", cat=A, brand="FarmCure",
    title="FarmCure special-effect fungicide, 100% cure for root rot, 500ml", price=26,
    attrs={"Brand": "FarmCure", "Active ingredient": "hymexazol 30%", "Pack": "500ml"}, desc="Cures root rot completely.")
reg("cosmetic_whitening_ordinary_filing", "whitening claim with an ordinary filing", cat=C, brand="雪研",
    title="雪研 烟酰胺美白精华液 30ml 提亮肤色", price=79,
    attrs={"品牌": "雪研", "备案编号": "粤G妆网备字2022118706", "生产企业": "广州雪研生物科技有限公司", "功效": "美白 提亮", "净含量": "30ml"},
    desc="美白提亮，淡化暗沉。")
reg("cosmetic_whitening_ordinary_filing", "freckle-removal claim with an ordinary filing", cat=C, brand="肌初",
    title="肌初 祛斑霜 淡斑 20g 祛黄褐斑", price=59,
    attrs={"品牌": "肌初", "备案编号": "浙G妆网备字2021007714", "生产企业": "浙江肌初化妆品有限公司", "功效": "祛斑", "净含量": "20g"},
    desc="淡化色斑，28天见效。")
reg("cosmetic_whitening_ordinary_filing", "English whitening cream with an ordinary imported filing", cat=C, brand="PureLume",
    title="PureLume whitening night cream 50g, brightening", price=99,
    attrs={"Brand": "PureLume", "Filing No.": "国妆网备进字（粤）2021014431", "Claims": "whitening", "Net content": "50g"},
    desc="Visible whitening in 2 weeks.")
reg("cosmetic_whitening_ordinary_filing", "whitening body lotion with an ordinary filing", cat=C, brand="白小姐",
    title="白小姐 美白身体乳 全身提亮 250ml", price=45,
    attrs={"品牌": "白小姐", "备案编号": "粤G妆网备字2023056120", "生产企业": "广州白小姐日化有限公司", "功效": "美白", "净含量": "250ml"},
    desc="全身美白，秋冬必备。")
reg("cosmetic_sunscreen_ordinary_filing", "SPF50 claim with an ordinary filing", cat=C, brand="晴雪",
    title="晴雪 防晒喷雾 SPF50+ PA+++ 150ml 户外", price=49,
    attrs={"品牌": "晴雪", "备案编号": "粤G妆网备字2022087321", "生产企业": "广州晴雪化妆品有限公司", "功效": "防晒 SPF50+", "净含量": "150ml"},
    desc="清爽不黏腻，防晒隔离。")
reg("cosmetic_sunscreen_ordinary_filing", "English sunscreen with an ordinary filing", cat=C, brand="SunBay",
    title="SunBay sunscreen lotion SPF 50 PA++++ 60ml", price=65,
    attrs={"Brand": "SunBay", "Filing No.": "沪G妆网备字2021020144", "Claims": "sunscreen SPF50", "Net content": "60ml"},
    desc="Water resistant sun protection.")
reg("cosmetic_sunscreen_ordinary_filing", "tinted day cream claiming SPF30 with an ordinary filing", cat=C, brand="柔肌",
    title="柔肌 素颜霜 SPF30 隔离 50g", price=39,
    attrs={"品牌": "柔肌", "备案编号": "浙G妆网备字2020019930", "生产企业": "浙江柔肌化妆品有限公司", "功效": "防晒 遮瑕", "净含量": "50g"},
    desc="一抹提亮，带防晒。")
reg("cosmetic_sunscreen_ordinary_filing", "kids sunscreen with an ordinary filing", cat=C, brand="小白熊",
    title="小白熊 儿童防晒乳 SPF35 PA+++ 50g", price=58,
    attrs={"品牌": "小白熊", "备案编号": "苏G妆网备字2022004478", "生产企业": "江苏小白熊日化有限公司", "功效": "防晒", "净含量": "50g"},
    desc="温和防晒，宝宝可用。")
reg("cosmetic_hair_dye_ordinary_filing", "hair dye with an ordinary filing", cat=C, brand="黑宝",
    title="黑宝 泡泡染发剂 自然黑 500ml 一梳黑", price=39,
    attrs={"品牌": "黑宝", "备案编号": "粤G妆网备字2022091234", "生产企业": "广州黑宝日化有限公司", "功效": "染发", "净含量": "500ml"},
    desc="植物泡泡染，在家轻松染。")
reg("cosmetic_hair_dye_ordinary_filing", "English hair colour with an ordinary filing", cat=C, brand="ColorJoy",
    title="ColorJoy permanent hair dye cream, chestnut brown 100ml", price=35,
    attrs={"Brand": "ColorJoy", "Filing No.": "粤G妆网备字2021066607", "Claims": "hair dye", "Net content": "100ml"},
    desc="Long-lasting colour, covers grey.")
reg("cosmetic_hair_dye_ordinary_filing", "colour shampoo with an ordinary filing", cat=C, brand="乌丝",
    title="乌丝 染发洗发水 一洗黑 遮白发 400ml", price=59,
    attrs={"品牌": "乌丝", "备案编号": "浙G妆网备字2022010087", "生产企业": "浙江乌丝生物科技有限公司", "功效": "染发 遮白", "净含量": "400ml"},
    desc="洗着洗着就黑了。")
reg("cosmetic_hair_loss_ordinary_filing", "hair-loss claim with an ordinary filing", cat=C, brand="发源",
    title="发源 防脱育发液 生发 100ml", price=89,
    attrs={"品牌": "发源", "备案编号": "粤G妆网备字2021045512", "生产企业": "广州发源生物科技有限公司", "功效": "防脱 育发", "净含量": "100ml"},
    desc="防脱固发，告别秃顶。")
reg("cosmetic_hair_loss_ordinary_filing", "perm lotion with an ordinary filing", cat=C, brand="卷卷",
    title="卷卷 冷烫精 烫发水 家用 500ml", price=29,
    attrs={"品牌": "卷卷", "备案编号": "粤G妆网备字2020071290", "生产企业": "广州卷卷美发用品有限公司", "功效": "烫发", "净含量": "500ml"},
    desc="在家也能烫卷发。")
reg("cosmetic_legacy_only", "only a 卫妆准字 number", cat=C, brand="兰芝雅",
    title="兰芝雅 珍珠润肤霜 50g 老国货", price=19,
    attrs={"品牌": "兰芝雅", "批准文号": "卫妆准字29-XK-1187", "生产企业": "广州兰芝雅化妆品厂", "净含量": "50g"},
    desc="经典老国货。")
reg("cosmetic_legacy_only", "only a 卫妆特字 number on a hair dye", cat=C, brand="青丝",
    title="青丝 染发膏 黑色 卫妆特字 200g", price=25,
    attrs={"品牌": "青丝", "批准文号": "卫妆特字(2011)第0783号", "生产企业": "汕头市青丝日化厂", "功效": "染发", "净含量": "200g"},
    desc="老牌染发膏。")
reg("cosmetic_legacy_only", "only a 卫妆进字 number on an imported cream", cat=C, brand="Rosalie",
    title="Rosalie rose day cream 50ml (卫妆进字)", price=88,
    attrs={"Brand": "Rosalie", "Approval No.": "卫妆进字(2009)第1356号", "Net content": "50ml"},
    desc="Classic French rose cream.")
reg("cosmetic_legacy_only", "only a 卫妆特字 number on a sunscreen", cat=C, brand="夏荷",
    title="夏荷 防晒霜 SPF30 40g 卫妆特字(2012)", price=22,
    attrs={"品牌": "夏荷", "批准文号": "卫妆特字(2012)第0291号", "生产企业": "苏州夏荷日化有限公司", "功效": "防晒", "净含量": "40g"},
    desc="老牌防晒。")
reg("cosmetic_sanwu", "三无 cosmetic: no brand, maker, address or filing; freckle claim", cat=C, brand=None,
    title="纯手工 祛斑膏 自制 20g", price=30, attrs={"净含量": "20g"}, desc="自己家做的，无添加。")
reg("cosmetic_sanwu", "三无 English cream: no maker or filing", cat=C, brand=None,
    title="Handmade herbal whitening cream 30g, no label", price=25, attrs={"Net content": "30g"}, desc="Homemade, natural.")
reg("cosmetic_sanwu", "三无 bulk toner poured into bottles", cat=C, brand=None,
    title="美容院专用 分装爽肤水 500ml 散装", price=18, attrs={"净含量": "500ml"}, desc="美容院同款，分装。")
reg("brake_pads_no_ccc", "brake pads without CCC", cat=U, brand="安途",
    title="安途 刹车片 后片 适用于日产轩逸 陶瓷", price=88,
    attrs={"品牌": "安途", "适用车型": "日产轩逸", "生产厂家": "瑞安市安途汽配有限公司", "规格": "4片/套"}, desc="低噪音，耐磨。")
reg("brake_pads_no_ccc", "English brake pads without CCC", cat=U, brand="StopTech-Pro",
    title="StopTech-Pro ceramic front brake pads, fits Honda Civic", price=95,
    attrs={"Brand": "StopTech-Pro", "Fits": "Honda Civic", "Pack": "set of 4"}, desc="Low dust.")
reg("brake_pads_no_ccc", "brake shoes (linings) without CCC", cat=U, brand="固力",
    title="固力 刹车蹄片 后鼓刹 五菱宏光", price=45,
    attrs={"品牌": "固力", "适用车型": "五菱宏光", "生产厂家": "河北固力制动器厂", "规格": "4片/套"}, desc="耐高温。")
reg("brake_pads_no_ccc", "brake pads with a CCC number of 15 digits", cat=U, brand="迅驰",
    title="迅驰 刹车片 前片 适用于别克英朗", price=78,
    attrs={"品牌": "迅驰", "适用车型": "别克英朗", "CCC证书编号": "202101110501234", "生产厂家": "杭州迅驰制动有限公司", "规格": "4片/套"},
    desc="CCC认证。")
reg("tyre_no_ccc", "tyre without CCC", cat=U, brand="驰悦",
    title="驰悦 轮胎 205/55R16 91V 静音", price=245,
    attrs={"品牌": "驰悦", "规格": "205/55R16 91V", "生产厂家": "山东驰悦轮胎有限公司"}, desc="静音耐磨。")
reg("tyre_no_ccc", "English tyre without CCC", cat=U, brand="RoadKing",
    title="RoadKing all-season tyre 215/60 R16 95H", price=280,
    attrs={"Brand": "RoadKing", "Size": "215/60R16 95H", "Manufacturer": "Qingdao RoadKing Tyre Co."}, desc="All-season grip.")
reg("tyre_no_ccc", "retreaded tyre without CCC", cat=U, brand=None,
    title="翻新轮胎 195/65R15 便宜处理", price=120,
    attrs={"规格": "195/65R15"}, desc="翻新胎，九成新。")
reg("tyre_no_ccc", "motorcycle-style tyre sold for cars without CCC", cat=U, brand="飞轮",
    title="飞轮 轮胎 185/65R14 86H 耐磨型", price=198,
    attrs={"品牌": "飞轮", "规格": "185/65R14 86H", "生产厂家": "河南飞轮橡胶有限公司"}, desc="耐磨。")
reg("lamp_no_ccc", "LED headlight bulbs without CCC", cat=U, brand="极光",
    title="极光 LED大灯 H4 远近一体 20000LM 改装", price=89,
    attrs={"品牌": "极光", "型号": "H4", "生产厂家": "深圳极光照明有限公司", "规格": "2只装"}, desc="亮度提升400%。")
reg("lamp_no_ccc", "English tail lamp assembly without CCC", cat=U, brand="BrightRay",
    title="BrightRay LED tail lamp assembly, fits Toyota Corolla 2019-2022", price=420,
    attrs={"Brand": "BrightRay", "Fits": "Toyota Corolla 2019-2022", "Pack": "pair"}, desc="Plug and play.")
reg("lamp_no_ccc", "fog lamp without CCC", cat=U, brand="雾行",
    title="雾行 前雾灯总成 适用于大众宝来", price=138,
    attrs={"品牌": "雾行", "适用车型": "大众宝来", "生产厂家": "丹阳市雾行车灯厂", "规格": "1对"}, desc="原位替换。")
reg("lamp_no_ccc", "xenon headlight kit without CCC", cat=U, brand="光速",
    title="光速 氙气大灯套装 H7 55W 6000K", price=118,
    attrs={"品牌": "光速", "型号": "H7", "生产厂家": "广州光速汽车照明有限公司", "规格": "1套"}, desc="白光，穿透力强。")
reg("auto_sanwu", "三无 brake fluid: no brand, maker or address", cat=U, brand=None,
    title="刹车油 DOT4 散装 2L 通用型", price=20, attrs={"规格": "2L"}, desc="散装刹车油。")
reg("auto_sanwu", "三无 English brake pads: no brand, no maker, no CCC", cat=U, brand=None,
    title="Universal ceramic brake pads, no brand, bulk", price=35,
    attrs={"Pack": "set of 4"}, desc="Generic pads, fits most cars.")
reg("agri_sanwu", "三无 pesticide powder: no brand, maker, address or registration", cat=A, brand=None,
    title="散装 杀虫粉 菜地用 3斤", price=10, attrs={"有效成分": "见包装", "规格": "1.5kg"}, desc="散装称重，无厂名。")
reg("agri_sanwu", "三无 fertilizer: no maker, no registration, water-soluble claim", cat=A, brand=None,
    title="通用水溶肥 散装 自配 20斤", price=30, attrs={"规格": "10kg"}, desc="自配肥，便宜。")

# --------------------------------------------------------------------------- hard negatives: not about the watched marks


def neg(case: str, note: str, *, cat: str, title: str, price: float, attrs: dict, desc: str = "", brand: str | None = None,
        lang: str | None = None, site: str | None = None, seller_id: str | None = None, images: int = 3):
    add(case, False, [], note, cat=cat, title=title, price_cny=price, attrs=attrs, desc=desc, brand=brand, lang=lang,
        site=site, seller_id=seller_id, images=images)


# Compatible aftermarket parts that name the car or brand they fit.
neg("compatible_part", "aftermarket wiper naming the car it fits (适用于大众)", cat=U, brand="速洁",
    title="速洁 无骨雨刮片 适用于大众朗逸/宝来 24+16寸", price=39,
    attrs={"品牌": "速洁", "适用车型": "大众朗逸/宝来", "生产厂家": "厦门速洁汽配有限公司", "规格": "2支装"})
neg("compatible_part", "oil filter compatible with Toyota", cat=U, brand="FiltaPro",
    title="FiltaPro oil filter compatible with Toyota Corolla / RAV4", price=22,
    attrs={"Brand": "FiltaPro", "Fits": "Toyota Corolla / RAV4", "Part No.": "FP-2231", "Manufacturer": "Wenzhou FiltaPro Co."})
neg("compatible_part", "brake pads for BMW, with CCC", cat=U, brand="Stopline",
    title="Stopline ceramic brake pads for BMW 3 Series F30, front", price=210,
    attrs={"Brand": "Stopline", "Manufacturer": "Hangzhou Stopline Brake Co.", "Fits": "BMW 3 Series F30", "CCC certificate No.": "2023011105078812", "Pack": "set of 4"},
    desc="Aftermarket pads, E-mark and CCC certified.")
neg("compatible_part", "cabin filter naming Honda models (适用于本田)", cat=U, brand="净途",
    title="净途 空调滤芯 适用于本田思域/CR-V 活性炭", price=25,
    attrs={"品牌": "净途", "适用车型": "本田思域/CR-V", "生产厂家": "河北净途滤清器有限公司"})
neg("compatible_part", "spark plug wrench naming the plug brands it fits", cat=U, brand="匠工",
    title="匠工 火花塞套筒 16mm 适配博世/NGK/电装火花塞", price=18,
    attrs={"品牌": "匠工", "材质": "铬钒钢", "生产厂家": "宁波匠工工具有限公司"}, desc="磁吸套筒，适配常见火花塞。")
neg("compatible_part", "wiper refills that replace Bosch AeroTwin refills, named as a fit", cat=U, brand="ClearView",
    title="ClearView wiper refills, fits Bosch AeroTwin arms, 2 pcs", price=28,
    attrs={"Brand": "ClearView", "Manufacturer": "Xiamen ClearView Auto Parts Co.", "Fits": "Bosch AeroTwin arm adapters", "Pack": "2 pcs"},
    desc="Replacement rubber refills. Not made by Bosch.")
neg("compatible_part", "air filter cross-referenced to an OEM number for Nissan", cat=U, brand="安清",
    title="安清 空气滤芯 适用于日产天籁 替代原厂号 16546-JN30A", price=32,
    attrs={"品牌": "安清", "适用车型": "日产天籁", "零件号": "AQ-5531", "生产厂家": "瑞安市安清滤清器厂"})
neg("compatible_part", "'OEM quality' aftermarket wiper for Honda: OEM alone weighs little", cat=U, brand="Vistar",
    title="Vistar OEM quality wiper blades for Honda Accord 26\"+19\"", price=30,
    attrs={"Brand": "Vistar", "Manufacturer": "Xiamen Vistar Wiper Co.", "Fits": "Honda Accord", "Pack": "2 pcs"})
neg("compatible_part", "brake pads for Volkswagen with CCC and 适用于大众", cat=U, brand="卡迪",
    title="卡迪 陶瓷刹车片 前片 适用于大众帕萨特/迈腾", price=168,
    attrs={"品牌": "卡迪", "适用车型": "大众帕萨特/迈腾", "CCC证书编号": "2022011105061133", "生产厂家": "杭州卡迪制动系统有限公司", "规格": "4片/套"},
    desc="副厂件，性价比高。")
neg("compatible_part", "spark plugs for Mercedes-Benz from another brand", cat=U, brand="Torch",
    title="Torch iridium spark plugs for Mercedes-Benz C200, 4 pcs", price=120,
    attrs={"Brand": "Torch", "Manufacturer": "Zhuzhou Torch Sparkplug Co., Ltd.", "Fits": "Mercedes-Benz C200", "Pack": "4 pcs"})
neg("compatible_part", "engine oil recommended for Toyota engines, own brand", cat=U, brand="龙蟠",
    title="龙蟠 SONIC9000 全合成机油 0W-20 SP 4L 适用于丰田混动", price=168,
    attrs={"品牌": "龙蟠", "型号": "SONIC9000 0W-20", "生产厂家": "江苏龙蟠科技股份有限公司"})
neg("compatible_part", "floor mats for Tesla Model 3", cat=U, brand="3W",
    title="3W floor mats for Tesla Model 3, TPE all-weather", price=399,
    attrs={"Brand": "3W", "Manufacturer": "Shenzhen 3W Auto Accessories Co.", "Fits": "Tesla Model 3", "Material": "TPE"})
neg("compatible_part", "wiper adapter kit that fits Denso-style hooks", cat=U, brand="博锐",
    title="博锐 雨刮转接头 通用 适配电装/法雷奥雨刮臂", price=9.9,
    attrs={"品牌": "博锐", "材质": "POM", "生产厂家": "义乌博锐汽车用品有限公司"})
neg("compatible_part", "tail lamp for Audi with CCC", cat=U, brand="鑫亮",
    title="鑫亮 尾灯总成 适用于奥迪A4L 2017-2019款 LED", price=680,
    attrs={"品牌": "鑫亮", "适用车型": "奥迪A4L", "CCC证书编号": "2021011109023341", "生产厂家": "丹阳市鑫亮车灯有限公司", "规格": "1只"})
neg("compatible_part", "English cabin filter for Ford Focus", cat=U, brand="AirPure",
    title="AirPure cabin air filter for Ford Focus 2012-2018", price=20,
    attrs={"Brand": "AirPure", "Manufacturer": "Ruian AirPure Filter Co.", "Fits": "Ford Focus 2012-2018"})
neg("compatible_part", "brake disc for Toyota (discs are not under CCC)", cat=U, brand="盘锋",
    title="盘锋 刹车盘 前盘 适用于丰田卡罗拉 一对", price=260,
    attrs={"品牌": "盘锋", "适用车型": "丰田卡罗拉", "生产厂家": "莱州市盘锋制动盘厂", "规格": "2片/对"})

# Marks that are also common words, used as words.
neg("common_word", "'mobile' phone holder, not Mobil", cat=U, brand="Youpin",
    title="Mobile phone holder for car dashboard, magnetic", price=29,
    attrs={"Brand": "Youpin", "Manufacturer": "Shenzhen Youpin Technology Co.", "Material": "aluminium"})
neg("common_word", "车载 mobile 充电器, not Mobil", cat=U, brand="倍速",
    title="倍速 车载充电器 mobile 快充 双USB 点烟器", price=35,
    attrs={"品牌": "倍速", "生产厂家": "深圳倍速电子有限公司"})
neg("common_word", "'Automobil' (German) in a mat listing, not Mobil", cat=U, brand="Fahrmeister",
    title="Fahrmeister Automobil floor mats, universal rubber set", price=120,
    attrs={"Brand": "Fahrmeister", "Manufacturer": "Fahrmeister GmbH, Stuttgart", "Material": "rubber"})
neg("common_word", "key shell for Toyota, not Shell", cat=U, brand="KeyMate",
    title="KeyMate remote key shell replacement for Toyota Camry, 3 buttons", price=16,
    attrs={"Brand": "KeyMate", "Manufacturer": "Dongguan KeyMate Electronics Co.", "Fits": "Toyota Camry", "Material": "ABS"})
neg("common_word", "'Eggshell white' touch-up paint, not Shell", cat=U, brand="PaintFix",
    title="PaintFix touch-up paint pen, eggshell white", price=19,
    attrs={"Brand": "PaintFix", "Manufacturer": "Guangzhou PaintFix Coatings Co.", "Colour": "eggshell white"})
neg("common_word", "手机壳 with 'shell' in English, not Shell", cat=U, brand="壳乐",
    title="壳乐 车载磁吸 手机壳 phone shell 防摔", price=25,
    attrs={"品牌": "壳乐", "材质": "TPU", "生产厂家": "东莞壳乐电子有限公司"})
neg("common_word", "'Dove grey' seat covers, not Dove", cat=U, brand="座享",
    title="座享 汽车座套 Dove grey 鸽灰色 四季通用", price=268,
    attrs={"品牌": "座享", "生产厂家": "河北座享汽车用品有限公司", "颜色": "Dove grey", "材质": "亚麻"})
neg("common_word", "'Dove grey' nail polish shade, not Dove", cat=C, brand="Colorist",
    title="Colorist nail polish 10ml, shade Dove Grey", price=29,
    attrs={"Brand": "Colorist", "Manufacturer": "Guangzhou Colorist Cosmetics Co.", "Filing No.": "粤G妆网备字2022031876", "Colour": "Dove Grey", "Net content": "10ml"})
neg("common_word", "'Castro' neck pillow brand, not Castrol", cat=U, brand="Castro",
    title="Castro memory foam car neck pillow", price=59,
    attrs={"Brand": "Castro", "Manufacturer": "Ningbo Castro Home Products Co.", "Material": "memory foam"})
neg("common_word", "'base coat' nail polish, not BASF", cat=C, brand="Colorist",
    title="Colorist gel base coat 15ml", price=39,
    attrs={"Brand": "Colorist", "Manufacturer": "Guangzhou Colorist Cosmetics Co.", "Filing No.": "粤G妆网备字2022031877", "Net content": "15ml"})
neg("common_word", "'Bayerische Motoren Werke' names BMW, not Bayer", cat=U, brand="MotorTec",
    title="MotorTec oil filter for BMW (Bayerische Motoren Werke) 320i", price=45,
    attrs={"Brand": "MotorTec", "Manufacturer": "Wenzhou MotorTec Filter Co.", "Fits": "BMW 320i"})
neg("common_word", "'攀登海拔' contains 登海 by accident; sunscreen with a special registration", cat=C, brand="山野",
    title="山野 户外防晒霜 攀登海拔5000米 SPF50+ PA++++ 50g", price=128,
    attrs={"品牌": "山野", "注册证号": "国妆特字G20220187", "生产企业": "成都山野生物科技有限公司", "功效": "防晒", "净含量": "50g"})
neg("common_word", "'先锋' as the word 'vanguard' in a fertilizer slogan, not the seed brand", cat=A, brand="沃土",
    title="沃土 有机肥 40kg 春耕先锋 改良土壤", price=38,
    attrs={"品牌": "沃土", "养分含量": "有机质≥45%", "执行标准": "NY/T 525-2021", "生产厂家": "山东沃土生物有限公司",
           "肥料登记证号": "鲁农肥（2021）准字13320号"})
neg("common_word", "'Shell' as a colour word in eyeshadow", cat=C, brand="珂颜",
    title="珂颜 单色眼影 Shell Pink 贝壳粉 2g", price=39,
    attrs={"品牌": "珂颜", "备案编号": "粤G妆网备字2021098433", "生产企业": "广州珂颜化妆品有限公司", "颜色": "Shell Pink", "净含量": "2g"})

neg("unrelated_brand_same_name", "STANLEY hand tools (Stanley Black & Decker) are not Stanley fertilizer", cat=U, brand="STANLEY",
    title="史丹利 STANLEY 套筒扳手套装 汽修工具 46件", price=199,
    attrs={"品牌": "STANLEY/史丹利", "生产厂家": "史丹利百得精密制造（深圳）有限公司", "规格": "46件套"})
neg("unrelated_brand_same_name", "Pioneer car audio (another company) is not Pioneer seeds", cat=U, brand="先锋",
    title="先锋 Pioneer 车载蓝牙音响主机 DEH-S1250", price=499,
    attrs={"品牌": "先锋 Pioneer", "型号": "DEH-S1250", "生产厂家": "先锋电子（中国）投资有限公司"})
neg("unrelated_brand_same_name", "Pioneer car speakers in English", cat=U, brand="Pioneer",
    title="Pioneer TS-G1620F 6.5\" coaxial car speakers, pair", price=360,
    attrs={"Brand": "Pioneer", "Manufacturer": "Pioneer Electronics (China) Investment Co.", "Model": "TS-G1620F", "Pack": "pair"})

neg("exempt_fertilizer", "urea is exempt from fertilizer registration", cat=A, brand="晋开",
    title="晋开 尿素 含氮46% 农用 40kg", price=128,
    attrs={"品牌": "晋开", "养分含量": "总氮≥46.0%", "执行标准": "GB/T 2440-2017", "生产厂家": "河南晋开化工投资控股集团有限责任公司"})
neg("exempt_fertilizer", "potassium chloride is exempt", cat=A, brand="藏格",
    title="藏格 氯化钾 K2O≥60% 50kg 红钾", price=190,
    attrs={"品牌": "藏格", "养分含量": "K2O≥60%", "执行标准": "GB/T 37918-2019", "生产厂家": "藏格矿业股份有限公司"})
neg("exempt_fertilizer", "English urea listing, exempt", cat=A, brand="Sinofert",
    title="Granular urea 46% N fertilizer, 50kg bag", price=150,
    attrs={"Brand": "Sinofert", "Manufacturer": "Sinofert Holdings Ltd.", "Nutrient content": "N ≥46%", "Standard": "GB/T 2440-2017"})
neg("exempt_fertilizer", "compound fertilizer under GB/T 15063 (exempt)", cat=A, brand="司尔特",
    title="司尔特 硫酸钾型复合肥 15-15-15 50kg", price=185,
    attrs={"品牌": "司尔特", "养分含量": "N-P2O5-K2O 15-15-15", "执行标准": "GB/T 15063-2020", "生产厂家": "安徽省司尔特肥业股份有限公司"})
neg("exempt_fertilizer", "single superphosphate, exempt", cat=A, brand="云峰",
    title="云峰 过磷酸钙 P2O5≥16% 40kg", price=45,
    attrs={"品牌": "云峰", "养分含量": "P2O5≥16%", "执行标准": "GB/T 20413-2017", "生产厂家": "云南云峰化工有限公司"})
neg("exempt_fertilizer", "potassium sulphate, exempt", cat=A, brand="SOP",
    title="Potassium sulphate 50% K2O, 25kg, low chloride", price=160,
    attrs={"Brand": "SOP", "Manufacturer": "Qinghai SOP Potash Co.", "Nutrient content": "K2O ≥50%", "Standard": "GB/T 20406-2017"})
neg("exempt_fertilizer", "ammonium bicarbonate, exempt", cat=A, brand="丰喜",
    title="丰喜 碳酸氢铵 碳铵 农用 50kg", price=60,
    attrs={"品牌": "丰喜", "养分含量": "N≥17.1%", "执行标准": "GB/T 3559-2001", "生产厂家": "山西丰喜肥业有限公司"})

neg("exempt_ccc_part", "brake hose (removed from CCC in 2018)", cat=U, brand="制动宝",
    title="制动宝 刹车油管 前轮 适用于丰田卡罗拉", price=48,
    attrs={"品牌": "制动宝", "适用车型": "丰田卡罗拉", "生产厂家": "河北制动宝橡塑有限公司"})
neg("exempt_ccc_part", "car horn (removed from CCC)", cat=U, brand="鸣笛",
    title="鸣笛 蜗牛喇叭 12V 高低音 一对", price=58,
    attrs={"品牌": "鸣笛", "规格": "12V 一对", "生产厂家": "温州鸣笛电器有限公司"})
neg("exempt_ccc_part", "English horn without CCC", cat=U, brand="LoudMax",
    title="LoudMax 12V dual-tone snail horn, pair", price=66,
    attrs={"Brand": "LoudMax", "Manufacturer": "Wenzhou LoudMax Electric Co.", "Pack": "pair"})
neg("exempt_ccc_part", "door lock actuator (removed from CCC 2019)", cat=U, brand="锁安",
    title="锁安 车门锁块 中控锁电机 适用于大众速腾", price=75,
    attrs={"品牌": "锁安", "适用车型": "大众速腾", "生产厂家": "瑞安市锁安汽车电器厂"})
neg("exempt_ccc_part", "fuel tank cap (removed from CCC)", cat=U, brand="途锐达",
    title="途锐达 油箱盖 带锁 适用于本田飞度", price=35,
    attrs={"品牌": "途锐达", "适用车型": "本田飞度", "生产厂家": "台州途锐达汽配厂"})
neg("exempt_ccc_part", "car alarm (removed from CCC)", cat=U, brand="SafeCar",
    title="SafeCar two-way car alarm system with remote start", price=199,
    attrs={"Brand": "SafeCar", "Manufacturer": "Shenzhen SafeCar Electronics"})
neg("exempt_ccc_part", "rear reflector (removed from CCC)", cat=U, brand="亮途",
    title="亮途 反光片 后保险杠 一对 红色", price=15,
    attrs={"品牌": "亮途", "规格": "一对", "生产厂家": "丹阳亮途车灯厂"})

neg("other_brand_compliant", "another brand's pesticide with registration and a consistent label code", cat=A, brand="诺普信",
    title="诺普信 22.4%螺虫乙酯 悬浮剂 100ml", price=26,
    attrs={"品牌": "诺普信", "有效成分": "螺虫乙酯22.4%", "农药登记证号": "PD20170988", "标签二维码": label_code("PD20170988"),
           "生产厂家": "深圳诺普信农化股份有限公司", "规格": "100ml"})
neg("other_brand_compliant", "WP sanitary insecticide with matching label code", cat=A, brand="雷达",
    title="雷达 杀虫气雾剂 无香型 600ml 仓库", price=32,
    attrs={"品牌": "雷达", "农药登记证号": "WP20100123", "标签二维码": label_code("WP20100123"), "生产厂家": "庄臣（中国）有限公司", "规格": "600ml"})
neg("other_brand_compliant", "English pesticide with PD registration and label code", cat=A, brand="Rainbow",
    title="Rainbow 20% acetamiprid SP, 100g (PD20081632)", price=15,
    attrs={"Brand": "Rainbow", "Manufacturer": "Shandong Rainbow Agrosciences Co., Ltd.", "Active ingredient": "acetamiprid 20%", "Pesticide registration No.": "PD20081632",
           "Label QR code": label_code("PD20081632"), "Pack": "100g"})
neg("other_brand_compliant", "water-soluble fertilizer with a proper registration", cat=A, brand="芭田",
    title="芭田 大量元素水溶肥 高氮型 30-10-10 10kg", price=118,
    attrs={"品牌": "芭田", "养分含量": "N-P2O5-K2O 30-10-10", "肥料登记证号": "粤农肥（2019）准字3087号", "执行标准": "NY 1107-2020",
           "生产厂家": "深圳市芭田生态工程股份有限公司", "规格": "10kg"})
neg("other_brand_compliant", "licensed maize seed of another company", cat=A, brand="德单",
    title="德单 德单5号 玉米种子 2kg 国审", price=62,
    attrs={"品牌": "德单", "生产厂家": "北京德农种业有限公司", "品种": "德单5号", "审定编号": "国审玉20170010", "种子生产经营许可证号": "A（京）农种许字（2016）第0018号", "规格": "2kg"})
neg("other_brand_compliant", "licensed rice seed in English", cat=A, brand="Wintall",
    title="Wintall Y Liangyou 900 hybrid rice seed 1kg, nationally approved", price=70,
    attrs={"Brand": "Wintall", "Manufacturer": "Hunan Wintall Seed Co.", "Variety approval No.": "国审稻20150051", "Seed licence No.": "A（湘）农种许字（2017）第0021号", "Pack": "1kg"})
neg("other_brand_compliant", "pesticide with full-width brackets in the registration (valid after normalising)", cat=A, brand="海利尔",
    title="海利尔 10%吡虫啉 可湿性粉剂 50g", price=6,
    attrs={"品牌": "海利尔", "有效成分": "吡虫啉10%", "农药登记证号": "ＰＤ２０１０２１９３", "标签二维码": label_code("PD20102193"),
           "生产厂家": "青岛海利尔药业集团股份有限公司", "规格": "50g"})
neg("other_brand_compliant", "auto oil filter of another brand (MANN)", cat=U, brand="曼牌",
    title="曼牌 机油滤清器 W 811/80 适用于大众/奥迪", price=42,
    attrs={"品牌": "曼牌", "型号": "W 811/80", "适用车型": "大众/奥迪", "生产厂家": "曼胡默尔滤清器（上海）有限公司"})
neg("other_brand_compliant", "tyre of another brand with CCC", cat=U, brand="Hankook",
    title="Hankook Ventus Prime4 225/45 R17 94W tyre", price=650,
    attrs={"Brand": "Hankook", "Manufacturer": "Hankook Tire (Jiangsu) Co., Ltd.", "Size": "225/45R17 94W", "CCC certificate No.": "2020011117019876"})
neg("other_brand_compliant", "brake pads of another brand with CCC", cat=U, brand="信义",
    title="信义 陶瓷刹车片 前片 适用于吉利帝豪", price=138,
    attrs={"品牌": "信义", "适用车型": "吉利帝豪", "CCC证书编号": "2022011105033219", "生产厂家": "山东信义汽车配件制造有限公司", "规格": "4片/套"})
neg("other_brand_compliant", "LED headlight with CCC", cat=U, brand="欧司朗",
    title="欧司朗 夜行者 LED大灯 H7 CCC认证", price=399,
    attrs={"品牌": "欧司朗", "型号": "H7", "CCC证书编号": "2021011109045566", "生产厂家": "欧司朗（中国）照明有限公司", "规格": "2只装"})
neg("other_brand_compliant", "engine oil of another brand", cat=U, brand="长城",
    title="长城 金吉星 全合成机油 5W-30 SN 4L", price=145,
    attrs={"品牌": "长城", "型号": "金吉星 5W-30", "生产厂家": "中国石化润滑油有限公司"})

neg("ordinary_cosmetic", "moisturiser with an ordinary filing and no special claims", cat=C, brand="珀莱雅",
    title="珀莱雅 红宝石面霜 50g 保湿紧致", price=299,
    attrs={"品牌": "珀莱雅", "备案编号": "浙G妆网备字2021012290", "生产企业": "珀莱雅化妆品股份有限公司", "功效": "保湿 紧致", "净含量": "50g"})
neg("ordinary_cosmetic", "cleanser with an ordinary filing", cat=C, brand="完美日记",
    title="完美日记 氨基酸洁面乳 120g", price=59,
    attrs={"品牌": "完美日记", "备案编号": "粤G妆网备字2020104455", "生产企业": "广州逸仙电子商务有限公司", "功效": "清洁", "净含量": "120g"})
neg("ordinary_cosmetic", "English lipstick with an ordinary filing", cat=C, brand="Florasis",
    title="Florasis carved lipstick 3.4g, shade 202", price=219,
    attrs={"Brand": "Florasis", "Manufacturer": "Hangzhou Florasis Cosmetics Co.", "Filing No.": "浙G妆网备字2021006621", "Net content": "3.4g"})
neg("ordinary_cosmetic", "hand cream with an ordinary filing", cat=C, brand="相宜本草",
    title="相宜本草 红石榴护手霜 50g", price=25,
    attrs={"品牌": "相宜本草", "备案编号": "沪G妆网备字2020017731", "生产企业": "上海相宜本草化妆品股份有限公司", "功效": "滋润", "净含量": "50g"})
neg("ordinary_cosmetic", "imported toner with an ordinary imported filing", cat=C, brand="Kiehl's",
    title="Kiehl's calendula herbal toner 250ml", price=350,
    attrs={"Brand": "Kiehl's", "Responsible person in China": "L'Oréal (China) Co., Ltd.", "Filing No.": "国妆网备进字（沪）2019009921", "Net content": "250ml"})
neg("ordinary_cosmetic", "shampoo with an ordinary filing (cleaning only, no hair-loss claim)", cat=C, brand="滋源",
    title="滋源 无患子控油洗发水 400ml", price=69,
    attrs={"品牌": "滋源", "备案编号": "粤G妆网备字2021038867", "生产企业": "广州环亚化妆品科技股份有限公司", "功效": "清洁 控油", "净含量": "400ml"})
neg("special_cosmetic_registered", "whitening serum with the special registration", cat=C, brand="OLAY",
    title="OLAY 光感小白瓶 烟酰胺美白精华 30ml", price=259,
    attrs={"品牌": "OLAY", "注册证号": "国妆特字G20190873", "生产企业": "宝洁（广州）有限公司", "功效": "美白", "净含量": "30ml"})
neg("special_cosmetic_registered", "sunscreen with the imported special registration", cat=C, brand="ANESSA",
    title="ANESSA perfect UV sunscreen milk SPF50+ PA++++ 60ml", price=198,
    attrs={"Brand": "ANESSA", "Responsible person in China": "Shiseido (China) Co., Ltd.", "Registration No.": "国妆特进字J20180734", "Claims": "sunscreen SPF50+", "Net content": "60ml"})
neg("special_cosmetic_registered", "hair dye with the special registration", cat=C, brand="章华",
    title="章华 植物染发膏 自然黑 2剂 100g+100g", price=49,
    attrs={"品牌": "章华", "注册证号": "国妆特字G20200221", "生产企业": "广州章华美发用品有限公司", "功效": "染发", "净含量": "200g"})
neg("special_cosmetic_registered", "sunscreen with the domestic special registration", cat=C, brand="薇婷",
    title="薇婷 清透防晒乳 SPF50 PA+++ 50ml", price=69,
    attrs={"品牌": "薇婷", "注册证号": "国妆特字G20210544", "生产企业": "上海薇婷日化有限公司", "功效": "防晒", "净含量": "50ml"})


# --------------------------------------------------------------------------- split, checks, output


def assign_split() -> None:
    seen: dict[str, int] = {}
    for row in LISTINGS:
        case = row["label"]["case"]
        i = seen.get(case, 0)
        seen[case] = i + 1
        row["label"]["split"] = "holdout" if i % 3 == 1 else "tune"


def write_listings(path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in LISTINGS:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_watchlist(path: Path) -> None:
    sellers: dict[str, set[str]] = {k: set() for k in MARKS}
    authorised_cases = {"genuine_flagship", "genuine_authorised_dealer", "genuine_promo", "genuine_small_pack"}
    for row in LISTINGS:
        if row["label"]["case"] in authorised_cases:
            mkey = next(k for k, m in MARKS.items() if m[0] == row["label"]["mark"])
            sellers[mkey].add(f"{row['site']}:{row['seller_id']}")
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["mark", "owner", "category", "aliases", "authorized_sellers", "registrations", "well_known",
                      "official_domains", "common_word"])
        for mkey, (mark, owner, cat, aliases, well_known, domains, common, _zh) in MARKS.items():
            out.writerow([mark, owner, cat, "|".join(aliases), "|".join(sorted(sellers[mkey])), "",
                          "true" if well_known else "false", "|".join(domains), "true" if common else "false"])


def write_prices(path: Path) -> None:
    sold_en = {row["label"]["mark"] for row in LISTINGS if row["currency"] == "USD"}
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["mark", "product", "price", "currency", "unit"])
        for p in P.values():
            words = "|".join(p["words"])
            out.writerow([en_name(p["mark"]), words, f"{p['price']:g}", "CNY", p["spec"]])
            if en_name(p["mark"]) in sold_en:
                out.writerow([en_name(p["mark"]), words, f"{p['price'] / USD_RATE:.2f}", "USD", SPEC_EN.get(p["spec"], p["spec"])])


def main(out: Path = HERE) -> None:
    assign_split()
    ids = [(r["site"], r["id"]) for r in LISTINGS]
    assert len(ids) == len(set(ids)), "duplicate listing ids"
    write_listings(out / "listings.jsonl")
    write_watchlist(out / "watchlist.csv")
    write_prices(out / "prices.csv")
    flagged = sum(r["label"]["flagged"] for r in LISTINGS)
    holdout = sum(r["label"]["split"] == "holdout" for r in LISTINGS)
    print(f"{len(LISTINGS)} listings, {flagged} flagged, {len(LISTINGS) - flagged} not, {holdout} holdout")


if __name__ == "__main__":
    main()
