"""What photos cost a build: the corpus with one 2,000 × 1,300 photo per article as a lead image.

Run: .venv/bin/python benchmarks/bench_images.py [--articles 1000] [--runs 3] [--workdir DIR]

Every article of the benchmark corpus (`benchmarks/corpus.py`) becomes a
bundle with its own photo (`image:` with alt, caption and credit). Measured
as the command line runs a build, in processes of their own (medians):

- cold: an empty image cache and a new output folder, with and without photos;
- warm: nothing changed, with photos and without them (the target: within 10 %).
  "Without them" is the same site of bundles with the photos and their `image:`
  lines taken out, so that the ratio is what the images cost; the flat corpus
  (one Markdown file per article, no folders) is printed beside it. Warm builds
  run in turn, photos / bundles / flat, and the ratio is the median of the
  pairwise ratios;
- one photo changed: the build, and how many derivatives it encoded.

Builds run with Python's bytecode cache on (as an installed builder runs), even
where the environment sets PYTHONDONTWRITEBYTECODE.

It prints images per second in the cold build, their share of it, and the cold
build extrapolated to 10,000 articles.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO))

from corpus import generate  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

PHOTO = (2000, 1300)


def base_photo() -> Image.Image:
    """A photo-like picture: gradients and shapes, so encoders have real work."""
    image = Image.new("RGB", PHOTO)
    draw = ImageDraw.Draw(image)
    for y in range(PHOTO[1]):
        draw.line((0, y, PHOTO[0], y), fill=(40 + y // 10, 80 + y // 20, 140 - y // 15))
    for i in range(60):
        x, y = (i * 337) % PHOTO[0], (i * 211) % PHOTO[1]
        draw.ellipse((x, y, x + 120 + i * 3, y + 90 + i * 2), fill=((i * 40) % 256, (i * 90) % 256, (i * 150) % 256))
    return image


def add_photos(site: Path, photos: bool = True) -> int:
    """Turn every article into a bundle with a photo of its own (or, without `photos`, into a
    bundle of its index.md alone); returns how many."""
    base = base_photo()
    articles = sorted((site / "content/articles").glob("*.md"))
    for index, path in enumerate(articles):
        bundle = path.with_suffix("")
        bundle.mkdir()
        text = path.read_text(encoding="utf-8")
        head, rest = text.split("---\n", 2)[1:]
        if not photos:
            (bundle / "index.md").write_text(text, encoding="utf-8")
            path.unlink()
            continue
        photo = base.copy()
        ImageDraw.Draw(photo).rectangle((40, 40, 240, 140), fill=(index % 256, index // 256 % 256, 90))  # its own digest
        photo.save(bundle / "foto.jpg", "JPEG", quality=88)
        image = (f'image: {{src: foto.jpg, alt: "Symbolbild {index}", caption: "Bild {index}", '
                 f'credit: "Lagebild/Benchmark"}}\n')
        (bundle / "index.md").write_text(f"---\n{head}{image}---\n{rest}", encoding="utf-8")
        path.unlink()
    return len(articles)


ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def build(site: Path, out: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "builder", "build", "--source", str(site), "--destination",
                             str(out)], capture_output=True, text=True, cwd=REPO, env=ENV)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stdout}{result.stderr}")
    return elapsed, result.stdout


def clear_caches(site: Path) -> None:
    shutil.rmtree(site / ".builder-cache", ignore_errors=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--terms", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warm-runs", type=int, default=11)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-images-"))
    work.mkdir(parents=True, exist_ok=True)
    plain, photos, bundles = work / "plain", work / "photos", work / "bundles"
    for site in (plain, photos, bundles):
        shutil.rmtree(site, ignore_errors=True)
        generate(site, args.articles, args.terms)
    count = add_photos(photos)
    add_photos(bundles, photos=False)
    print(f"{args.articles} articles, {args.terms} terms, {count} photos of {PHOTO[0]} × {PHOTO[1]} px; "
          f"medians of {args.runs} runs in {work}")

    results: dict[str, list[float]] = {}
    for run in range(args.runs):
        for name, site in (("plain", plain), ("photos", photos), ("bundles", bundles)):
            clear_caches(site)
            out = work / f"out-{name}-{run}"
            results.setdefault(f"cold {name}", []).append(build(site, out)[0])
    last = args.runs - 1
    for _ in range(args.warm_runs):
        warm = {name: build(site, work / f"out-{name}-{last}")[0]
                for name, site in (("photos", photos), ("bundles", bundles), ("plain", plain))}
        for name, seconds in warm.items():
            results.setdefault(f"warm {name}", []).append(seconds)
        results.setdefault("ratio bundles", []).append(warm["photos"] / warm["bundles"])
        results.setdefault("ratio flat", []).append(warm["photos"] / warm["plain"])
    # One photo changed: only its derivatives are encoded again.
    changed = sorted((photos / "content/articles").glob("*/foto.jpg"))[0]
    cache = photos / ".builder-cache"
    for run in range(args.runs):
        image = Image.open(changed).convert("RGB")
        ImageDraw.Draw(image).rectangle((300, 300, 500, 500), fill=(run * 70 % 256, 200, 30))
        image.save(changed, "JPEG", quality=88)
        before = {p.name for p in cache.rglob("images/*") if p.suffix != ".lock"}
        elapsed, _ = build(photos, work / f"out-photos-{args.runs - 1}")
        encoded = len({p.name for p in cache.rglob("images/*") if p.suffix != ".lock"} - before)
        results.setdefault("one photo changed", []).append(elapsed)
        results.setdefault("derivatives encoded", []).append(encoded)

    cold_plain, cold_photos = median(results["cold plain"]), median(results["cold photos"])
    warm_plain, warm_photos = median(results["warm plain"]), median(results["warm photos"])
    warm_bundles = median(results["warm bundles"])
    share = (cold_photos - cold_plain) / cold_photos
    print(f"| | {args.articles:,} articles |")
    print("|---|---|")
    print(f"| cold build, no photos | {cold_plain:.2f} s |")
    print(f"| cold build, {count:,} photos | {cold_photos:.2f} s |")
    print(f"| photos per second (cold) | {count / max(cold_photos - cold_plain, 1e-9):.1f} |")
    print(f"| share of the cold build the photos take | {share:.0%} |")
    print(f"| warm build, bundles without photos | {warm_bundles:.3f} s |")
    print(f"| warm build, flat files without photos | {warm_plain:.3f} s |")
    print(f"| warm build, photos | {warm_photos:.3f} s: {median(results['ratio bundles']):.3f}x the bundles "
          f"without photos (target ≤ 1.10x), {median(results['ratio flat']):.3f}x the flat files |")
    print(f"| one photo changed | {median(results['one photo changed']):.2f} s, "
          f"{median(results['derivatives encoded']):.0f} derivatives encoded |")
    print(f"| cold build extrapolated to 10,000 articles with photos | "
          f"{cold_photos * 10_000 / args.articles:.0f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
