"""Chat Coach: first questions, follow-up replies and a practice chat with Sam."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coaching.coach.common import clean_terms, normalize_space, pick, seed_for

MAX_INTEREST_CHARS = 40
MAX_INTERESTS = 5
MAX_MESSAGE_CHARS = 1000
MAX_REPLY_CHARS = 500
QUESTION_COUNT = 3
FOLLOW_UP_COUNT = 3
SHORT_MESSAGE_WORDS = 3
LONG_MESSAGE_WORDS = 60


@dataclass(frozen=True, slots=True)
class _Topic:
    slug: str
    # Lower-cased word prefixes that point to this topic; a trailing "$" asks for the whole word.
    keywords: tuple[str, ...]
    questions: tuple[str, ...]


# Interest topics: each has three open questions, none of which can be answered with yes or no.
_TOPICS: tuple[_Topic, ...] = (
    _Topic(
        "koken",
        ("koken", "kook", "gekookt", "recept", "eten", "bakken", "gebakken", "gerecht", "pasta"),
        (
            "Wat is het gerecht waarmee jij indruk maakt als je voor iemand kookt?",
            "Welk recept wil je nog steeds een keer proberen?",
            "Wat is het lekkerste dat je ooit ergens hebt gegeten?",
        ),
    ),
    _Topic(
        "reizen",
        ("reis", "reizen", "gereisd", "vakantie", "backpack", "stedentrip"),
        (
            "Welke reis is je het meest bijgebleven, en waarom?",
            "Waar wil je nog echt een keer naartoe?",
            "Hoe ziet voor jou de perfecte vakantiedag eruit?",
        ),
    ),
    _Topic(
        "hardlopen",
        ("hardlo", "hardgelopen", "rennen", "gerend", "marathon", "loopje"),
        (
            "Wat is je favoriete rondje om te lopen?",
            "Hoe ben je ooit met hardlopen begonnen?",
            "Welke loop of wedstrijd staat er nog op je lijstje?",
        ),
    ),
    _Topic(
        "muziek",
        ("muziek", "concert", "festival", "gitaar", "piano", "zingen", "band", "playlist"),
        (
            "Welk nummer staat bij jou nu op repeat?",
            "Wat was het beste concert of festival waar je ooit bent geweest?",
            "Welke artiest zou je nog eens live willen zien?",
        ),
    ),
    _Topic(
        "films",
        ("film", "bioscoop", "serie$", "series$", "netflix"),
        (
            "Welke film kun je eindeloos opnieuw kijken?",
            "Wat is de laatste film of serie die je echt verraste?",
            "Welke film zou je iemand laten zien om jou beter te leren kennen?",
        ),
    ),
    _Topic(
        "boeken",
        ("boek", "lezen", "leest$", "gelezen", "roman$", "romans$", "thriller"),
        (
            "Welk boek heb je het laatst uitgelezen, en zou je het aanraden?",
            "Welk boek heeft jou echt geraakt?",
            "Hoe kies jij je volgende boek?",
        ),
    ),
    _Topic(
        "honden",
        ("hond$", "honden$", "hondje", "puppy"),
        (
            "Wat is jouw ideale hondenras, en waarom juist die?",
            "Wat is het grappigste dat een hond ooit bij jou heeft uitgehaald?",
            "Hoe ziet een perfecte wandeling met een hond er voor jou uit?",
        ),
    ),
    _Topic(
        "fotografie",
        ("fotogra", "gefotografeerd", "camera", "foto"),
        (
            "Wat fotografeer je het liefst?",
            "Welke foto die je zelf hebt gemaakt, vind je het mooist?",
            "Waar ga je het liefst op pad met je camera?",
        ),
    ),
    _Topic(
        "wandelen",
        ("wandel", "gewandeld", "hiken", "hiking", "trektocht"),
        (
            "Wat is de mooiste wandelroute die je kent?",
            "Hoe ziet jouw ideale wandeldag eruit: bos, duinen of bergen?",
            "Welke wandeling wil je nog een keer maken?",
        ),
    ),
    _Topic(
        "gamen",
        ("gamen", "game", "gaming", "playstation", "xbox", "nintendo"),
        (
            "Welke game heeft jou het langst wakker gehouden?",
            "Wat speel je op dit moment, en wat maakt het zo leuk?",
            "Welke game zou je iemand laten spelen om jou beter te leren kennen?",
        ),
    ),
)
# Only used to recognise what a pasted message is about.
_EXTRA_TOPICS: tuple[_Topic, ...] = (
    _Topic(
        "sport",
        ("sport", "gym", "fitness", "voetbal", "tennis", "padel", "hockey", "yoga", "zwemmen", "klimmen", "boulder"),
        (
            "Hoe ben je met sporten begonnen, en wat houdt je gemotiveerd?",
            "Wat is je favoriete moment van de week om te sporten?",
        ),
    ),
    _Topic(
        "werk",
        ("werk$", "werkt$", "werken$", "baan", "kantoor", "collega", "studie", "studeer"),
        (
            "Wat vind je het leukste aan wat je doet?",
            "Hoe ben je in je werk of studie terechtgekomen?",
        ),
    ),
    _Topic(
        "weekend",
        ("weekend", "zaterdag", "zondag", "vrijdag"),
        (
            "Wat was het hoogtepunt van je weekend?",
            "Hoe ziet een ideaal weekend er voor jou uit?",
        ),
    ),
)

_GENERIC_QUESTIONS: tuple[str, ...] = (
    "Hoe ben je ooit met {interest} begonnen?",
    "Wat vind je het leukste aan {interest}?",
    "Wat zou je iemand vertellen die nog nooit iets met {interest} heeft gedaan?",
)

_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def _words(text: str) -> list[str]:
    return [word.casefold() for word in _WORD_RE.findall(text)]


def _matches(word: str, key: str) -> bool:
    return word == key[:-1] if key.endswith("$") else word.startswith(key)


def _matching_topics(text: str, topics: tuple[_Topic, ...]) -> list[_Topic]:
    words = _words(text)
    return [topic for topic in topics if any(_matches(word, key) for word in words for key in topic.keywords)]


def first_questions(*, interests: list[str]) -> list[str]:
    """Three different open Dutch questions about the match's interests (at most five used, 40 characters each)."""
    chosen = clean_terms(interests, max_chars=MAX_INTEREST_CHARS, limit=MAX_INTERESTS)
    if not chosen:
        raise ValueError("Vul minstens één interesse van je match in.")

    # One question source per interest; two interests about the same topic share one source.
    sources: list[tuple[str, ...]] = []
    seen_topics: set[str] = set()
    for interest in chosen:
        topics = _matching_topics(interest, _TOPICS)
        if topics:
            if topics[0].slug in seen_topics:
                continue
            seen_topics.add(topics[0].slug)
            sources.append(topics[0].questions)
        else:
            sources.append(tuple(template.format(interest=interest) for template in _GENERIC_QUESTIONS))

    seed = seed_for(*chosen)
    questions: list[str] = []
    round_number = 0
    # Take turns between the interests, so each one gets a question before any gets a second.
    while len(questions) < QUESTION_COUNT:
        for source in sources:
            question = pick(source, seed=seed, offset=round_number)
            if question not in questions and len(questions) < QUESTION_COUNT:
                questions.append(question)
        round_number += 1
    return questions


@dataclass(frozen=True, slots=True)
class MessageAdvice:
    word_count: int
    has_question: bool
    topics: list[str]
    follow_ups: list[str]
    tips: list[str]


_TOPIC_OPENERS: tuple[str, ...] = ("Wat leuk!", "Dat klinkt goed!", "Oh, vertel!")
_ANSWER_FIRST: tuple[str, ...] = (
    "Leuk dat je dat vraagt! Eerlijk antwoord: … En hoe zit dat bij jou?",
    "Goede vraag! Bij mij is dat … Wat zou jij zelf antwoorden?",
)
_SHORT_REPLIES: tuple[str, ...] = (
    "Haha, kort en krachtig! Wat was het hoogtepunt van je dag?",
    "Ik ben benieuwd naar meer: waar word jij deze week blij van?",
)
_GENERIC_FOLLOW_UPS: tuple[str, ...] = (
    "Dat wil ik graag meer over horen: hoe kwam je daarop?",
    "Wat vond je daar zelf het leukste aan?",
    "Haha, herkenbaar! Hoe ziet de rest van je week eruit?",
    "Interessant! Wat maakt dat voor jou zo leuk?",
)


def follow_ups(*, message: str) -> MessageAdvice:
    """Analyse a message from a match and suggest three different Dutch replies; nothing is kept."""
    text = normalize_space(message)
    if not text:
        raise ValueError("Plak eerst een bericht van je match.")
    if len(message) > MAX_MESSAGE_CHARS:
        raise ValueError(f"Dit bericht is te lang (maximaal {MAX_MESSAGE_CHARS} tekens).")

    word_count = len(_WORD_RE.findall(text))
    has_question = "?" in text
    found = _matching_topics(text, _TOPICS + _EXTRA_TOPICS)
    is_short = word_count <= SHORT_MESSAGE_WORDS
    seed = seed_for(text)

    candidates: list[str] = []
    if has_question:
        candidates.append(pick(_ANSWER_FIRST, seed=seed))
    for index, topic in enumerate(found[:2]):
        opener = pick(_TOPIC_OPENERS, seed=seed, offset=index)
        candidates.append(f"{opener} {pick(topic.questions, seed=seed, offset=index)}")
    if is_short:
        candidates.append(pick(_SHORT_REPLIES, seed=seed))
    for offset in range(len(_GENERIC_FOLLOW_UPS)):
        candidates.append(pick(_GENERIC_FOLLOW_UPS, seed=seed, offset=offset))
    suggestions = list(dict.fromkeys(candidates))[:FOLLOW_UP_COUNT]

    tips: list[str] = []
    if has_question:
        tips.append("Je match stelt je een vraag: beantwoord die eerst, en stel daarna een vraag terug.")
    else:
        tips.append(
            "Er staat geen vraag in het bericht. Reageer op wat je match vertelt en stel zelf een open vraag, "
            "zo blijft het gesprek lopen."
        )
    if is_short:
        tips.append(
            "Een kort antwoord hoeft niets te betekenen. Geef zelf iets meer terug en stel een vraag "
            "die makkelijk te beantwoorden is."
        )
    elif word_count > LONG_MESSAGE_WORDS:
        tips.append("Je match schrijft uitgebreid. Reageer op één of twee dingen die je opvallen, niet op alles.")
    if found:
        tips.append(
            f"Haak in op '{found[0].slug}': doorvragen op iets wat je match zelf noemt, voelt meteen persoonlijk."
        )
    return MessageAdvice(
        word_count=word_count,
        has_question=has_question,
        topics=[topic.slug for topic in found],
        follow_ups=suggestions,
        tips=tips,
    )


PRACTICE_PROMPTS: tuple[str, ...] = (
    "Hoi! Leuk dat we een match hebben. Hoe was je weekend?",
    "Haha, klinkt goed! Ik ben zaterdag zelf wezen boulderen. Heb jij dat ooit geprobeerd?",
    "Zin om een keer iets te gaan drinken? Ik ken een leuk café in het centrum.",
)


@dataclass(frozen=True, slots=True)
class PracticeFeedback:
    score: int
    tips: list[str]
    passed: bool


PASS_SCORE = 50
_REPLY_MIN_CHARS = 20
_REPLY_MAX_CHARS = 300


def _reply_points(reply: str) -> int:
    """0–100 for one reply: 40 for a good length, 35 for asking something back, 25 for more than a few words."""
    if not reply:
        return 0
    words = len(_WORD_RE.findall(reply))
    if _REPLY_MIN_CHARS <= len(reply) <= _REPLY_MAX_CHARS:
        length_points = 40
    else:
        length_points = 10 if len(reply) < _REPLY_MIN_CHARS else 25
    question_points = 35 if "?" in reply else 0
    word_points = 25 if words >= 4 else 10 if words >= 2 else 0
    return length_points + question_points + word_points


def _numbers(indexes: list[int]) -> str:
    labels = [str(index + 1) for index in indexes]
    if len(labels) == 1:
        return f"bericht {labels[0]}"
    return f"berichten {', '.join(labels[:-1])} en {labels[-1]}"


def practice_feedback(*, replies: list[str]) -> PracticeFeedback:
    """Score replies to PRACTICE_PROMPTS (0–100, the mean per reply); passed means none is empty and score ≥ 50."""
    if len(replies) != len(PRACTICE_PROMPTS):
        raise ValueError(f"Geef precies {len(PRACTICE_PROMPTS)} antwoorden, één op elk bericht van Sam.")
    if any(len(reply) > MAX_REPLY_CHARS for reply in replies):
        raise ValueError(f"Een antwoord mag maximaal {MAX_REPLY_CHARS} tekens zijn.")

    cleaned = [normalize_space(reply) for reply in replies]
    score = round(sum(_reply_points(reply) for reply in cleaned) / len(cleaned))
    empty = [index for index, reply in enumerate(cleaned) if not reply]
    answered = [index for index, reply in enumerate(cleaned) if reply]
    one_word = [index for index in answered if len(_WORD_RE.findall(cleaned[index])) <= 1]
    too_short = [index for index in answered if len(cleaned[index]) < _REPLY_MIN_CHARS and index not in one_word]
    too_long = [index for index in answered if len(cleaned[index]) > _REPLY_MAX_CHARS]
    no_question = [index for index in answered if "?" not in cleaned[index]]

    tips: list[str] = []
    if empty:
        tips.append(f"Je hebt nog niet gereageerd op {_numbers(empty)}. Stuur op elk bericht van Sam iets terug.")
    if one_word:
        tips.append(
            f"Vermijd antwoorden van één woord (zoals bij {_numbers(one_word)}): vertel er iets bij, "
            "zodat Sam iets heeft om op in te haken."
        )
    if too_short:
        tips.append(f"Je antwoord op {_numbers(too_short)} is erg kort; mik op minstens {_REPLY_MIN_CHARS} tekens.")
    if too_long:
        tips.append(
            f"Je antwoord op {_numbers(too_long)} is lang; onder de {_REPLY_MAX_CHARS} tekens blijft het luchtig."
        )
    if no_question:
        tips.append(
            f"Stel vaker een vraag terug (dat deed je niet bij {_numbers(no_question)}): "
            "zo laat je merken dat je nieuwsgierig bent."
        )
    if not tips:
        tips.append("Sterk gedaan! Je antwoorden zijn persoonlijk en je stelt steeds een vraag terug.")
    return PracticeFeedback(score=score, tips=tips, passed=not empty and score >= PASS_SCORE)
