"""Draw the demo's illustrations (no photo agency needed): run once, the JPEGs are committed.

Run: .venv/bin/python docs/make_demo_images.py

Each picture is a flat illustration drawn with Pillow, 2000 × 1300 pixels, so
that the demo shows every derivative width and crop. Credit in the articles:
"Illustration: Lagebild".
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
SIZE = (2000, 1300)
FLAGS = {
    "de": [(0, 0, 0), (221, 0, 0), (255, 206, 0)],
    "fr": [(0, 35, 149), (255, 255, 255), (237, 41, 57)],
    "ua": [(0, 87, 183), (255, 215, 0)],
    "ru": [(255, 255, 255), (0, 57, 166), (213, 43, 30)],
}


def flag(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], colours: list[tuple[int, int, int]],
         vertical: bool) -> None:
    x0, y0, x1, y1 = box
    n = len(colours)
    for i, colour in enumerate(colours):
        if vertical:
            draw.rectangle((x0 + (x1 - x0) * i // n, y0, x0 + (x1 - x0) * (i + 1) // n, y1), fill=colour)
        else:
            draw.rectangle((x0, y0 + (y1 - y0) * i // n, x1, y0 + (y1 - y0) * (i + 1) // n), fill=colour)
    draw.rectangle(box, outline=(60, 60, 60), width=3)


def table() -> Image.Image:
    """The Normandy format's table seen from above: four delegations, papers, water glasses."""
    image = Image.new("RGB", SIZE, (214, 205, 188))
    draw = ImageDraw.Draw(image)
    for y in range(0, SIZE[1], 40):  # parquet
        draw.line((0, y, SIZE[0], y), fill=(201, 190, 170), width=2)
    draw.rounded_rectangle((300, 380, 1700, 920), radius=220, fill=(92, 58, 38), outline=(60, 36, 22), width=8)
    seats = [(560, 300), (860, 300), (1140, 300), (1440, 300), (560, 1000), (860, 1000), (1140, 1000), (1440, 1000)]
    codes = ["de", "de", "fr", "fr", "ua", "ua", "ru", "ru"]
    for (x, y), code in zip(seats, codes):
        draw.ellipse((x - 85, y - 85, x + 85, y + 85), fill=(40, 44, 52))
        inner = 420 if y < 500 else 880
        draw.rectangle((x - 90, inner - 60, x + 90, inner + 60), fill=(246, 244, 238))  # papers
        for line in range(5):
            draw.line((x - 70, inner - 40 + line * 20, x + 60, inner - 40 + line * 20), fill=(170, 170, 170), width=4)
        draw.ellipse((x + 100, inner - 20, x + 140, inner + 20), fill=(190, 220, 235), outline=(120, 150, 170), width=3)
    for i, code in enumerate(("de", "fr", "ua", "ru")):
        x = 680 + i * 220
        flag(draw, (x, 610, x + 150, 690), FLAGS[code], vertical=code in ("fr",))
    return image.filter(ImageFilter.SMOOTH)


def letter() -> Image.Image:
    """A sealed envelope on a desk: the written answer."""
    image = Image.new("RGB", SIZE, (46, 62, 84))
    draw = ImageDraw.Draw(image)
    for r in range(900, 0, -30):  # lamp light
        shade = int(46 + (900 - r) * 0.06)
        draw.ellipse((1000 - r * 1.4, 650 - r, 1000 + r * 1.4, 650 + r), fill=(shade, shade + 14, shade + 34))
    box = (520, 330, 1480, 970)
    draw.rectangle((box[0] + 24, box[1] + 24, box[2] + 24, box[3] + 24), fill=(24, 30, 40))  # shadow
    draw.rectangle(box, fill=(240, 232, 214), outline=(180, 170, 150), width=6)
    draw.line((box[0], box[1], 1000, 700), fill=(200, 190, 168), width=8)
    draw.line((box[2], box[1], 1000, 700), fill=(200, 190, 168), width=8)
    draw.ellipse((930, 630, 1070, 770), fill=(150, 20, 34), outline=(110, 10, 20), width=6)  # seal
    for i in range(12):
        angle = i * math.pi / 6
        draw.line((1000, 700, 1000 + 50 * math.cos(angle), 700 + 50 * math.sin(angle)), fill=(120, 12, 26), width=5)
    for line in range(3):  # address lines
        draw.line((620, 840 + line * 36, 920 - line * 60, 840 + line * 36), fill=(110, 110, 120), width=8)
    return image


def border() -> Image.Image:
    """A stylised map: a border line, with columns of vehicles on one side."""
    image = Image.new("RGB", SIZE, (225, 229, 214))
    draw = ImageDraw.Draw(image)
    points = [(1150 + 120 * math.sin(y / 170), y) for y in range(0, SIZE[1] + 20, 20)]
    draw.polygon([(SIZE[0], 0), *points, (SIZE[0], SIZE[1])], fill=(236, 226, 206))
    draw.line(points, fill=(150, 40, 50), width=10)
    for x, y in ((420, 260), (700, 860), (300, 1040)):  # towns
        draw.ellipse((x - 22, y - 22, x + 22, y + 22), fill=(70, 70, 80))
    for column in range(4):  # columns of vehicles
        for i in range(14):
            x = 1380 + column * 110 + (i % 2) * 18
            y = 140 + i * 75 + column * 30
            draw.rounded_rectangle((x, y, x + 60, y + 34), radius=8, fill=(84, 96, 64))
    for y in range(60, SIZE[1], 240):  # river
        draw.arc((-200, y, 900, y + 400), 200, 340, fill=(120, 160, 200), width=14)
    return image


def main() -> None:
    targets = {
        "content/articles/normandie-gespraeche-paris/verhandlungstisch.jpg": table,
        "content/articles/us-antwort-an-russland/brief.jpg": letter,
        "content/articles/truppenaufmarsch-kiew/grenze.jpg": border,
    }
    for rel, draw in targets.items():
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        draw().save(path, "JPEG", quality=86, optimize=True, progressive=True)
        print(f"wrote {rel} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
