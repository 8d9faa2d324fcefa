"""A corpus of realistic Dutch and English tips (typos, emoji, diacritics included), written for
the relevance tests: named tips that queries must find, among generated everyday noise."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tipdesk.search.schema import TipDocument

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday, 15:00 in Amsterdam


@dataclass(frozen=True)
class CorpusTip:
    key: str
    text: str
    hours_ago: float = 5
    sender: str = "Lezer"
    status: str = "new"
    desk: str = "regio"
    tags: tuple[str, ...] = ()
    media: tuple[str, ...] = ()
    consent: str = "not_asked"
    claimed: tuple[str, ...] = field(default_factory=tuple)


NAMED = [
    CorpusTip(
        "fire_station_video",
        "Grote brand in een pand aan de Stationsstraat 🔥🔥 rook overal, brandweer is er net. Filmpje gemaakt vanaf de overkant",
        2,
        "Sanne de Vries",
        media=("video",),
        consent="granted",
        status="verified",
    ),
    CorpusTip(
        "tree_station",
        "Er is een boom omgewaaid op de Stationsstraat, ligt dwars over de weg bij de bakker. Geen gewonden gezien",
        3,
        "Joris Bakker",
        media=("image",),
    ),
    CorpusTip(
        "crash_a2",
        "Aanrijding op de A2 richting Utrecht ter hoogte van Holendrecht, twee autos betrokken, file tot knooppunt Amstel",
        26,
        "Pieter",
        tags=("a2", "verkeer"),
        desk="verkeer",
    ),
    CorpusTip(
        "bikes_stolen",
        "Vannacht zijn bij het station drie fietsen gestolen uit de bewaakte stalling, de camera hing er gewoon",
        30,
        "Fatima",
    ),
    CorpusTip(
        "traffic_accident",
        "Ernstig verkeersongeluk op de N201 bij Uithoorn, traumaheli geland in het weiland",
        4,
        "Kees",
        desk="verkeer",
        media=("image",),
    ),
    CorpusTip(
        "cafe_fire",
        "Brand in café De Zwaan op de Markt, uitslaande vlammen uit de keuken",
        8,
        "Ingrid",
        media=("image",),
    ),
    CorpusTip(
        "storm_photos",
        "Stormschade in de wijk: daken kapot, hekken omver. Hier wat foto's van de storm vanmiddag",
        1,
        "Mila",
        media=("image",),
        consent="granted",
        tags=("storm",),
    ),
    CorpusTip(
        "storm_no_consent",
        "Storm heeft de steiger bij de kerk omver geblazen, foto gemaakt maar liever niet publiceren",
        1.5,
        "Henk",
        media=("image",),
        consent="refused",
        tags=("storm",),
    ),
    CorpusTip(
        "burglary_english",
        "There was a burglary at the jewellery shop in Amstelveen last night, police are still there",
        20,
        "Tom Walker",
    ),
    CorpusTip(
        "flood_english",
        "Several basements flooded in our street after the heavy rain, the fire brigade is pumping water out",
        10,
        "Emma",
    ),
    CorpusTip(
        "fire_english",
        "Huge fire at the industrial estate near the harbour, black smoke visible for miles",
        6,
        "Oliver",
        media=("video",),
    ),
    CorpusTip(
        "market_address",
        "Op Markt 12 staat al de hele dag een verdacht pakketje, het plein is afgezet",
        7,
        "Daan",
    ),
    CorpusTip(
        "police_drugs",
        "Politie doet inval in een drugspand aan de Kanaalweg, veel agenten op de been",
        12,
        "Rik",
        tags=("politie",),
    ),
    CorpusTip(
        "police_traffic",
        "Politie controleert vrachtwagens op de Ringweg, lange rij bij de afslag",
        11,
        "Sophie",
        tags=("politie",),
    ),
    CorpusTip(
        "fire_drill",
        "Brandweer houdt een oefening bij de basisschool, niks aan de hand maar wel veel sirenes",
        9,
        "Lotte",
    ),
    CorpusTip(
        "thunder",
        "Zwaar onweer boven het dorp, blikseminslag in een boerderij aan de Dijkweg",
        2.5,
        "Bram",
        media=("image",),
    ),
    CorpusTip(
        "traffic_light",
        "Verkeerslichten op het kruispunt bij de Albert Heijn doen het al twee dagen niet",
        48,
        "Noor",
    ),
    CorpusTip(
        "sport_ajax",
        "Ajax wint oefenduel met 3-1, supporters vieren feest op het plein",
        22,
        "Mo",
        desk="sport",
    ),
    CorpusTip(
        "sport_marathon",
        "Marathonloper onwel geworden bij kilometer 30, ambulance was snel ter plaatse",
        50,
        "Julia",
        desk="sport",
    ),
    CorpusTip(
        "council_meeting",
        "De gemeenteraadsvergadering over de nieuwe windmolens liep volledig uit de hand, wethouder liep weg",
        28,
        "Ahmed",
        desk="politiek",
    ),
    CorpusTip(
        "lamp_posts",
        "Alle lantaarnpalen in onze straat zijn kapot, s avonds is het aardedonker",
        70,
        "Wim",
    ),
    CorpusTip(
        "water_cellar",
        "Wateroverlast in de kelder van het verzorgingshuis, bewoners worden geëvacueerd",
        14,
        "Greet",
        media=("video",),
    ),
    CorpusTip(
        "demo_malieveld",
        "Grote demonstratie op het Malieveld tegen de bezuinigingen, duizenden mensen",
        33,
        "Ravi",
        desk="politiek",
    ),
    CorpusTip(
        "swans",
        "Twee zwanen vast in het ijs van de vijver, dierenambulance is onderweg",
        16,
        "Anouk",
    ),
    CorpusTip(
        "funfair",
        "Kermis op het Kerkplein gaat niet door vanwege de storm, exploitanten boos",
        40,
        "Frank",
        desk="evenementen",
    ),
    CorpusTip(
        "carnival",
        "Carnavalsoptocht in Oeteldonk trekt recordaantal bezoekers ondanks de regen",
        100,
        "Carla",
        desk="evenementen",
    ),
    CorpusTip(
        "power_cut", "Stroomstoringen in heel Noord, ook de trams rijden niet meer", 3, "Jeroen"
    ),
    CorpusTip(
        "gas_leak", "Gaslek aan de Dorpsstraat, huizen ontruimd en de straat is dicht", 6, "Els"
    ),
    CorpusTip(
        "jeweller",
        "Overval op juwelier in het centrum, daders gevlucht op een scooter",
        19,
        "Bas",
        tags=("politie",),
    ),
    CorpusTip(
        "reunion",
        "Reünie van oud-leerlingen van het Stedelijk Lyceum trok honderden mensen",
        80,
        "Marieke",
        desk="evenementen",
    ),
    CorpusTip(
        "school_bus",
        "Schoolbus met kinderen van de weg geraakt bij Nieuw-Vennep, niemand gewond gelukkig",
        5,
        "Koen",
        media=("image",),
    ),
    CorpusTip(
        "typo_crash", "ongelik op de rotonde bij de mcdonalds, auto op z'n kop", 4.5, "Stijn"
    ),
    CorpusTip(
        "english_tree",
        "A fallen tree is blocking the road near the train station, cars can't get through",
        3.5,
        "Jack",
    ),
    CorpusTip(
        "voice_fire",
        "Ik heb een spraakbericht ingesproken over de brand bij de haven",
        2,
        "Ans",
        media=("voice",),
    ),
    CorpusTip(
        "document_letter",
        "Brief van de gemeente over de afsluiting van de brug, zie bijlage afsluiting_brug.pdf",
        36,
        "Gerrit",
        media=("document",),
    ),
    CorpusTip(
        "claimed_anne",
        "Tip over vervuild water in de Amstel, dode vissen langs de oever",
        9,
        "Lieke",
        claimed=("anne", "anne", "de", "jong"),
    ),
    CorpusTip(
        "verified_fire",
        "Brand bij een garagebedrijf in Zaandam, bevestigd door de brandweer",
        30,
        "Peter",
        status="verified",
    ),
    CorpusTip(
        "sanne_second", "Update van mij: de Stationsstraat is nu weer open", 1, "Sanne de Vries"
    ),
    CorpusTip(
        "old_flood", "Dijk bij Lobith houdt het, maar het water staat erg hoog", 24 * 20, "Harm"
    ),
    CorpusTip(
        "yesterday_accident",
        "Accident on the ring road, two lanes closed, expect delays",
        25,
        "Grace",
        desk="verkeer",
    ),
    CorpusTip(
        "today_storm",
        "De storm raast nu over de kust, strandtenten zwaar beschadigd",
        0.5,
        "Evi",
        media=("video",),
    ),
    CorpusTip("accent_eindhoven", "Zoë zag een auto in de sloot bij Eindhoven-Airport", 13, "Zoë"),
]

CITIES = [
    "Haarlem",
    "Zaandam",
    "Hoofddorp",
    "Purmerend",
    "Alkmaar",
    "Hilversum",
    "Almere",
    "Leiden",
]
STREETS = [
    "Hoofdstraat",
    "Kerkstraat",
    "Molenweg",
    "Schoolstraat",
    "Julianalaan",
    "Parkweg",
    "Dorpsplein",
]
ROADS = ["A9", "A10", "A1", "A4", "N200", "A7"]
TEMPLATES = [
    "File op de {road} richting {city} door werkzaamheden, reken op een half uur vertraging",
    "Wegwerkzaamheden in de {street} in {city}, buslijn rijdt om",
    "Nieuwe bakker geopend aan de {street} in {city}, lange rij voor de deur 🥐",
    "De gemeente {city} plant bomen langs de {street}, bewoners blij",
    "Hond loopt los op de {road} bij {city}, automobilisten remmen af",
    "Wat een mooie zonsondergang vanavond boven {city} 😍",
    "Vuilniszakken al een week niet opgehaald in de {street} in {city}",
    "Stank van de fabriek in {city}, ruikt naar verbrand plastic",
    "Voetbalclub uit {city} promoveert na winst in de laatste minuut",
    "Markt in {city} verhuist tijdelijk naar de {street}",
    "Lekkage in het zwembad van {city}, bad gesloten tot vrijdag",
    "Parking chaos near the {street} in {city}, nobody can get out",
    "Road works on the {road} near {city} all weekend",
    "Muziekfestival in het park van {city} trekt veel jongeren",
    "Scholieren protesteren in {city} tegen het nieuwe rooster",
    "Gat in de weg op de {street} in {city}, al drie fietsers gevallen",
    "Kat zit al uren in een boom aan de {street}, wie helpt?",
    "Rookmelder gaat steeds af in de flat aan de {street} in {city}",
]


def generated(count: int = 280) -> list[CorpusTip]:
    chance = random.Random(20261123)
    tips = []
    for n in range(count):
        text = chance.choice(TEMPLATES).format(
            road=chance.choice(ROADS), city=chance.choice(CITIES), street=chance.choice(STREETS)
        )
        tips.append(
            CorpusTip(
                f"noise_{n}",
                text,
                chance.uniform(0, 24 * 14),
                f"Lezer {n % 40}",
                desk=chance.choice(["regio", "verkeer", "sport"]),
                media=chance.choice([(), ("image",), ("video",), ()]),
            )
        )
    return tips


def corpus() -> list[CorpusTip]:
    return NAMED + generated()


def documents(tips: list[CorpusTip]) -> tuple[list[TipDocument], dict[str, int]]:
    ids = {tip.key: number for number, tip in enumerate(tips, start=1)}
    return [
        TipDocument(
            tip_id=ids[tip.key],
            text=tip.text,
            sender=tip.sender,
            status=tip.status,
            desk=tip.desk,
            tags=list(tip.tags),
            media=list(tip.media),
            consent=tip.consent,
            claimed=list(tip.claimed),
            received=NOW - timedelta(hours=tip.hours_ago),
        )
        for tip in tips
    ], ids
