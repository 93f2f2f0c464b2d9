"""Date Planner: date ideas, a checked plan for a first date and a pre-date checklist."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from coaching.coach.common import ChecklistItem, normalize_space

BUDGETS: dict[str, str] = {
    "gratis": "Gratis",
    "laag": "Laag (tot € 20 p.p.)",
    "midden": "Midden (€ 20 tot € 50 p.p.)",
    "hoog": "Hoog (meer dan € 50 p.p.)",
}
# Where the date takes place (not Django settings): indoors or outdoors.
VENUES: dict[str, str] = {
    "binnen": "Binnen",
    "buiten": "Buiten",
}

MAX_INTEREST_CHARS = 60
MAX_PLACE_CHARS = 120
MAX_DAYS_AHEAD = 365


@dataclass(frozen=True, slots=True)
class DateIdea:
    title: str
    description: str
    budget: str
    setting: str


@dataclass(frozen=True, slots=True)
class _Idea:
    idea: DateIdea
    # Lower-cased word prefixes of interests this idea suits.
    tags: tuple[str, ...]


def _idea(budget: str, setting: str, tags: str, title: str, description: str) -> _Idea:
    return _Idea(DateIdea(title=title, description=description, budget=budget, setting=setting), tuple(tags.split()))


# At least two ideas for every budget and setting, so every combination has something to cycle through.
_IDEAS: tuple[_Idea, ...] = (
    _idea(
        "gratis",
        "buiten",
        "fiets natuur sport water",
        "Fietstocht langs de Vecht",
        "Fiets samen langs de Vecht en stop bij een bankje aan het water. Neem een thermoskan koffie mee.",
    ),
    _idea(
        "gratis",
        "buiten",
        "wandel strand zee natuur fotogra",
        "Zonsondergang aan zee",
        "Wandel over het strand van Scheveningen, Zandvoort of de dichtstbijzijnde kust en kijk samen naar de "
        "zonsondergang.",
    ),
    _idea(
        "gratis",
        "buiten",
        "fotogra foto wandel kunst architectuur",
        "Fotowandeling door een onbekende wijk",
        "Kies een buurt die jullie allebei nog niet kennen en maak om de beurt een foto van iets wat je opvalt.",
    ),
    _idea(
        "gratis",
        "binnen",
        "muziek concert klassiek cultuur",
        "Gratis lunchconcert",
        "Veel concertzalen geven overdag gratis lunchconcerten. Luister samen en praat na tijdens een rondje buiten.",
    ),
    _idea(
        "gratis",
        "binnen",
        "boek lezen schrijven",
        "Boeken kiezen in de bibliotheek",
        "Spreek af in een grote bibliotheek, zoals de OBA in Amsterdam, en kies een boek voor elkaar uit.",
    ),
    _idea(
        "gratis",
        "binnen",
        "kunst schilder museum cultuur design",
        "Galerieroute",
        "Veel galeries zijn gratis toegankelijk. Loop een route en vertel elkaar welk werk je mee naar huis zou nemen.",
    ),
    _idea(
        "laag",
        "buiten",
        "kok koken eten bakken natuur",
        "Picknick in het park",
        "Neem allebei iets lekkers mee naar het Vondelpark, het Zuiderpark of een park bij jou in de buurt.",
    ),
    _idea(
        "laag",
        "buiten",
        "eten koken kok reizen",
        "Markt en koffie",
        "Struin over een markt, zoals de Albert Cuypmarkt, proef iets wat je nog nooit hebt gegeten en sluit af "
        "met koffie.",
    ),
    _idea(
        "laag",
        "buiten",
        "sport spel game gamen",
        "Midgetgolf",
        "Een potje midgetgolf is luchtig en een beetje competitief: de verliezer trakteert op een ijsje.",
    ),
    _idea(
        "laag",
        "binnen",
        "spel game gamen puzzel",
        "Bordspellencafé",
        "Kies samen een spel uit de kast van een bordspellencafé. Je leert elkaar snel kennen als er iets op het "
        "spel staat.",
    ),
    _idea(
        "laag",
        "binnen",
        "quiz muziek film geschiedenis",
        "Pubquiz",
        "Doe als team van twee mee aan een pubquiz in een café en ontdek elkaars onverwachte kennis.",
    ),
    _idea(
        "laag",
        "binnen",
        "film bioscoop serie",
        "Film in het filmhuis",
        "Kies een film in een filmhuis en praat na afloop bij een drankje na over wat jullie ervan vonden.",
    ),
    _idea(
        "midden",
        "buiten",
        "sup water sport zwem zeil",
        "Suppen op de grachten",
        "Huur twee supboards en peddel door de grachten of over een meer. Lachen gegarandeerd als iemand valt.",
    ),
    _idea(
        "midden",
        "buiten",
        "wandel natuur hond eten",
        "Boswandeling met pannenkoeken",
        "Wandel door de Veluwe of een bos in de buurt en sluit af in een pannenkoekenhuis.",
    ),
    _idea(
        "midden",
        "buiten",
        "fiets eten koken kaas",
        "Fietsen en proeven bij een boerderij",
        "Fiets naar een boerderijwinkel of kaasmakerij in de buurt en proef wat er daar gemaakt wordt.",
    ),
    _idea(
        "midden",
        "binnen",
        "bak kok koken eten",
        "Pannenkoeken bakken-workshop",
        "Leer samen de perfecte pannenkoek bakken in een workshop; samen iets maken breekt het ijs vanzelf.",
    ),
    _idea(
        "midden",
        "binnen",
        "boulder klim sport fitness",
        "Boulderen",
        "Probeer samen een paar routes in een boulderhal. Geen ervaring nodig, en je moedigt elkaar vanzelf aan.",
    ),
    _idea(
        "midden",
        "binnen",
        "museum musea kunst cultuur geschiedenis",
        "Museumnacht",
        "Tijdens een museumnacht zijn musea tot laat open, met muziek en workshops. Kies samen een route.",
    ),
    _idea(
        "midden",
        "binnen",
        "puzzel game gamen spel",
        "Escaperoom",
        "Werk samen om binnen een uur uit een escaperoom te komen; je ziet meteen hoe jullie samenwerken.",
    ),
    _idea(
        "hoog",
        "buiten",
        "zeil water reizen natuur",
        "Zeilen op het IJsselmeer",
        "Boek een zeiltocht met schipper op het IJsselmeer en geniet samen van de wind en het water.",
    ),
    _idea(
        "hoog",
        "buiten",
        "reis reizen fiets natuur strand",
        "Dagje Waddeneiland",
        "Neem de boot naar Texel of Vlieland, huur fietsen en eet vis aan de haven voordat de boot teruggaat.",
    ),
    _idea(
        "hoog",
        "binnen",
        "kok koken eten wijn",
        "Kookworkshop bij een chef",
        "Kook samen een driegangenmenu onder begeleiding van een chef en eet het daarna samen op.",
    ),
    _idea(
        "hoog",
        "binnen",
        "muziek concert theater cabaret dans",
        "Concert of voorstelling",
        "Zoek samen een concert, cabaretvoorstelling of theaterstuk uit en ga vooraf ergens een hapje eten.",
    ),
)

_WORD_RE = re.compile(r"[^\W_]+")


def _relevance(candidate: _Idea, interest_words: list[str]) -> int:
    """How many of the idea's tags and title words share a prefix with an interest word."""
    # Short title words ("de", "het", "aan") would match as a prefix of almost anything.
    title_words = [word for word in _WORD_RE.findall(candidate.idea.title.casefold()) if len(word) >= 4]
    terms = (*candidate.tags, *title_words)
    return sum(1 for word in interest_words for term in terms if word.startswith(term) or term.startswith(word))


def date_idea(*, budget: str, setting: str, interest: str = "", variant: int = 0) -> DateIdea:
    """A date idea for this budget and setting; ideas that suit ``interest`` come first and ``variant`` cycles."""
    if budget not in BUDGETS:
        raise ValueError("Kies een budget: gratis, laag, midden of hoog.")
    if setting not in VENUES:
        raise ValueError("Kies binnen of buiten.")
    candidates = [item for item in _IDEAS if item.idea.budget == budget and item.idea.setting == setting]
    # Very short words ("de", "en") would match almost any tag as a prefix.
    words = [
        word for word in _WORD_RE.findall(normalize_space(interest)[:MAX_INTEREST_CHARS].casefold()) if len(word) >= 3
    ]
    # Stable sort: equally relevant ideas keep their table order.
    ordered = sorted(candidates, key=lambda item: -_relevance(item, words))
    return ordered[variant % len(ordered)].idea


@dataclass(frozen=True, slots=True)
class DatePlan:
    when: datetime
    place: str
    summary: str
    tips: list[str]


# Spelled out here so the output never depends on the server's locale.
_DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MONTH_NAMES = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def _is_aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.tzinfo.utcoffset(moment) is not None


def format_dutch(*, moment: datetime, include_year: bool = False) -> str:
    """``moment`` as e.g. "zaterdag 5 december om 19:30" (with the year when asked), in its own time zone."""
    year = f" {moment.year}" if include_year else ""
    return (
        f"{_DAY_NAMES[moment.weekday()]} {moment.day} {_MONTH_NAMES[moment.month - 1]}{year} "
        f"om {moment.hour}:{moment.minute:02d}"
    )


def date_plan(*, when: datetime, place: str, now: datetime) -> DatePlan:
    """A checked plan with a Dutch summary and tips, for a moment from ``now`` up to a year ahead."""
    if not _is_aware(when) or not _is_aware(now):
        raise ValueError("Geef een datum en tijd mét tijdzone op.")
    if when < now:
        raise ValueError("Dit moment ligt in het verleden. Kies een datum in de toekomst.")
    if when - now > timedelta(days=MAX_DAYS_AHEAD):
        raise ValueError("Plan je date hooguit een jaar vooruit.")
    clean_place = normalize_space(place)
    if not clean_place:
        raise ValueError("Vul een plek in waar jullie afspreken.")
    if len(clean_place) > MAX_PLACE_CHARS:
        raise ValueError(f"De plek mag maximaal {MAX_PLACE_CHARS} tekens zijn.")

    # Compare calendar years in the date's own time zone, as the summary shows it.
    include_year = when.year != now.astimezone(when.tzinfo).year
    summary = f"{format_dutch(moment=when, include_year=include_year)} bij {clean_place}"

    tips: list[str] = []
    if when.hour >= 22 or when.hour < 9:
        tips.append(
            "Kies voor een eerste date liever overdag of de vroege avond: dat voelt ontspannener en is veiliger "
            "dan laat op de avond."
        )
    if when.weekday() >= 5:
        tips.append("Het is weekend: populaire plekken zijn dan druk, dus reserveer op tijd of kom wat eerder.")
    else:
        tips.append(
            "Een doordeweekse date is vaak lekker rustig. Spreek een eindtijd af als jullie de volgende dag werken."
        )
    ahead = when - now
    if ahead < timedelta(days=1):
        tips.append("Je date is al binnen een dag: stuur je match vandaag nog een bevestiging met tijd en plek.")
    elif ahead > timedelta(days=30):
        tips.append(
            "Dat is nog ver weg. Spreek tussendoor iets korts af, zoals koffie of videobellen, "
            "zodat de vaart erin blijft."
        )
    tips.append("Kies een openbare plek en laat iemand weten waar en wanneer je afspreekt.")
    return DatePlan(when=when, place=clean_place, summary=summary, tips=tips)


PRE_DATE_CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("bevestigd", "Tijd en plek nog een keer bevestigd"),
    ChecklistItem("iemand_inlichten", "Iemand laten weten waar en met wie je bent"),
    ChecklistItem("vervoer", "Vervoer heen en terug geregeld"),
    ChecklistItem("telefoon", "Telefoon opgeladen"),
    ChecklistItem("betalen", "Een betaalpas of geld bij je, zodat je zelf kunt betalen"),
    ChecklistItem("onderwerpen", "Een paar gespreksonderwerpen of vragen in je achterhoofd"),
)
