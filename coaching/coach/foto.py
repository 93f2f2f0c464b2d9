"""Foto Advies: make an uploaded photo safe to store and give technical feedback on it.

Only the first frame of an animated PNG or WebP is kept; a photo is a still image.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageOps, ImageStat

from coaching.coach.common import ChecklistItem

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_SIDE = 200
MAX_OUTPUT_SIDE = 1600
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
JPEG_QUALITY = 85
# Below this on the shortest side a photo still passes, but looks soft on a phone screen.
RECOMMENDED_MIN_SIDE = 600
DARK_BELOW = 70
BRIGHT_ABOVE = 200
LOW_CONTRAST_BELOW = 30.0
BLURRY_BELOW = 60.0

# Phones often write JPEGs with an extra preview image; Pillow then reports them as MPO.
_FORMAT_ALIASES = {"MPO": "JPEG"}
_ALLOWED_TEXT = "Gebruik een JPG-, PNG- of WebP-foto."


class PhotoRejected(ValueError):
    """The upload can't be used as a photo; ``str(error)`` is a Dutch message for the user."""


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    content: bytes
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class PhotoAnalysis:
    width: int
    height: int
    aspect_ratio: str
    orientation: str
    brightness: int
    sharpness: float
    resolution_ok: bool
    tips: list[str]


def _check_header(image: Image.Image) -> None:
    """Reject on what the header says, before any pixel data is decoded."""
    image_format = _FORMAT_ALIASES.get(image.format or "", image.format)
    if image_format not in ALLOWED_FORMATS:
        raise PhotoRejected(f"Dit bestandstype wordt niet ondersteund. {_ALLOWED_TEXT}")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise PhotoRejected(f"Deze foto heeft te veel pixels (maximaal {MAX_PIXELS // 1_000_000} megapixel).")
    if min(width, height) < MIN_SIDE:
        raise PhotoRejected(f"Deze foto is te klein: beide zijden moeten minstens {MIN_SIDE} pixels zijn.")


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        # 16-bit greyscale would clip to white when converted straight to 8 bits.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        # Transparent areas become white instead of whatever colour hides underneath them.
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _decode(data: bytes) -> Image.Image:
    """The first frame of ``data`` as an upright RGB image whose longest side is at most MAX_OUTPUT_SIDE."""
    if not data:
        raise PhotoRejected(f"Het bestand is leeg. {_ALLOWED_TEXT}")
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoRejected(f"Deze foto is groter dan {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Kies een kleinere foto.")
    formats = sorted(ALLOWED_FORMATS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as probe:
                _check_header(probe)
                probe.verify()
            # verify() leaves the image unusable, so decode from a fresh handle.
            with Image.open(io.BytesIO(data), formats=formats) as image:
                _check_header(image)
                # Lets the JPEG decoder scale down by 2, 4 or 8 while decoding, which saves memory on big photos.
                image.draft("RGB", (MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE))
                image.load()
                upright = ImageOps.exif_transpose(image)
                rgb = _to_rgb(upright)
                rgb.thumbnail((MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE), Image.Resampling.LANCZOS)
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoRejected(f"Deze foto is te groot om te verwerken. {_ALLOWED_TEXT}") from error
    except Exception as error:
        # Decoders facing hostile or broken files raise a grab-bag of types (OSError, SyntaxError,
        # struct.error, EOFError, ...); for the user they all mean the same thing.
        raise PhotoRejected(f"Dit bestand is geen geldige of volledige foto. {_ALLOWED_TEXT}") from error
    # A fresh image carries no info dict, so no EXIF, GPS, ICC profile, XMP or comment can leak into the output.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    return clean


def photo_process(*, data: bytes) -> ProcessedPhoto:
    """``data`` re-encoded as an upright JPEG (quality 85, longest side ≤ 1600) without any metadata.

    Anything that isn't a usable JPEG, PNG or WebP photo within the limits raises PhotoRejected.
    """
    image = _decode(data)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ProcessedPhoto(content=output.getvalue(), width=image.width, height=image.height)


_COMMON_RATIOS: tuple[tuple[str, float], ...] = (
    ("1:1", 1.0),
    ("4:5", 4 / 5),
    ("5:4", 5 / 4),
    ("3:4", 3 / 4),
    ("4:3", 4 / 3),
    ("2:3", 2 / 3),
    ("3:2", 3 / 2),
    ("9:16", 9 / 16),
    ("16:9", 16 / 9),
)
# Laplacian, offset so that negative responses (the other side of an edge) aren't clipped to zero.
_LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)


def _nearest_ratio(width: int, height: int) -> str:
    ratio = math.log(width / height)
    return min(_COMMON_RATIOS, key=lambda item: abs(ratio - math.log(item[1])))[0]


def _orientation(width: int, height: int) -> str:
    if abs(width - height) <= 0.03 * max(width, height):
        return "vierkant"
    return "staand" if height > width else "liggend"


def photo_analyze(*, content: bytes) -> PhotoAnalysis:
    """Size, shape, brightness and sharpness of a photo, with Dutch tips (always at least one).

    Meant for the output of photo_process; any other upload goes through the same checks first.
    """
    image = _decode(content)
    width, height = image.size
    gray = image.convert("L")
    stats = ImageStat.Stat(gray)
    brightness = max(0, min(255, round(stats.mean[0])))
    contrast = float(stats.stddev[0])
    sharpness = round(float(ImageStat.Stat(gray.filter(_LAPLACIAN)).var[0]), 2)
    resolution_ok = min(width, height) >= RECOMMENDED_MIN_SIDE
    aspect_ratio = _nearest_ratio(width, height)
    orientation = _orientation(width, height)

    tips: list[str] = []
    if brightness < DARK_BELOW:
        tips.append("Je foto is vrij donker. Ga bij een raam staan of fotografeer buiten bij daglicht.")
    elif brightness > BRIGHT_ABOVE:
        tips.append("Je foto is erg licht. Vermijd fel tegenlicht en direct middagzon; schaduw geeft zachter licht.")
    if contrast < LOW_CONTRAST_BELOW:
        tips.append("De foto heeft weinig contrast. Een rustige achtergrond die afsteekt tegen je kleding helpt.")
    if sharpness < BLURRY_BELOW:
        tips.append("De foto lijkt wat onscherp. Houd je telefoon stil, tik op je gezicht om scherp te stellen.")
    if not resolution_ok:
        tips.append(
            f"De resolutie is aan de lage kant. Upload liefst een foto van minstens {RECOMMENDED_MIN_SIDE} pixels "
            "aan de korte kant."
        )
    if orientation == "liggend":
        tips.append("Staande foto's (bijvoorbeeld 4:5) vullen het scherm in datingapps beter dan liggende.")
    if not tips:
        tips.append("Technisch ziet je foto er goed uit! Let nu nog op een echte glimlach en natuurlijk licht.")
    return PhotoAnalysis(
        width=width,
        height=height,
        aspect_ratio=aspect_ratio,
        orientation=orientation,
        brightness=brightness,
        sharpness=sharpness,
        resolution_ok=resolution_ok,
        tips=tips,
    )


PHOTO_IMPROVEMENT_TIPS: tuple[ChecklistItem, ...] = (
    ChecklistItem("licht", "Natuurlijk daglicht, bijvoorbeeld bij een raam of buiten in de schaduw"),
    ChecklistItem("glimlach", "Een echte glimlach, met je ogen richting de camera"),
    ChecklistItem("alleen_jij", "Op je hoofdfoto sta je alleen, zonder zonnebril of pet"),
    ChecklistItem("recent", "De foto is niet ouder dan een jaar"),
    ChecklistItem("scherp", "Scherp en niet uitgeknipt uit een groepsfoto"),
)
