"""Street photos drawn with Pillow, and what WhatsApp and readers do to them: the set the
near-duplicate tests and bench measure precision and recall on.

A street is a panorama of houses, windows, trees, lamp posts and parked cars with a textured
sky and road, fixed by its seed. A *shot* looks at a part of it at an hour of the day with the
cars moved: two shots of one street are the hard case (similar, but not the same photo).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

PANORAMA = (2400, 900)
SHOT = (1200, 900)


@dataclass(frozen=True)
class Shot:
    street: int
    pan: int  # pixels from the panorama's left edge
    hour: int  # 7 … 21: the light
    traffic: int  # the cars' seed


def street(seed: int) -> Image.Image:
    rng = random.Random(seed)
    width, height = PANORAMA
    picture = Image.new("RGB", PANORAMA, (150, 170, 200))
    draw = ImageDraw.Draw(picture)
    horizon = rng.randint(380, 520)
    x = 0
    while x < width:
        house = rng.randint(140, 360)
        top = rng.randint(80, horizon - 120)
        colour = tuple(rng.randint(60, 220) for _ in range(3))
        draw.rectangle((x, top, x + house, horizon + 60), fill=colour)
        if rng.random() < 0.5:
            draw.polygon([(x, top), (x + house // 2, top - rng.randint(30, 90)), (x + house, top)],
                         fill=tuple(c // 2 for c in colour))  # fmt: skip
        _windows(draw, rng, (x, top, x + house, horizon + 30))
        x += house + rng.randint(0, 30)
    draw.rectangle((0, horizon + 60, width, height), fill=(70, 70, 75))
    for lane in range(0, width, 120):
        draw.rectangle((lane, horizon + 230, lane + 60, horizon + 240), fill=(230, 230, 230))
    for _ in range(rng.randint(6, 12)):
        _tree(draw, rng, rng.randint(0, width), horizon + 70)
    return _textured(picture, rng)


def _windows(draw: ImageDraw.ImageDraw, rng: random.Random, box: tuple[int, ...]) -> None:
    left, top, right, bottom = box
    size, gap = rng.randint(18, 34), rng.randint(14, 30)
    glass = (rng.randint(20, 90), rng.randint(40, 110), rng.randint(80, 160))
    for y in range(top + gap, bottom - size, size + gap):
        for x in range(left + gap, right - size, size + gap):
            lit = rng.random() < 0.15
            draw.rectangle((x, y, x + size, y + size), fill=(240, 220, 140) if lit else glass)


def _tree(draw: ImageDraw.ImageDraw, rng: random.Random, x: int, ground: int) -> None:
    crown = rng.randint(40, 90)
    draw.rectangle((x - 6, ground - crown - 60, x + 6, ground), fill=(80, 50, 30))
    green = (rng.randint(20, 70), rng.randint(90, 160), rng.randint(20, 60))
    draw.ellipse((x - crown, ground - 2 * crown - 60, x + crown, ground - 60), fill=green)


def _textured(picture: Image.Image, rng: random.Random) -> Image.Image:
    noise = Image.effect_noise(picture.size, 40).convert("RGB")
    return Image.blend(picture, noise, 0.12).filter(ImageFilter.SMOOTH)


def photo(shot: Shot) -> Image.Image:
    """One reader's photo: a part of the street, its cars and the light of the hour."""
    view = street(shot.street).crop((shot.pan, 0, shot.pan + SHOT[0], SHOT[1]))
    draw = ImageDraw.Draw(view)
    rng = random.Random(shot.traffic)
    for _ in range(rng.randint(2, 5)):
        x, colour = rng.randint(-100, SHOT[0]), tuple(rng.randint(0, 255) for _ in range(3))
        road = rng.randint(620, 760)
        draw.rounded_rectangle((x, road, x + 220, road + 80), radius=18, fill=colour)
        for wheel in (x + 40, x + 180):
            draw.ellipse((wheel - 22, road + 60, wheel + 22, road + 104), fill=(20, 20, 20))
    light = 0.55 + 0.45 * (1 - abs(shot.hour - 13) / 8)
    return view.point(lambda value: min(255, int(value * light)))


def jpeg(picture: Image.Image, quality: int = 90) -> Image.Image:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as opened:
        return opened.convert("RGB")


def recompressed(picture: Image.Image) -> Image.Image:
    return jpeg(picture, quality=60)


def halved(picture: Image.Image) -> Image.Image:
    return picture.resize((picture.width // 2, picture.height // 2), Image.Resampling.BILINEAR)


def cropped(picture: Image.Image) -> Image.Image:
    """5 % off the width and the height, most of it on one side, as a reader's thumb does."""
    dx, dy = picture.width * 5 // 100, picture.height * 5 // 100
    return picture.crop(
        (dx * 2 // 3, dy // 3, picture.width - dx // 3, picture.height - dy * 2 // 3)
    )


def captioned(picture: Image.Image) -> Image.Image:
    """A forwarded photo with a line of text over it, as chat apps and meme makers add."""
    copy = picture.copy()
    draw = ImageDraw.Draw(copy)
    font = ImageFont.load_default(size=max(24, picture.height // 16))
    band = picture.height - picture.height // 7
    draw.rectangle((0, band, picture.width, picture.height), fill=(0, 0, 0))
    draw.text((20, band + 10), "BRAND IN DE STATIONSSTRAAT!! deel dit", fill="white", font=font)
    return copy


EDITS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "recompressed_q60": recompressed,
    "resized_50": halved,
    "cropped_5": cropped,
    "text_overlay": captioned,
}


def originals(streets: int = 6) -> list[Shot]:
    """Two shots a street, far enough apart to be different photos of the same street."""
    return [
        shot
        for seed in range(streets)
        for shot in (Shot(seed, 200, 10, seed * 10), Shot(seed, 700, 17, seed * 10 + 1))
    ]
