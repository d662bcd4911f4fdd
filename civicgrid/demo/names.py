"""Word lists for demo data: surnames weighted by frequency, given names by generation, place names.

Surname shares are rounded figures from the public 2020 surname statistics (per cent of the
population); only their relative weights matter here.
"""

from __future__ import annotations

import itertools
import random


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _weighted(text: str) -> tuple[tuple[str, float], ...]:
    """`"王:7.12 李:7.00"` gives `(("王", 7.12), ("李", 7.0))`."""
    return tuple((name, float(share)) for name, share in (item.split(":") for item in text.split()))


SURNAMES = _weighted(
    """
    王:7.12 李:7.00 张:6.74 刘:5.10 陈:4.61 杨:3.22
    黄:2.45 赵:2.19 吴:2.00 周:1.95 徐:1.45 孙:1.38
    马:1.29 朱:1.28 胡:1.16 郭:1.13 何:1.11 林:1.02
    高:1.01 罗:0.95 郑:0.87 梁:0.86 谢:0.75 宋:0.73
    唐:0.72 许:0.65 韩:0.64 邓:0.63 冯:0.62 曹:0.61
    彭:0.59 曾:0.58 肖:0.57 田:0.55 董:0.54 潘:0.52
    袁:0.52 蔡:0.50 蒋:0.50 余:0.48 于:0.47 杜:0.46
    叶:0.45 程:0.44 魏:0.43 苏:0.42 吕:0.42 丁:0.41
    任:0.40 卢:0.39 姚:0.38 沈:0.37 钟:0.37 姜:0.36
    崔:0.35 谭:0.34 陆:0.33 范:0.32 汪:0.32 廖:0.31
    石:0.31 金:0.30 韦:0.30 贾:0.29 夏:0.28 付:0.28
    方:0.27 邹:0.26 熊:0.26 白:0.25 孟:0.25 秦:0.24
    邱:0.24 侯:0.23 江:0.23 尹:0.22 薛:0.22 闫:0.22
    段:0.21 雷:0.21 龙:0.20 黎:0.20 史:0.20 陶:0.19
    贺:0.19 毛:0.18 郝:0.18 顾:0.18 龚:0.17 邵:0.17
    万:0.16 覃:0.16 武:0.16 钱:0.16 戴:0.15 严:0.15
    莫:0.15 孔:0.14 向:0.14 常:0.14 欧阳:0.05 上官:0.01
    司马:0.01
    """
)

# Characters used in given names, by the decade a person was born in and by gender. Combining two
# characters of one era gives names that sound like that generation (建国, 秀英, 子轩, 欣怡).
_GIVEN = {
    # born before 1960
    1950: {
        "male": "建国军华明德福贵志强文海平林成忠全永洪庆荣生富有顺昌发祥宝才",
        "female": "秀英兰芳珍桂凤玉梅淑华琴霞翠金莲爱菊云素花香月娥",
    },
    # born 1960-1979
    1970: {
        "male": "伟勇军刚斌波杰涛明辉峰强宏红卫东亮永光海兵平新俊",
        "female": "丽娟敏静燕艳红霞萍华玲芳英莉琳慧春秋琼莹蓉晓",
    },
    # born 1980-1999
    1990: {
        "male": "浩宇磊鹏超杰鑫帅凯博飞阳健晨俊毅斌文龙威航亮林",
        "female": "婷倩娜丹雪璐佳颖静敏莹琳洁晶欣怡雯丽蕾楠瑶露",
    },
    # born 2000 or later
    2010: {
        "male": "子轩浩宇睿泽辰奕一航铭梓博文皓然俊熙嘉锦宸佑煜晨",
        "female": "诗涵梓萱若汐语可欣沐一诺雨桐依芷悦欣瑶佳琪思妍婉",
    },
}


def _era(birth_year: int) -> int:
    if birth_year < 1960:
        return 1950
    if birth_year < 1980:
        return 1970
    if birth_year < 2000:
        return 1990
    return 2010


_SURNAME_CHOICES = [s for s, _w in SURNAMES]
_SURNAME_CUM = list(itertools.accumulate(w for _s, w in SURNAMES))


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_CHOICES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, gender: str, birth_year: int) -> str:
    """One character (about one name in seven, more often for older people) or two."""
    pool = _GIVEN[_era(birth_year)][gender]
    single = 0.22 if birth_year < 1980 else 0.12
    if rng.random() < single:
        return rng.choice(pool)
    first = rng.choice(pool)
    second = rng.choice(pool)
    while second == first and rng.random() < 0.8:
        second = rng.choice(pool)
    return first + second


def full_name(rng: random.Random, family: str, gender: str, birth_year: int) -> str:
    return family + given_name(rng, gender, birth_year)


# Ethnic minorities, weighted roughly by their national population (millions, 2020).
MINORITIES = _weighted(
    """
    壮族:19.6 维吾尔族:11.8 回族:11.4 苗族:11.1 满族:10.4
    彝族:9.8 土家族:9.6 藏族:7.1 蒙古族:6.3 布依族:3.6 侗族:3.5
    瑶族:3.3 白族:2.1 哈尼族:1.7 朝鲜族:1.7 黎族:1.6
    哈萨克族:1.6 傣族:1.3 畲族:0.7 仡佬族:0.7
    """
)
_MINORITY_CHOICES = [m for m, _w in MINORITIES]
_MINORITY_CUM = list(itertools.accumulate(w for _m, w in MINORITIES))
HAN = "汉族"


def minority(rng: random.Random) -> str:
    return rng.choices(_MINORITY_CHOICES, cum_weights=_MINORITY_CUM)[0]


# Place names. Village names take 村, urban community names take 社区.
VILLAGE_STEMS = _words(
    """
    龙井 桃园 石桥 青山 杨柳 大坪 新寨 马家 高峰 白岩 水口 坪上 茶园 河坝 竹林 凤凰 金星
    红岩 长坡 田坝 黄土 柏杨 梨子 双河 岩门 中寨 下坝 上坪 沙坝 鱼塘 枫香 小溪 大湾 松林
    桂花 梅子 油坊 官庄 李家 王家 张家 刘家 陈家 周家 吴家 向阳 民主 团结 光明 和平 新华
    庙坝 老街 石门 花园 龙塘 洞口 杉木 核桃 板栗 桐油 麻阳 清水 响水 冷水 热水 新田 老屋
    塘边 坡脚 岩脚 山后 坳上 半坡 垭口 营盘 关口 铜鼓 木城 土城 石城 金竹 水竹 楠木 香樟
    银杏 松柏 兴隆 太平 长乐 永安 平安 福田 寿山 回龙 盘龙 卧龙 飞龙 凤鸣 鹤鸣
    """
)
URBAN_STEMS = _words(
    """
    东门 西门 南门 北门 锦江 新城 南湖 滨江 和平 文昌 人民路 幸福里 解放路 胜利 建设 东升
    朝阳 春晖 金桥 玉屏 凤山 龙华 书香 育才 花园 江南 江北 城南 城北 城东 城西 新街 老城
    广场 火车站 工业园 桂苑 兰亭 丽景 锦绣 翠湖 碧水 天城 华府
    """
)
TOWN_STEMS = _words(
    """
    青龙 白沙 石阡 黄桥 龙溪 河口 双江 大坝 永兴 太平 长岭 马场 平阳 木黄 桃源 合水 洋溪
    坝盘 新寨 凯德 板溪 民和 杨柳 金星 凤仪 梵净
    """
)
SUBDISTRICT_STEMS = _words(
    """
    城关 龙江 东城 西城 南城 北城 新区 滨河 文昌 锦江
    """
)
# More stems for a city district's many subdistricts (the county keeps the list above alone).
CITY_SUBDISTRICT_STEMS = _words(
    """
    河西 江东 湖滨 新华 解放 人民 胜利 和平 朝阳 凤凰 金山 银湖 高新 开发区 火车站 白塔 碧江
    灯塔 鼓楼 钟山 黔灵 云岩 南明 花溪 乌当 观山湖 小河 金阳 新添 沙坪 双龙 东山 水口
    万松 铜江 茶店 渔塘 川硐 谢桥 环北 寨英 滑石 正光 桐木坪 坝黄 瓦屋 大兴 灯塔西
    """
)
ROADS = _words(
    """
    幸福路 人民路 解放路 建设路 中山路 和平路 团结路 文化路 新华路 胜利路 滨江路 环城路
    朝阳路 光明路 民主路 育才路 长征路 友谊路 健康路 青年路
    """
)
COMPOUNDS = _words(
    """
    锦绣花园 阳光小区 金色家园 翠湖苑 桂花园 滨江华府 碧水湾 城市花园 幸福里 丽景苑 书香门第
    御景园 和谐家园 康居小区 文昌苑 新华小区 紫荆苑 枫林苑 玉兰苑 东方明珠 江景名城 世纪花园
    学府小区 荷塘月色 盛世华庭 惠民小区 安居苑 福寿园 南湖小区 供电小区 粮站小区 教师新村
    水电小区 电力新村
    """
)
WORKPLACES = _words(
    """
    县人民医院 县第一中学 县税务局 县自然资源局 县农业农村局 县交通运输局 县供电局 县财政局
    县人力资源和社会保障局 县教育局 县中医院 县实验小学 县邮政分公司 县农商银行 县市场监督管理局
    """
)

_DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """Small numbers the way they appear in names: 一, 十, 十二, 二十, 二十三."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    if n < 100:
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(n)


def pick_unique(rng: random.Random, pool: tuple[str, ...], count: int, taken: set[str]) -> list[str]:
    """`count` names from `pool` not yet in `taken`; once the pool runs out, 上/下/新/老… variants."""
    out = []
    candidates = [p for p in pool if p not in taken]
    rng.shuffle(candidates)
    while len(out) < count:
        if candidates:
            name = candidates.pop()
        else:
            name = rng.choice("上下大小新老东西南北前后") + rng.choice(pool)
            if name in taken:
                continue
        taken.add(name)
        out.append(name)
    return out
