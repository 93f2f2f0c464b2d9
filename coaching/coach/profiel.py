"""Profiel Coach: write a bio, analyse a bio and check the profile is complete."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coaching.coach.common import (
    ChecklistItem,
    checklist_complete,
    clean_terms,
    join_dutch,
    normalize_space,
    pick,
    seed_for,
)

__all__ = [
    "CLICHES",
    "PROFILE_CHECKLIST",
    "TONES",
    "BioAnalysis",
    "ChecklistItem",
    "bio_analyze",
    "bio_generate",
    "checklist_complete",
]

TONES: dict[str, str] = {
    "speels": "Speels",
    "oprecht": "Oprecht",
    "avontuurlijk": "Avontuurlijk",
}

MIN_AGE = 18
MAX_AGE = 99
MAX_NAME_CHARS = 40
MAX_INTEREST_CHARS = 40
MAX_BIO_INTERESTS = 3
MAX_BIO_CHARS = 500
MAX_ANALYZE_CHARS = 2000

# Per tone: (openers, interest sentences, optional middle sentences, closing questions).
# The generated bio never uses a phrase from CLICHES, so it scores well on its own analysis.
_BIO_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "speels": (
        (
            "Hoi, ik ben {name} ({age}) en ik neem mezelf niet al te serieus.",
            "Hé, {name} hier, {age} jaar en expert in het kiezen van de beste plek op een terras.",
            "Ik ben {name}, {age} jaar, en ik kan slecht tegen een lege koektrommel.",
        ),
        (
            "Mijn vrije tijd gaat op aan {interests}, en stiekem ben ik daar best trots op.",
            "Wat mij blij maakt: {interests}, bij voorkeur met een goede playlist erbij.",
            "Voor {interests} laat ik alles uit mijn handen vallen.",
        ),
        (
            "",
            "Mijn vrienden vinden mijn woordgrappen vreselijk, ik vind ze geniaal.",
            "Ik ben beter in pannenkoeken omdraaien dan in selfies maken.",
        ),
        (
            "Wat is jouw meest onverwachte talent?",
            "Waarvoor mag ik jou 's nachts wakker maken?",
            "Wat zou jij op een vrije zondagmiddag nooit overslaan?",
        ),
    ),
    "oprecht": (
        (
            "Ik ben {name}, {age} jaar.",
            "Hoi, ik ben {name} en ik ben {age}.",
            "Leuk dat je even kijkt, ik ben {name} ({age}).",
        ),
        (
            "In mijn vrije tijd ben ik vaak bezig met {interests}.",
            "Ik word echt blij van {interests}, en dat deel ik graag met iemand.",
            "Waar ik energie van krijg: {interests}.",
        ),
        (
            "",
            "Ik zoek iemand met wie gesprekken vanzelf gaan, ook als het even stil is.",
            "Ik hou van echte verhalen en van mensen die zeggen wat ze denken.",
        ),
        (
            "Waar word jij het meest enthousiast van?",
            "Wat maakt voor jou een doordeweekse avond goed?",
            "Waar heb je de laatste tijd om moeten lachen?",
        ),
    ),
    "avontuurlijk": (
        (
            "Ik ben {name} ({age}) en ik zeg vaker ja dan nee tegen een nieuw plan.",
            "Hoi, ik ben {name}, {age} jaar, en mijn rugzak staat altijd half ingepakt klaar.",
            "{name} hier, {age} jaar en altijd in voor een onbekende route.",
        ),
        (
            "Je vindt me het liefst bezig met {interests}, graag op een plek waar ik nog nooit was.",
            "Mijn weekenden draaien om {interests}, en ik probeer graag iets nieuws.",
            "Ik krijg energie van {interests} en van plannen die pas onderweg ontstaan.",
        ),
        (
            "",
            "Een weekend zonder iets nieuws te ontdekken voelt voor mij als een gemiste kans.",
            "Mijn beste verhalen begonnen allemaal met de vraag: waarom eigenlijk niet?",
        ),
        (
            "Wat is het gekste wat jij ooit op een vrije dag hebt gedaan?",
            "Waar zou jij morgen heen gaan als alles kon?",
            "Welk plan staat bij jou al veel te lang op het lijstje?",
        ),
    ),
}


def bio_generate(*, name: str, age: int, interests: list[str], tone: str) -> str:
    """A Dutch bio of 2–4 sentences (at most 500 characters) that ends with a question.

    It mentions ``name``, ``age`` and up to three interests; the same input always gives the same bio.
    """
    if tone not in TONES:
        raise ValueError("Kies een toon: speels, oprecht of avontuurlijk.")
    clean_name = normalize_space(name)
    if not clean_name:
        raise ValueError("Vul je voornaam in.")
    if len(clean_name) > MAX_NAME_CHARS:
        raise ValueError(f"Je naam mag maximaal {MAX_NAME_CHARS} tekens zijn.")
    if isinstance(age, bool) or not isinstance(age, int) or not MIN_AGE <= age <= MAX_AGE:
        raise ValueError(f"Je leeftijd moet tussen {MIN_AGE} en {MAX_AGE} jaar liggen.")
    chosen = clean_terms(interests, max_chars=MAX_INTEREST_CHARS, limit=MAX_BIO_INTERESTS)
    if not chosen:
        raise ValueError("Vul minstens één interesse in.")

    values = {"name": clean_name, "age": age, "interests": join_dutch(chosen)}
    # A seed per slot, so the choices are independent and every combination can occur.
    sentences = [
        pick(options, seed=seed_for(clean_name, str(age), tone, *chosen, f"zin-{slot}")).format(**values)
        for slot, options in enumerate(_BIO_PARTS[tone])
    ]
    bio = " ".join(sentence for sentence in sentences if sentence)
    if len(bio) > MAX_BIO_CHARS:
        # Only reachable with the longest names and interests: drop the optional sentence first.
        bio = " ".join(sentence for sentence in (sentences[0], sentences[1], sentences[3]))
    return bio


@dataclass(frozen=True, slots=True)
class BioAnalysis:
    length: int
    word_count: int
    score: int
    cliches: list[str]
    specific_details: int
    has_question: bool
    tips: list[str]


# (label shown to the user, pattern on the lower-cased text)
_CLICHE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("houd van lachen", r"\bhou(?:d|dt)? van (?:lachen|humor)\b"),
    ("partner in crime", r"\bpartner in crime\b"),
    ("niet van spelletjes", r"\b(?:niet van|geen) spelletjes\b"),
    ("work hard play hard", r"\bwork hard,? play hard\b"),
    ("zie maar", r"\bzie maar\b"),
    ("vraag maar", r"\bvraag (?:maar|gerust)\b"),
    ("spontaan", r"\bspont(?:aan|ane)\b"),
    ("avontuurlijk ingesteld", r"\bavontuurlijk ingesteld\b"),
    ("reizen", r"\breizen\b"),
    ("genieten van het leven", r"\bgenie(?:t|ten) van het leven\b"),
    ("gezellig", r"\bgezellige?\b"),
    ("nuchter", r"\bnuchtere?\b"),
    ("sociaal", r"\bsoci(?:aal|ale)\b"),
    ("het leven is te kort", r"\bhet leven is (?:te )?kort\b"),
)
CLICHES: tuple[str, ...] = tuple(label for label, _ in _CLICHE_PATTERNS)

# Concrete hobbies and things: naming one tells a match far more than "sportief" or "creatief".
_CONCRETE_WORDS = frozenset(
    {
        "bakken", "bakt", "boek", "boeken", "bordspel", "bordspellen", "boulderen", "breien", "camera", "concert",
        "concerten", "drummen", "duiken", "festival", "festivals", "fotografie", "fotograferen", "gitaar", "hardlopen",
        "hockey", "hond", "honden", "kamperen", "kanoën", "kat", "katten", "klimmen", "koken", "kookt", "marathon",
        "moestuin", "museum", "musea", "padel", "pasta", "piano", "podcast", "podcasts", "pottenbakken", "ramen",
        "roman", "romans", "salsa", "schaken", "schilderen", "skiën", "snowboarden", "surfen", "sushi", "tango",
        "tennis", "theater", "tuinieren", "voetbal", "volleybal", "wielrennen", "yoga", "zeilen", "zingen",
        "zuurdesem", "zwemmen",
    }
)  # fmt: skip
# Capitalised words that are not names even in the middle of a sentence.
_NOT_PROPER_NOUNS = frozenset({"ik", "je", "jij", "hoi", "hey", "hallo", "ok", "oké"})

_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|\n+")
# Emoji, closing quotes and brackets may follow the final question mark.
_ENDS_WITH_QUESTION_RE = re.compile(r"\?[\s\"'’”)\]\W]*$")

_SWEET_SPOT = (150, 500)


def _count_specific_details(text: str) -> int:
    details: set[str] = set(_NUMBER_RE.findall(text))
    for sentence in _SENTENCE_SPLIT_RE.split(text):
        words = _WORD_RE.findall(sentence)
        for word in words[1:]:
            if word[0].isupper() and word.casefold() not in _NOT_PROPER_NOUNS:
                details.add(word.casefold())
        details.update(word.casefold() for word in words if word.casefold() in _CONCRETE_WORDS)
    return len(details)


def bio_analyze(*, text: str) -> BioAnalysis:
    """Score a bio from 0 to 100 and list the clichés found, with at least one tip whenever the score is below 100.

    Points: 40 to start, 25 for a length of 150–500 characters (10 when a bit off), 15 for ending with a
    question (8 for a question elsewhere), 5 per concrete detail up to 20, minus 10 per cliché up to 40.
    """
    if len(text) > MAX_ANALYZE_CHARS:
        raise ValueError(f"Je bio is te lang om te analyseren (maximaal {MAX_ANALYZE_CHARS} tekens).")
    stripped = text.strip()
    if not stripped:
        raise ValueError("Plak eerst je bio in het tekstvak.")

    lowered = normalize_space(stripped).casefold()
    length = len(stripped)
    word_count = len(_WORD_RE.findall(stripped))
    cliches = [label for label, pattern in _CLICHE_PATTERNS if re.search(pattern, lowered)]
    details = _count_specific_details(stripped)
    has_question = "?" in stripped
    ends_with_question = bool(_ENDS_WITH_QUESTION_RE.search(stripped))

    low, high = _SWEET_SPOT
    tips: list[str] = []
    if low <= length <= high:
        length_points = 25
    else:
        length_points = 10 if 100 <= length < low or high < length <= 800 else 0
        if length < low:
            tips.append(
                "Je bio is nog vrij kort. Voeg een paar zinnen toe over wat je graag doet, "
                "zodat een match iets heeft om op te reageren."
            )
        else:
            tips.append(
                "Je bio is aan de lange kant. Schrap wat niet per se nodig is: "
                f"tussen de {low} en {high} tekens leest het het prettigst."
            )
    if ends_with_question:
        question_points = 15
    elif has_question:
        question_points = 8
        tips.append("Zet je vraag aan het eind van je bio: dan is het een natuurlijke uitnodiging om te reageren.")
    else:
        question_points = 0
        tips.append("Sluit af met een vraag, zodat je match meteen een makkelijke opening heeft.")
    if details < 4:
        tips.append(
            "Maak het concreter: noem een plek, een getal of een specifieke hobby, "
            "bijvoorbeeld 'elke zondag boulderen in Utrecht' in plaats van 'sportief'."
        )
    if cliches:
        quoted = join_dutch([f"'{cliche}'" for cliche in cliches])
        tips.append(f"Vervang {quoted} door iets wat alleen jij zou zeggen; dat maakt je profiel herkenbaar.")

    score = 40 + length_points + question_points + 5 * min(details, 4) - 10 * min(len(cliches), 4)
    return BioAnalysis(
        length=length,
        word_count=word_count,
        score=max(0, min(100, score)),
        cliches=cliches,
        specific_details=details,
        has_question=has_question,
        tips=tips,
    )


PROFILE_CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("foto", "Minstens drie recente foto's, waarvan één duidelijk van je gezicht"),
    ChecklistItem("bio", "Een bio van een paar zinnen die eindigt met een vraag"),
    ChecklistItem("interesses", "Minstens drie interesses ingevuld"),
    ChecklistItem("wat_zoek_je", "Duidelijk aangegeven wat je zoekt: iets serieus, iets luchtigs of nog open"),
    ChecklistItem("prompt", "Minstens één profielvraag persoonlijk beantwoord"),
    ChecklistItem("eerlijk", "Alles klopt: leeftijd, woonplaats en foto's zijn eerlijk en actueel"),
)
