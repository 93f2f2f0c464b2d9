"""The coach tools' pure logic: no database, no network, same input → same output."""

from __future__ import annotations

import io
import re
import warnings
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import ExifTags, Image, ImageDraw, ImageFilter

from coaching.coach import chat, date, foto, gesprek, profiel
from coaching.coach.common import ChecklistItem, checklist_complete, seed_for

AMS = ZoneInfo("Europe/Amsterdam")


# --- common ---------------------------------------------------------------------------------------------------------


CHECKLISTS = {
    "profiel": (profiel.PROFILE_CHECKLIST, 5, 6),
    "foto": (foto.PHOTO_IMPROVEMENT_TIPS, 4, 5),
    "veiligheid": (gesprek.SAFETY_CHECKLIST, 5, 6),
    "voor_de_date": (date.PRE_DATE_CHECKLIST, 5, 6),
}


@pytest.mark.parametrize("name", sorted(CHECKLISTS))
def test_checklists_have_ascii_keys_and_labels(name: str) -> None:
    checklist, low, high = CHECKLISTS[name]
    assert low <= len(checklist) <= high
    keys = [item.key for item in checklist]
    assert len(set(keys)) == len(keys)
    for item in checklist:
        assert isinstance(item, ChecklistItem)
        assert re.fullmatch(r"[a-z][a-z0-9_]*", item.key)
        assert item.label.strip()


@pytest.mark.parametrize("name", sorted(CHECKLISTS))
def test_checklist_complete_needs_every_key(name: str) -> None:
    checklist = CHECKLISTS[name][0]
    keys = [item.key for item in checklist]
    assert checklist_complete(checklist=checklist, ticked=keys)
    assert checklist_complete(checklist=checklist, ticked={*keys, "onbekend"})
    assert not checklist_complete(checklist=checklist, ticked=keys[1:])
    assert not checklist_complete(checklist=checklist, ticked=[*keys[:-1], "onbekend"])
    assert not checklist_complete(checklist=checklist, ticked=set())


def test_profiel_reexports_checklist_helpers() -> None:
    assert profiel.checklist_complete is checklist_complete
    assert profiel.ChecklistItem is ChecklistItem


def test_seed_for_is_stable_and_ignores_case_and_spacing() -> None:
    assert seed_for("Koken", " wandelen ") == seed_for("koken", "wandelen")
    assert seed_for("ab", "c") != seed_for("a", "bc")
    # Pinned: sha256-based, so it must not change between processes (unlike hash()).
    assert seed_for("koken") == 0x1CF4BF2BE94A98E1


# --- profiel --------------------------------------------------------------------------------------------------------


def test_tones_are_exactly_the_three_slugs() -> None:
    assert set(profiel.TONES) == {"speels", "oprecht", "avontuurlijk"}
    assert all(label.strip() for label in profiel.TONES.values())


@pytest.mark.parametrize("tone", ["speels", "oprecht", "avontuurlijk"])
def test_bio_generate_uses_name_age_and_first_three_interests(tone: str) -> None:
    bio = profiel.bio_generate(
        name=" Anna ", age=31, interests=["koken", "", "boulderen", "fotografie", "schaken"], tone=tone
    )
    assert "Anna" in bio
    assert "31" in bio
    assert "koken, boulderen en fotografie" in bio
    assert "schaken" not in bio
    assert bio.endswith("?")
    assert len(bio) <= 500
    sentences = re.findall(r"[^.!?]+[.!?]", bio)
    assert 2 <= len(sentences) <= 4


@pytest.mark.parametrize("tone", ["speels", "oprecht", "avontuurlijk"])
def test_bio_generate_is_deterministic_and_cliche_free(tone: str) -> None:
    first = profiel.bio_generate(name="Bram", age=42, interests=["wandelen", "jazz"], tone=tone)
    second = profiel.bio_generate(name="Bram", age=42, interests=["wandelen", "jazz"], tone=tone)
    assert first == second
    analysis = profiel.bio_analyze(text=first)
    assert analysis.cliches == []
    assert analysis.has_question


def test_bio_generate_varies_with_input() -> None:
    names = ["Anna", "Bram", "Lotte", "Sem", "Noor", "Daan", "Eva", "Finn"]
    # With the name taken out, different inputs should still give different bios.
    shapes = {
        profiel.bio_generate(name=name, age=30, interests=["koken"], tone="speels").replace(name, "X") for name in names
    }
    assert len(shapes) > 2


def test_bio_generate_one_interest_has_no_list_joining() -> None:
    bio = profiel.bio_generate(name="Eva", age=18, interests=["zeilen"], tone="oprecht")
    assert "zeilen" in bio
    assert " en zeilen" not in bio


@pytest.mark.parametrize("tone", ["speels", "oprecht", "avontuurlijk"])
def test_bio_generate_stays_under_500_chars_with_longest_input(tone: str) -> None:
    for index in range(12):
        name = f"{'Maximiliaan-Alexander' * 2}"[:38] + f"{index:02d}"
        interests = [f"{letter * 60}" for letter in "abcd"]
        bio = profiel.bio_generate(name=name, age=99, interests=interests, tone=tone)
        assert len(name) == 40
        assert len(bio) <= 500
        assert "a" * 40 in bio and "a" * 41 not in bio
        assert bio.endswith("?")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tone": "saai"}, "toon"),
        ({"age": 17}, "leeftijd"),
        ({"age": 100}, "leeftijd"),
        ({"age": True}, "leeftijd"),
        ({"name": ""}, "naam"),
        ({"name": "   "}, "naam"),
        ({"name": "x" * 41}, "naam"),
        ({"interests": []}, "interesse"),
        ({"interests": ["", "  ", "..."]}, "interesse"),
    ],
)
def test_bio_generate_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"name": "Anna", "age": 30, "interests": ["koken"], "tone": "speels", **kwargs}
    with pytest.raises(ValueError, match=message):
        profiel.bio_generate(**arguments)  # type: ignore[arg-type]


def test_bio_generate_accepts_age_bounds() -> None:
    assert "18" in profiel.bio_generate(name="Anna", age=18, interests=["koken"], tone="speels")
    assert "99" in profiel.bio_generate(name="Anna", age=99, interests=["koken"], tone="speels")


GOOD_BIO = (
    "Ik ben Anna, 34 jaar en ik werk als verpleegkundige in het Wilhelmina Kinderziekenhuis. "
    "Op zondag sta ik om 8 uur in de boulderhal en 's avonds bak ik zuurdesembrood dat nog niet altijd lukt. "
    "Wat is het laatste dat jij voor het eerst hebt geprobeerd?"
)


def test_bio_analyze_perfect_bio_scores_100_without_tips() -> None:
    analysis = profiel.bio_analyze(text=GOOD_BIO)
    assert 150 <= analysis.length <= 500
    assert analysis.length == len(GOOD_BIO)
    assert analysis.cliches == []
    assert analysis.has_question
    assert analysis.specific_details >= 4
    assert analysis.score == 100
    assert analysis.tips == []


def test_bio_analyze_cliche_bio_scores_low_with_tips() -> None:
    text = "Ik ben spontaan, hou van lachen en reizen. Zoek mijn partner in crime! Work hard, play hard."
    analysis = profiel.bio_analyze(text=text)
    assert analysis.cliches == ["houd van lachen", "partner in crime", "work hard play hard", "spontaan", "reizen"]
    assert analysis.word_count == 17
    assert not analysis.has_question
    # 40 start + 0 length (< 100) + 0 question + 0 details - 40 (clichés, capped)
    assert analysis.score == 0
    assert any("'spontaan'" in tip for tip in analysis.tips)
    assert any("vraag" in tip for tip in analysis.tips)
    assert any("kort" in tip for tip in analysis.tips)


def test_bio_analyze_counts_numbers_names_and_hobbies() -> None:
    analysis = profiel.bio_analyze(text="Ik woon in Utrecht en ga 3 keer per week hardlopen met mijn hond.")
    # "Utrecht", "3", "hardlopen", "hond"
    assert analysis.specific_details == 4
    assert analysis.word_count == 14


def test_bio_analyze_sentence_start_is_not_a_name() -> None:
    analysis = profiel.bio_analyze(text="Vandaag ben ik moe. Morgen misschien niet.")
    assert analysis.specific_details == 0


def test_bio_analyze_question_in_the_middle_scores_less_than_at_the_end() -> None:
    middle = profiel.bio_analyze(text="Wat is jouw favoriete boek? Ik lees veel thrillers en drink graag koffie.")
    end = profiel.bio_analyze(text="Ik lees veel thrillers en drink graag koffie. Wat is jouw favoriete boek?")
    assert middle.has_question and end.has_question
    assert end.score - middle.score == 7
    assert any("eind" in tip for tip in middle.tips)
    assert not any("eind" in tip for tip in end.tips)


def test_bio_analyze_long_bio_gets_length_tip() -> None:
    text = ("Ik woon in Leiden en fiets elke dag 12 kilometer naar mijn werk. " * 12).strip() + " Wat doe jij?"
    analysis = profiel.bio_analyze(text=text)
    assert analysis.length > 500
    assert analysis.score < 100
    assert any("lange kant" in tip for tip in analysis.tips)


def test_bio_analyze_always_tips_below_100() -> None:
    samples = [
        "Hoi",
        "Ik ben gezellig en nuchter.",
        GOOD_BIO.replace("?", "."),
        "x" * 2000,
        "Wat zoek jij? " * 30,
    ]
    for text in samples:
        analysis = profiel.bio_analyze(text=text)
        assert 0 <= analysis.score <= 100
        if analysis.score < 100:
            assert analysis.tips


def test_bio_analyze_is_deterministic() -> None:
    assert profiel.bio_analyze(text=GOOD_BIO) == profiel.bio_analyze(text=GOOD_BIO)


@pytest.mark.parametrize("text", ["", "   \n\t ", "x" * 2001])
def test_bio_analyze_rejects_empty_or_too_long(text: str) -> None:
    with pytest.raises(ValueError, match="bio"):
        profiel.bio_analyze(text=text)


def test_bio_analyze_accepts_exactly_2000_chars() -> None:
    assert profiel.bio_analyze(text="a" * 2000).length == 2000


# --- foto -----------------------------------------------------------------------------------------------------------


def _pattern(
    size: tuple[int, int], *, light: tuple[int, int, int] = (230, 230, 230), dark: tuple[int, int, int] = (30, 60, 90)
) -> Image.Image:
    image = Image.new("RGB", size, light)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 20):
        for y in range(0, size[1], 20):
            if (x // 20 + y // 20) % 2:
                draw.rectangle((x, y, x + 19, y + 19), fill=dark)
    return image


def _encode(image: Image.Image, image_format: str = "JPEG", **params: object) -> bytes:
    output = io.BytesIO()
    image.save(output, format=image_format, **params)
    return output.getvalue()


def _exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 22.0, 10.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 53.0, 20.0)
    return exif


def test_foto_limits() -> None:
    assert foto.MAX_UPLOAD_BYTES == 5 * 1024 * 1024
    assert foto.MAX_PIXELS == 40_000_000
    assert foto.MIN_SIDE == 200
    assert foto.MAX_OUTPUT_SIDE == 1600
    assert {"JPEG", "PNG", "WEBP"} == foto.ALLOWED_FORMATS
    assert issubclass(foto.PhotoRejected, ValueError)


def test_photo_process_strips_exif_gps_icc_and_comment() -> None:
    data = _encode(_pattern((400, 300)), exif=_exif_with_gps(), icc_profile=b"fake-icc-profile", comment=b"geheim")
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test input really carries GPS
    assert "icc_profile" in source.info and "comment" in source.info

    processed = foto.photo_process(data=data)
    output = Image.open(io.BytesIO(processed.content))
    assert output.format == "JPEG"
    assert output.mode == "RGB"
    assert (processed.width, processed.height) == output.size == (400, 300)
    assert len(output.getexif()) == 0
    assert not output.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    for key in ("exif", "icc_profile", "comment", "xmp"):
        assert key not in output.info
    assert b"TestCam" not in processed.content
    assert b"geheim" not in processed.content


def test_photo_process_applies_exif_orientation() -> None:
    image = Image.new("RGB", (400, 300), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 200, 300))  # left half blue
    processed = foto.photo_process(data=_encode(image, exif=_exif_with_gps(orientation=6)))
    assert (processed.width, processed.height) == (300, 400)
    output = Image.open(io.BytesIO(processed.content)).convert("RGB")
    # Orientation 6 means "rotate 90° clockwise to view": the blue left half ends up on top.
    top = output.getpixel((150, 50))
    bottom = output.getpixel((150, 350))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[2] > 200 and top[0] < 60
    assert bottom[0] > 200 and bottom[2] < 60


def test_photo_process_downscales_longest_side() -> None:
    processed = foto.photo_process(data=_encode(_pattern((2400, 1800)), quality=60))
    assert (processed.width, processed.height) == (1600, 1200)
    assert Image.open(io.BytesIO(processed.content)).size == (1600, 1200)


def test_photo_process_accepts_png_with_transparency_on_white() -> None:
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, 150, 300))
    processed = foto.photo_process(data=_encode(image, "PNG"))
    output = Image.open(io.BytesIO(processed.content)).convert("RGB")
    assert output.getpixel((250, 150)) == pytest.approx((255, 255, 255), abs=3)
    red = output.getpixel((50, 150))
    assert isinstance(red, tuple) and red[0] > 240 and red[1] < 20


def test_photo_process_accepts_webp_and_16_bit_png() -> None:
    webp = foto.photo_process(data=_encode(_pattern((300, 400)), "WEBP"))
    assert (webp.width, webp.height) == (300, 400)
    grey16 = Image.new("I;16", (300, 300), 32768)
    output = Image.open(io.BytesIO(foto.photo_process(data=_encode(grey16, "PNG")).content)).convert("L")
    # Scaled to 8 bits, not clipped to white.
    assert output.getpixel((10, 10)) == pytest.approx(128, abs=3)


def test_photo_process_keeps_first_frame_of_animation() -> None:
    frames = [Image.new("RGB", (300, 300), (255, 0, 0)), Image.new("RGB", (300, 300), (0, 0, 255))]
    data = _encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(data)).n_frames == 2
    output = Image.open(io.BytesIO(foto.photo_process(data=data).content)).convert("RGB")
    pixel = output.getpixel((150, 150))
    assert isinstance(pixel, tuple) and pixel[0] > 240 and pixel[2] < 20


def test_photo_process_accepts_phone_mpo_jpeg() -> None:
    first, second = _pattern((400, 300)), _pattern((400, 300), light=(0, 0, 0))
    data = _encode(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    assert foto.photo_process(data=data).width == 400


def test_photo_process_is_deterministic() -> None:
    data = _encode(_pattern((500, 600)))
    assert foto.photo_process(data=data) == foto.photo_process(data=data)


def _bomb_png() -> bytes:
    # 8000 x 6000 = 48 megapixel, but one bit per pixel of zeros compresses to a few kilobytes.
    return _encode(Image.new("1", (8000, 6000)), "PNG")


def _truncated_jpeg() -> bytes:
    data = _encode(_pattern((600, 600)))
    return data[: len(data) // 2]


def _corrupt_png() -> bytes:
    data = bytearray(_encode(_pattern((300, 300)), "PNG"))
    data[len(data) // 2] ^= 0xFF
    return bytes(data)


@pytest.mark.parametrize(
    ("make_data", "message"),
    [
        (lambda: b"", "leeg"),
        (lambda: b"\xff\xd8\xff" + b"\0" * foto.MAX_UPLOAD_BYTES, "5 MB"),
        (lambda: b"Dit is gewoon tekst, geen foto.", "geen geldige"),
        (lambda: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF", "geen geldige"),
        (
            lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="500" height="500"><rect width="500"/></svg>',
            "geen geldige",
        ),
        (lambda: _encode(_pattern((300, 300)), "GIF"), "geen geldige"),
        (lambda: _encode(_pattern((300, 300)), "BMP"), "geen geldige"),
        (_truncated_jpeg, "geen geldige"),
        (_corrupt_png, "geen geldige"),
        (lambda: _encode(_pattern((150, 400))), "te klein"),
        (lambda: _encode(_pattern((400, 199)), "PNG"), "te klein"),
        (_bomb_png, "megapixel"),
    ],
    ids=["leeg", "te-groot", "tekst", "pdf", "svg", "gif", "bmp", "afgekapt", "corrupt", "klein", "klein-png", "bom"],
)
def test_photo_process_rejects(make_data: object, message: str) -> None:
    data = make_data()  # type: ignore[operator]
    with pytest.raises(foto.PhotoRejected, match=message):
        foto.photo_process(data=data)


def test_photo_process_bomb_is_rejected_from_header_and_small_payload() -> None:
    data = _bomb_png()
    assert len(data) < 100_000
    assert Image.open(io.BytesIO(data)).size == (8000, 6000)


@pytest.mark.parametrize("size", [(300, 300), (400, 400)], ids=["waarschuwing", "fout"])
def test_photo_process_turns_pillow_bomb_guard_into_rejection(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    # 90k pixels only triggers Pillow's warning, 160k its error (more than twice the limit).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50_000)
    filters_before = list(warnings.filters)
    with pytest.raises(foto.PhotoRejected, match="te groot"):
        foto.photo_process(data=_encode(_pattern(size), "PNG"))
    assert warnings.filters == filters_before


def test_photo_process_leaves_pillow_global_limit_alone() -> None:
    before = Image.MAX_IMAGE_PIXELS
    foto.photo_process(data=_encode(_pattern((300, 300))))
    with pytest.raises(foto.PhotoRejected):
        foto.photo_process(data=_bomb_png())
    assert before == Image.MAX_IMAGE_PIXELS


@pytest.mark.parametrize(
    ("size", "ratio", "orientation"),
    [
        ((800, 1000), "4:5", "staand"),
        ((1000, 1000), "1:1", "vierkant"),
        ((1600, 900), "16:9", "liggend"),
        ((900, 600), "3:2", "liggend"),
        ((900, 1600), "9:16", "staand"),
        ((1020, 1000), "1:1", "vierkant"),
    ],
)
def test_photo_analyze_shape(size: tuple[int, int], ratio: str, orientation: str) -> None:
    analysis = foto.photo_analyze(content=foto.photo_process(data=_encode(_pattern(size))).content)
    assert (analysis.width, analysis.height) == size
    assert analysis.aspect_ratio == ratio
    assert analysis.orientation == orientation
    assert analysis.resolution_ok
    assert analysis.tips
    assert any("Staande" in tip for tip in analysis.tips) == (orientation == "liggend")


def test_photo_analyze_good_photo_gets_only_praise() -> None:
    analysis = foto.photo_analyze(content=foto.photo_process(data=_encode(_pattern((800, 1000)))).content)
    assert 70 <= analysis.brightness <= 200
    assert analysis.sharpness > foto.BLURRY_BELOW
    assert analysis.tips == [
        "Technisch ziet je foto er goed uit! Let nu nog op een echte glimlach en natuurlijk licht."
    ]


def test_photo_analyze_dark_photo_gets_brightness_tip() -> None:
    dark = _pattern((800, 1000), light=(40, 40, 40), dark=(5, 5, 5))
    analysis = foto.photo_analyze(content=foto.photo_process(data=_encode(dark)).content)
    assert analysis.brightness < 30
    assert any("donker" in tip for tip in analysis.tips)


def test_photo_analyze_bright_photo_gets_brightness_tip() -> None:
    bright = _pattern((800, 1000), light=(255, 255, 255), dark=(220, 220, 220))
    analysis = foto.photo_analyze(content=foto.photo_process(data=_encode(bright)).content)
    assert analysis.brightness > 200
    assert any("erg licht" in tip for tip in analysis.tips)


def test_photo_analyze_blur_lowers_sharpness() -> None:
    sharp_image = _pattern((800, 1000))
    sharp = foto.photo_analyze(content=foto.photo_process(data=_encode(sharp_image)).content)
    blurred = foto.photo_analyze(
        content=foto.photo_process(data=_encode(sharp_image.filter(ImageFilter.GaussianBlur(6)))).content
    )
    assert blurred.sharpness < sharp.sharpness / 10
    assert blurred.sharpness < foto.BLURRY_BELOW
    assert any("onscherp" in tip for tip in blurred.tips)
    assert not any("onscherp" in tip for tip in sharp.tips)


def test_photo_analyze_low_resolution() -> None:
    analysis = foto.photo_analyze(content=foto.photo_process(data=_encode(_pattern((300, 400)))).content)
    assert not analysis.resolution_ok
    assert any("resolutie" in tip for tip in analysis.tips)


def test_photo_analyze_is_deterministic_and_rejects_garbage() -> None:
    content = foto.photo_process(data=_encode(_pattern((600, 800)))).content
    assert foto.photo_analyze(content=content) == foto.photo_analyze(content=content)
    with pytest.raises(foto.PhotoRejected):
        foto.photo_analyze(content=b"geen foto")


# --- chat -----------------------------------------------------------------------------------------------------------

_OPEN_START = re.compile(r"^(Wat|Welk|Welke|Hoe|Waar|Waarom|Wie|Als)\b")


def _assert_open_questions(questions: list[str]) -> None:
    assert len(questions) == 3
    assert len(set(questions)) == 3
    for question in questions:
        assert question.endswith("?")
        assert _OPEN_START.match(question), question


@pytest.mark.parametrize(
    ("interest", "pattern"),
    [("honden", "hond"), ("Gamen", "game|speel"), ("boeken lezen", "boek"), ("Koken", "kook|recept|eten")],
)
def test_first_questions_known_interest_is_specific(interest: str, pattern: str) -> None:
    questions = chat.first_questions(interests=[interest])
    _assert_open_questions(questions)
    assert all(re.search(pattern, question.lower()) for question in questions)
    generic = {question.replace("xyzzy", interest) for question in chat.first_questions(interests=["xyzzy"])}
    assert not generic & set(questions)


def test_first_questions_unknown_interest_uses_the_word() -> None:
    questions = chat.first_questions(interests=["  schaken "])
    _assert_open_questions(questions)
    assert all("schaken" in question for question in questions)


def test_first_questions_mixes_interests_and_caps_them() -> None:
    long_interest = "z" * 60
    questions = chat.first_questions(interests=["", "schaken", long_interest, "koken", "x1", "x2", "x3"])
    _assert_open_questions(questions)
    assert "schaken" in questions[0]
    assert "z" * 40 in questions[1] and "z" * 41 not in questions[1]
    assert any(word in questions[2] for word in ("kookt", "recept", "gegeten"))
    assert not any("x1" in question or "x3" in question for question in questions)


def test_first_questions_same_topic_counts_once() -> None:
    questions = chat.first_questions(interests=["koken", "Italiaans koken", "schaken"])
    assert sum("schaken" in question for question in questions) >= 1


def test_first_questions_is_deterministic() -> None:
    interests = ["reizen", "muziek", "tuinieren"]
    assert chat.first_questions(interests=interests) == chat.first_questions(interests=interests)


@pytest.mark.parametrize("interests", [[], ["", "   "]])
def test_first_questions_needs_an_interest(interests: list[str]) -> None:
    with pytest.raises(ValueError, match="interesse"):
        chat.first_questions(interests=interests)


def test_follow_ups_question_and_topics() -> None:
    advice = chat.follow_ups(message="Haha ja, ik heb net een film gezien met vrienden. Wat doe jij dit weekend?")
    assert advice.word_count == 15
    assert advice.has_question
    assert advice.topics == ["films", "weekend"]
    assert len(advice.follow_ups) == 3
    assert len(set(advice.follow_ups)) == 3
    assert "vraag" in advice.follow_ups[0]
    assert any("film" in reply for reply in advice.follow_ups)
    assert any("beantwoord" in tip for tip in advice.tips)
    assert any("'films'" in tip for tip in advice.tips)


def test_follow_ups_short_answer() -> None:
    advice = chat.follow_ups(message="  Leuk  ")
    assert advice.word_count == 1
    assert not advice.has_question
    assert advice.topics == []
    assert len(set(advice.follow_ups)) == 3
    assert any("kort" in tip.lower() for tip in advice.tips)
    assert any("geen vraag" in tip for tip in advice.tips)


def test_follow_ups_long_message_and_false_friends() -> None:
    message = " ".join(["Ik zoek iets serieus en ik ben honderd procent eerlijk over wie ik ben."] * 6)
    advice = chat.follow_ups(message=message)
    assert advice.word_count > 60
    assert advice.topics == []  # "serieus" is no series, "honderd" no dog
    assert any("uitgebreid" in tip for tip in advice.tips)


def test_follow_ups_is_deterministic() -> None:
    message = "Ik heb vandaag 10 kilometer hardgelopen en daarna pasta gekookt."
    first = chat.follow_ups(message=message)
    assert first == chat.follow_ups(message=message)
    assert first.topics == ["koken", "hardlopen"]


@pytest.mark.parametrize("message", ["", "  \n ", "a" * 1001])
def test_follow_ups_rejects_empty_or_too_long(message: str) -> None:
    with pytest.raises(ValueError, match="bericht"):
        chat.follow_ups(message=message)


def test_follow_ups_accepts_exactly_1000_chars() -> None:
    assert chat.follow_ups(message="a" * 1000).word_count == 1


GOOD_REPLIES = [
    "Was heerlijk, ik ben naar het strand geweest! En jij, nog iets leuks gedaan?",
    "Nee, nog nooit! Is het moeilijk voor beginners?",
    "Lijkt me leuk! Past zaterdagmiddag jou?",
]


def test_practice_prompts_are_three_messages_from_sam() -> None:
    assert len(chat.PRACTICE_PROMPTS) == 3
    assert all(prompt.strip() for prompt in chat.PRACTICE_PROMPTS)


def test_practice_feedback_good_replies_pass() -> None:
    feedback = chat.practice_feedback(replies=GOOD_REPLIES)
    assert feedback.score == 100
    assert feedback.passed
    assert feedback.tips and "Sterk" in feedback.tips[0]
    assert feedback == chat.practice_feedback(replies=GOOD_REPLIES)


def test_practice_feedback_one_word_replies_fail() -> None:
    feedback = chat.practice_feedback(replies=["Goed", "Nee", "Ok"])
    # per reply: 10 (short) + 0 (question) + 0 (one word)
    assert feedback.score == 10
    assert not feedback.passed
    assert any("één woord" in tip and "berichten 1, 2 en 3" in tip for tip in feedback.tips)


def test_practice_feedback_no_questions_still_passes() -> None:
    replies = ["Het was een rustig weekend met veel koffie.", "Nog nooit gedaan, lijkt me wel gaaf.", "Ja, goed plan."]
    feedback = chat.practice_feedback(replies=replies)
    # 65 + 65 + (10 + 0 + 10)
    assert feedback.score == round((65 + 65 + 20) / 3)
    assert feedback.passed
    assert any("vraag terug" in tip and "berichten 1, 2 en 3" in tip for tip in feedback.tips)
    assert any("kort" in tip and "bericht 3" in tip for tip in feedback.tips)


def test_practice_feedback_empty_reply_never_passes() -> None:
    feedback = chat.practice_feedback(replies=[GOOD_REPLIES[0], "   ", GOOD_REPLIES[2]])
    assert feedback.score == 67
    assert not feedback.passed
    assert any("bericht 2" in tip for tip in feedback.tips)


def test_practice_feedback_long_reply_tip() -> None:
    feedback = chat.practice_feedback(replies=[GOOD_REPLIES[0], GOOD_REPLIES[1], "Lang verhaal? " + "x" * 320])
    assert any("lang" in tip and "bericht 3" in tip for tip in feedback.tips)
    assert feedback.score < 100


@pytest.mark.parametrize("replies", [GOOD_REPLIES[:2], [*GOOD_REPLIES, "extra"], [], ["a" * 501, "b", "c"]])
def test_practice_feedback_rejects_wrong_count_or_length(replies: list[str]) -> None:
    with pytest.raises(ValueError, match="antwoord"):
        chat.practice_feedback(replies=replies)


# --- gesprek --------------------------------------------------------------------------------------------------------


def test_opener_styles() -> None:
    assert set(gesprek.OPENER_STYLES) == {"grappig", "nieuwsgierig", "compliment"}


@pytest.mark.parametrize("style", ["grappig", "nieuwsgierig", "compliment"])
def test_opener_generate_mentions_interest_and_cycles(style: str) -> None:
    openers = [gesprek.opener_generate(interest=" fotografie ", style=style, variant=variant) for variant in range(4)]
    assert all("fotografie" in opener for opener in openers)
    assert len(set(openers)) == 4
    cycle = {gesprek.opener_generate(interest="fotografie", style=style, variant=variant) for variant in range(20)}
    assert 4 <= len(cycle) <= 5
    assert gesprek.opener_generate(interest="fotografie", style=style) == openers[0]


def test_opener_generate_is_deterministic_and_cycle_wraps() -> None:
    first = gesprek.opener_generate(interest="salsa", style="grappig", variant=2)
    assert first == gesprek.opener_generate(interest="salsa", style="grappig", variant=2)
    assert first == gesprek.opener_generate(interest="salsa", style="grappig", variant=7)


def test_opener_generate_accepts_60_chars() -> None:
    assert "y" * 60 in gesprek.opener_generate(interest="y" * 60, style="nieuwsgierig")


@pytest.mark.parametrize(
    ("interest", "style", "message"),
    [
        ("koken", "sarcastisch", "stijl"),
        ("", "grappig", "interesse"),
        ("  ", "grappig", "interesse"),
        ("y" * 61, "grappig", "60"),
    ],
)
def test_opener_generate_rejects(interest: str, style: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gesprek.opener_generate(interest=interest, style=style)


def test_platforms() -> None:
    slugs = [platform.slug for platform in gesprek.PLATFORMS]
    assert slugs == ["tinder", "bumble", "hinge", "happn", "lexa", "inner-circle"]
    for platform in gesprek.PLATFORMS:
        assert platform.label.strip()
        assert 3 <= len(platform.advice) <= 4
        assert all(line.strip() for line in platform.advice)
    assert gesprek.platform_get(slug="inner-circle").label == "Inner Circle"
    assert gesprek.platform_get(slug="bumble") is gesprek.PLATFORMS[1]


@pytest.mark.parametrize("slug", ["", "grindr", "Tinder"])
def test_platform_get_rejects_unknown(slug: str) -> None:
    with pytest.raises(ValueError, match="platform"):
        gesprek.platform_get(slug=slug)


# --- date -----------------------------------------------------------------------------------------------------------


def test_budgets_and_settings() -> None:
    assert list(date.BUDGETS) == ["gratis", "laag", "midden", "hoog"]
    assert list(date.VENUES) == ["binnen", "buiten"]


def test_date_idea_every_combination_cycles_and_table_is_big_enough() -> None:
    titles: set[str] = set()
    for budget in date.BUDGETS:
        for setting in date.VENUES:
            ideas = [date.date_idea(budget=budget, setting=setting, variant=variant) for variant in range(8)]
            assert all(idea.budget == budget and idea.setting == setting for idea in ideas)
            distinct = {idea.title for idea in ideas}
            assert len(distinct) >= 2
            assert ideas[len(distinct)] == ideas[0]  # variant wraps around
            assert all(idea.description.strip() for idea in ideas)
            titles |= distinct
    assert len(titles) >= 16


@pytest.mark.parametrize(
    ("budget", "setting", "interest", "title"),
    [
        ("laag", "binnen", "films kijken", "Film in het filmhuis"),
        ("midden", "binnen", "Klimmen", "Boulderen"),
        ("gratis", "binnen", "lezen", "Boeken kiezen in de bibliotheek"),
        ("gratis", "buiten", "fotografie", "Fotowandeling door een onbekende wijk"),
    ],
)
def test_date_idea_prefers_interest(budget: str, setting: str, interest: str, title: str) -> None:
    assert date.date_idea(budget=budget, setting=setting, interest=interest).title == title
    assert date.date_idea(budget=budget, setting=setting, interest=interest, variant=1).title != title


def test_date_idea_is_deterministic() -> None:
    assert date.date_idea(budget="hoog", setting="buiten", interest="zeilen", variant=3) == date.date_idea(
        budget="hoog", setting="buiten", interest="zeilen", variant=3
    )


@pytest.mark.parametrize(("budget", "setting", "message"), [("duur", "binnen", "budget"), ("laag", "thuis", "binnen")])
def test_date_idea_rejects_unknown(budget: str, setting: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        date.date_idea(budget=budget, setting=setting)


NOW = datetime(2026, 11, 1, 12, 0, tzinfo=AMS)


def test_date_plan_summary_in_dutch() -> None:
    plan = date.date_plan(when=datetime(2026, 12, 5, 19, 30, tzinfo=AMS), place="  Café   de Zwaan ", now=NOW)
    assert plan.summary == "zaterdag 5 december om 19:30 bij Café de Zwaan"
    assert plan.place == "Café de Zwaan"
    assert plan.when == datetime(2026, 12, 5, 19, 30, tzinfo=AMS)
    assert any("weekend" in tip for tip in plan.tips)
    assert any("ver weg" in tip for tip in plan.tips)
    assert any("openbare plek" in tip for tip in plan.tips)
    assert not any("overdag" in tip for tip in plan.tips)


def test_date_plan_late_weekday_next_year() -> None:
    now = datetime(2026, 12, 31, 12, 0, tzinfo=AMS)
    plan = date.date_plan(when=datetime(2027, 1, 5, 22, 15, tzinfo=AMS), place="Bioscoop", now=now)
    assert plan.summary == "dinsdag 5 januari 2027 om 22:15 bij Bioscoop"
    assert any("overdag" in tip for tip in plan.tips)
    assert any("doordeweekse" in tip for tip in plan.tips)


def test_date_plan_early_morning_and_soon() -> None:
    plan = date.date_plan(when=datetime(2026, 11, 2, 8, 5, tzinfo=AMS), place="Bakkerij", now=NOW)
    assert plan.summary == "maandag 2 november om 8:05 bij Bakkerij"
    assert any("overdag" in tip for tip in plan.tips)
    assert any("binnen een dag" in tip for tip in plan.tips)


def test_date_plan_uses_the_dates_own_time_zone() -> None:
    when = datetime(2026, 6, 13, 17, 0, tzinfo=UTC)  # 19:00 in Amsterdam
    plan = date.date_plan(when=when, place="Park", now=datetime(2026, 6, 1, tzinfo=UTC))
    assert plan.summary == "zaterdag 13 juni om 17:00 bij Park"
    assert date.date_plan(when=when.astimezone(AMS), place="Park", now=NOW.replace(month=6)).summary.startswith(
        "zaterdag 13 juni om 19:00"
    )


def test_date_plan_bounds_are_inclusive_and_deterministic() -> None:
    assert date.date_plan(when=NOW, place="Hier", now=NOW).when == NOW
    year_ahead = NOW + timedelta(days=365)
    assert date.date_plan(when=year_ahead, place="Hier", now=NOW) == date.date_plan(
        when=year_ahead, place="Hier", now=NOW
    )


@pytest.mark.parametrize(
    ("when", "now", "place", "message"),
    [
        (datetime(2026, 12, 5, 19, 30), NOW, "Café", "tijdzone"),
        (datetime(2026, 12, 5, 19, 30, tzinfo=AMS), datetime(2026, 11, 1), "Café", "tijdzone"),
        (NOW - timedelta(minutes=1), NOW, "Café", "verleden"),
        (NOW + timedelta(days=365, seconds=1), NOW, "Café", "jaar"),
        (NOW + timedelta(days=3), NOW, "   ", "plek"),
        (NOW + timedelta(days=3), NOW, "x" * 121, "120"),
    ],
    ids=["naief", "naief-nu", "verleden", "te-ver", "geen-plek", "lange-plek"],
)
def test_date_plan_rejects(when: datetime, now: datetime, place: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        date.date_plan(when=when, place=place, now=now)
