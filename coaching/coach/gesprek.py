"""Gesprek Starter: opening lines, platform advice and a safety checklist."""

from __future__ import annotations

from dataclasses import dataclass

from coaching.coach.common import ChecklistItem, normalize_space, pick, seed_for

MAX_INTEREST_CHARS = 60

OPENER_STYLES: dict[str, str] = {
    "grappig": "Grappig",
    "nieuwsgierig": "Nieuwsgierig",
    "compliment": "Compliment",
}

# Compliments are about what someone shares, never about looks: that lands better with a stranger.
_OPENERS: dict[str, tuple[str, ...]] = {
    "grappig": (
        "Eerlijke vraag: hoe serieus moet ik jouw liefde voor {interest} nemen, op een schaal van 1 tot 10?",
        "Ik zag {interest} op je profiel staan. Moet ik me nu al zorgen maken dat je me daarin gaat verslaan?",
        "Belangrijke screening vooraf: wat is jouw meest controversiële mening over {interest}?",
        "Zeg het maar eerlijk: is {interest} bij jou een hobby of inmiddels een levensstijl?",
        "Ik heb een weddenschap lopen dat jij uren over {interest} kunt praten. Heb ik gewonnen?",
    ),
    "nieuwsgierig": (
        "Ik zie {interest} op je profiel staan. Hoe ben je daar ooit mee begonnen?",
        "Wat maakt {interest} voor jou zo leuk? Ik ben oprecht benieuwd.",
        "Als je mij in één zin enthousiast moest maken voor {interest}, wat zou je dan zeggen?",
        "Wat is je mooiste herinnering die met {interest} te maken heeft?",
        "Hoe ziet een perfecte dag met {interest} er voor jou uit?",
    ),
    "compliment": (
        "Leuk dat je {interest} noemt, dat maakt je profiel meteen persoonlijk. Wat trekt je er het meest in aan?",
        "Je profiel straalt enthousiasme uit over {interest}, en dat is aanstekelijk. Hoe ben je erin gerold?",
        "Iemand die van {interest} houdt, heeft vast goede verhalen. Welk verhaal vertel je het liefst?",
        "Wat goed dat je tijd maakt voor {interest}! Wat betekent het voor jou?",
    ),
}


def opener_generate(*, interest: str, style: str, variant: int = 0) -> str:
    """A Dutch opening line about ``interest``; consecutive variants cycle through every line of the style."""
    if style not in OPENER_STYLES:
        raise ValueError("Kies een stijl: grappig, nieuwsgierig of compliment.")
    clean_interest = normalize_space(interest)
    if not clean_interest:
        raise ValueError("Vul een interesse van je match in.")
    if len(clean_interest) > MAX_INTEREST_CHARS:
        raise ValueError(f"Houd de interesse kort: maximaal {MAX_INTEREST_CHARS} tekens.")
    # The seed only picks where the cycle starts, so different interests don't all open with the same line.
    template = pick(_OPENERS[style], seed=seed_for(clean_interest, style), offset=variant)
    return template.format(interest=clean_interest)


@dataclass(frozen=True, slots=True)
class Platform:
    slug: str
    label: str
    advice: tuple[str, ...]


PLATFORMS: tuple[Platform, ...] = (
    Platform(
        "tinder",
        "Tinder",
        (
            "Je eerste foto bepaalt bijna alles: kies een heldere, recente foto waarop je gezicht goed te zien is.",
            "Vul je bio in (maximaal 500 tekens): een paar concrete zinnen geven een match iets om op in te gaan.",
            "Stuur na een match binnen een dag een persoonlijk bericht over iets uit het profiel, niet alleen 'hoi'.",
            "Voeg je interesses en een favoriet nummer toe: dat zijn extra aanknopingspunten voor een gesprek.",
        ),
    ),
    Platform(
        "bumble",
        "Bumble",
        (
            "Bij een match tussen een man en een vrouw stuurt de vrouw het eerste bericht.",
            "Een match verloopt na 24 uur als er niets gebeurt: reageer op tijd als je een eerste bericht krijgt.",
            "Beantwoord een paar profielvragen, zodat je match makkelijk een eerste bericht kan bedenken.",
            "Controleer dat je in de datingmodus staat en niet in de modus voor vriendschap of netwerken.",
        ),
    ),
    Platform(
        "hinge",
        "Hinge",
        (
            "Hinge draait om prompts: kies drie antwoorden die iets over jou vertellen en uitnodigen tot een reactie.",
            "Like een specifieke foto of prompt en zet er een opmerking bij; dat valt meer op dan alleen een like.",
            "Na een date vraagt Hinge of jullie elkaar hebben ontmoet; eerlijke feedback geeft betere suggesties.",
        ),
    ),
    Platform(
        "happn",
        "happn",
        (
            "happn toont mensen die je in het echt bent gekruist: noem in je eerste bericht de buurt of plek.",
            "Deel je locatie alleen als je je daar prettig bij voelt, en kijk in de instellingen wat anderen zien.",
            "Houd je eerste bericht luchtig en concreet, bijvoorbeeld over een koffietent die jullie allebei kennen.",
        ),
    ),
    Platform(
        "lexa",
        "Lexa",
        (
            "Op Lexa zoeken de meeste mensen iets serieus: wees in je profieltekst duidelijk over wat je zoekt.",
            "Vul de persoonlijkheidsvragen zorgvuldig in; je matchsuggesties zijn daarop gebaseerd.",
            "Schrijf een persoonlijk eerste bericht van een paar zinnen; een doordacht bericht wordt hier gewaardeerd.",
            "Bekijk eerst rustig met een gratis account of het aanbod bij je past voordat je een abonnement neemt.",
        ),
    ),
    Platform(
        "inner-circle",
        "Inner Circle",
        (
            "Nieuwe profielen worden eerst beoordeeld: zorg voor goede foto's en een volledig ingevuld profiel.",
            "Vul je werk en opleiding in; daar wordt op deze app relatief veel naar gekeken.",
            "Inner Circle organiseert evenementen voor leden: een laagdrempelige manier om mensen in het echt te zien.",
        ),
    ),
)


def platform_get(*, slug: str) -> Platform:
    """The platform with this slug; ValueError for an unknown one."""
    for platform in PLATFORMS:
        if platform.slug == slug:
            return platform
    raise ValueError("Dit platform kennen we niet. Kies er een uit de lijst.")


SAFETY_CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("openbare_plek", "Spreek af op een openbare plek, zoals een druk café of park"),
    ChecklistItem("iemand_inlichten", "Laat iemand weten met wie, waar en hoe laat je afspreekt"),
    ChecklistItem("eigen_vervoer", "Regel je eigen vervoer heen en terug"),
    ChecklistItem("persoonlijke_gegevens", "Deel niet te snel je adres, werkplek of andere persoonlijke gegevens"),
    ChecklistItem("videobellen", "Videobel eerst even, zodat je weet dat je match echt is"),
    ChecklistItem("gevoel", "Vertrouw op je gevoel: je mag een date altijd afzeggen of eerder weggaan"),
)
