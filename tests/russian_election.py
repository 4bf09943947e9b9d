"""The flat test election with Russian added to its content: ka, en and ru.

The questionnaire's texts are translated; the background notes, descriptions and
justifications get a short Russian sentence each, enough for a voter page to be wholly
Russian. Written to temporary files: this is not a shipped demo. `also` offers more languages
(hy, az) that carry the same Russian texts, so that their pages can be checked for UI text.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import DEMO_FILES

SLUG = "tri"

QUESTIONNAIRE = {
    "title": "Муниципальные выборы в Зугдиди 2025 — демонстрационная анкета",
    "description": (
        "Эта анкета показывает работу инструмента на примере муниципальных выборов 2025 года"
        " в Зугдиди. Утверждения касаются реальных местных вопросов, но все партии вымышлены,"
        " а их позиции придуманы для демонстрации."
    ),
    "publisher": "Команда проекта (демонстрационные данные)",
}
SCALE = {
    "disagree-strongly": "Совершенно не согласен",
    "disagree": "Не согласен",
    "neutral": "Нейтрально",
    "agree": "Согласен",
    "agree-strongly": "Полностью согласен",
}
THEMES = {
    "governance": "Открытое управление и участие",
    "social": "Социальная политика и вынужденные переселенцы",
    "economy": "Экономика, туризм и сельское хозяйство",
    "environment": "Окружающая среда и город",
    "transport": "Транспорт, дороги и вода",
    "community": "Молодёжь, культура и общество",
}
AXES = {
    "economic": (
        "Экономика",
        "Левые: муниципалитет предоставляет услуги и перераспределяет",
        "Правые: рынок, низкие сборы, частные поставщики",
    ),
    "social": (
        "Общество",
        "Прогрессивные: участие, равенство, перемены",
        "Консервативные: традиции, порядок, вера",
    ),
}
STATEMENTS = {
    "e-petitions": "Жители должны иметь возможность подавать в муниципалитет электронные"
    " петиции, а любую петицию, подписанную 300 жителями, сакребуло обязано обсудить"
    " на заседании.",
    "participatory-budget": "Не менее 5% муниципального бюджета следует тратить на проекты,"
    " которые жители выбирают голосованием.",
    "open-council": "Все заседания сакребуло следует транслировать в прямом эфире, а каждый"
    " муниципальный договор публиковать в интернете в течение трёх дней после подписания.",
    "fewer-advisers": "Мэрии следует сократить штат и число советников, даже если некоторые"
    " услуги станут медленнее.",
    "elected-village-reps": "Представителей мэра в сёлах должны выбирать сами жители на"
    " голосовании, а не назначать мэр.",
    "idp-housing": "Муниципалитету следует софинансировать новое жильё для семей вынужденных"
    " переселенцев, даже если на ремонт дорог останется меньше денег.",
    "idp-ownership": "Семьи переселенцев, живущие в бывших общественных зданиях (гостиницах,"
    " больницах, школах), должны получить свои квартиры в собственность за символическую цену.",
    "targeted-assistance": "Муниципальная денежная помощь должна идти только семьям из"
    " национальной базы социально уязвимых семей, а не назначаться мэрией в каждом случае"
    " отдельно.",
    "free-kindergarten": "Муниципальные детские сады должны оставаться бесплатными для всех"
    " семей, включая обеспеченные.",
    "violence-shelter": "Муниципалитету следует финансировать приют и круглосуточную горячую"
    " линию для женщин и детей, пострадавших от домашнего насилия.",
    "women-quota": "Не менее 40% членов муниципальных комиссий и консультативных советов"
    " должны составлять женщины.",
    "accessibility": "Каждое новое или отремонтированное общественное здание, остановка и"
    " пешеходный переход должны быть полностью доступны для пользователей инвалидных колясок,"
    " даже если это удорожает проекты.",
    "guesthouse-no-fees": "Гостевые дома и небольшие гостиницы следует освободить от любых"
    " новых муниципальных сборов, чтобы туризм мог расти.",
    "business-tax-break": "Новые предприятия, создающие в муниципалитете не менее десяти"
    " рабочих мест, не должны платить муниципальный налог на имущество первые три года.",
    "farmer-subsidy": "Муниципалитету следует оплачивать борьбу с вредителями и обучение для"
    " фермеров, выращивающих фундук и цитрусовые, например против мраморного клопа.",
    "sell-property": "Муниципалитету следует продать неиспользуемые муниципальные здания и"
    " землю частным инвесторам.",
    "street-vending-ban": "Уличную торговлю на центральных улицах следует запретить, а"
    " торговцев перевести на рынок.",
    "betting-ban": "Букмекерские конторы и игорные залы не должны размещаться в центре"
    " Зугдиди и рядом со школами.",
    "palace-park": "В парке дворца Дадиани и в ботаническом саду Зугдиди не следует"
    " разрешать новое строительство.",
    "waste-sorting": "Муниципалитету следует ввести раздельный сбор перерабатываемых отходов,"
    " даже если плата за вывоз мусора вырастет.",
    "tree-protection": "Вырубка дерева в городе должна требовать общественного обсуждения и"
    " посадки двух новых деревьев.",
    "small-hydro": "Муниципалитету следует поддерживать строительство малых ГЭС на местных"
    " реках, чтобы привлечь инвестиции.",
    "private-bus-tender": "Городские автобусные маршруты должны обслуживать частные"
    " перевозчики, выбранные на открытом тендере, а не муниципальная компания.",
    "free-travel": "Общественный транспорт в муниципалитете должен быть бесплатным для"
    " школьников, студентов и пенсионеров.",
    "rural-roads-first": "Ремонт сельских дорог и водоснабжения должен идти раньше любых"
    " новых проектов по благоустройству центра города.",
    "youth-space": "Муниципалитету следует открыть молодёжный центр, управляемый вместе с"
    " молодёжью, с бесплатными помещениями для кружков, учёбы и мероприятий.",
    "church-funding": "Муниципальный бюджет должен помогать финансировать строительство и"
    " реставрацию церквей.",
    "youth-curfew": "Детям младше 16 лет нельзя находиться в общественных местах после 23:00"
    " без взрослых.",
}
PARTIES = {
    "green-coast": ("Зелёное побережье", "ЗП"),
    "colchis-development": ("Развитие Колхиды", "РК"),
    "tradition-faith": ("Союз «Традиция и вера»", "ТВ"),
    "workers-solidarity": ("Солидарность трудящихся", "СТ"),
    "open-city": ("Открытый город", "ОГ"),
    "voice-of-villages": ("Голос сёл", "ГС"),
    "return-dignity": ("Возвращение и достоинство", "ВД"),
}


def _adding(codes: tuple[str, ...]) -> Callable[[dict[str, str], str], dict[str, str]]:
    """Add a Russian text to a {language: text} map under each of these codes."""
    return lambda text, russian: {**text, **dict.fromkeys(codes, russian)}


def _questionnaire(data: dict[str, Any], codes: tuple[str, ...]) -> dict[str, Any]:
    _with = _adding(codes)
    data["election"] = SLUG
    data["languages"] = ["ka", "en", *codes]
    for key, russian in QUESTIONNAIRE.items():
        data[key] = _with(data[key], russian)
    for option in data["scale"]:
        option["label"] = _with(option["label"], SCALE[option["id"]])
    for theme in data["themes"]:
        theme["label"] = _with(theme["label"], THEMES[theme["id"]])
    for axis in data["axes"]:
        label, low, high = AXES[axis["id"]]
        axis["label"] = _with(axis["label"], label)
        axis["low"] = _with(axis["low"], low)
        axis["high"] = _with(axis["high"], high)
    for number, statement in enumerate(data["statements"], start=1):
        statement["text"] = _with(statement["text"], STATEMENTS[statement["id"]])
        if "info" in statement:
            statement["info"] = _with(
                statement["info"], f"Справочная информация к утверждению {number}."
            )
    return data


def _parties(data: dict[str, Any], codes: tuple[str, ...]) -> dict[str, Any]:
    _with = _adding(codes)
    data["election"] = SLUG
    for entity in data["entities"]:
        name, short = PARTIES[entity["id"]]
        entity["name"] = _with(entity["name"], name)
        entity["short"] = _with(entity["short"], short)
        entity["description"] = _with(
            entity["description"], f"Вымышленная партия «{name}» для демонстрации."
        )
        for position in entity["positions"].values():
            if "justification" in position:
                position["justification"] = _with(
                    position["justification"], f"Довод партии «{name}» по этому утверждению."
                )
    return data


def russian_election_files(directory: Path, also: tuple[str, ...] = ()) -> list[Path]:
    """The flat election as `tri`, in Georgian, English and Russian (and `also`)."""
    questionnaire, parties = (
        yaml.safe_load(path.read_text(encoding="utf-8")) for path in DEMO_FILES
    )
    paths = []
    for name, data in (
        ("tri-questionnaire.yaml", _questionnaire(questionnaire, ("ru", *also))),
        ("tri-parties.yaml", _parties(parties, ("ru", *also))),
    ):
        path = directory / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        paths.append(path)
    return paths
