"""Bundles and images end to end: derivatives that exist at the widths they claim, captions with
credits, lead images in og:image and JSON-LD, and every bad image a clear error or warning."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import extruct
import html5lib
import pytest
from PIL import Image

from builder.output import images
from builder.pipeline.build import BuildOptions, build
from conftest import write_site

NS = {"h": "http://www.w3.org/1999/xhtml"}

SITE = """
-- config.yaml --
title: "Tageblatt"
base_url: "https://zeitung.example/"
-- content/articles/gipfel/index.md --
---
title: "Gipfel in Genf"
date: 2022-01-21T17:30:00+01:00
image:
  src: saal.jpg
  alt: "Der Verhandlungssaal"
  caption: "Der Saal vor Beginn der Gespräche"
  credit: "dpa/Jane Doe"
  licence: "CC BY 4.0"
  focus: [0.25, 0.5]
---
Die Gespräche begannen am Morgen. Das [Programm](programm.pdf) liegt bei.

![Die Delegationen am Tisch](tisch.jpg "Die Delegationen"){credit="Lagebild/Max Muster"}

Das Logo ![Logo der Konferenz](/bilder/logo.png) steht im Text.
-- content/articles/meldung.md --
---
title: "Kurze Meldung"
date: 2022-01-20T08:00:00+01:00
---
Ohne Bild.
-- content/articles/gipfel/programm.pdf --
%PDF-1.4 Programm
"""


def photo(path: Path, size: tuple[int, int], color: tuple[int, int, int] = (120, 40, 50), **save: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 50):   # some structure, so that encoders have work to do
        image.paste((color[0] // 2, color[1], 200), (x, 0, x + 10, size[1]))
    image.save(path, **save)


def make_site(root: Path) -> Path:
    source = write_site(root, SITE)
    photo(source / "content/articles/gipfel/saal.jpg", (2000, 1300))
    photo(source / "content/articles/gipfel/tisch.jpg", (1000, 700), (30, 90, 60))
    photo(source / "static/bilder/logo.png", (300, 150), (0, 0, 0), format="PNG")
    return source


def parse(path: Path):
    return html5lib.parse(path.read_bytes(), treebuilder="lxml", namespaceHTMLElements=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("images")
    source = make_site(root / "src")
    out = root / "out"
    report = build(BuildOptions(source=source, destination=out, cache=False))
    assert report.ok, report.diagnostics
    return out


def site_file(out: Path, url: str) -> Path:
    assert url.startswith("/"), url
    return out / url.lstrip("/")


def pixel_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def test_a_bundle_is_one_article_named_by_its_folder_with_its_files_beside_it(built: Path) -> None:
    assert (built / "articles/gipfel/index.html").is_file()
    assert not (built / "articles/gipfel/index").exists()
    assert (built / "articles/gipfel/programm.pdf").read_bytes().startswith(b"%PDF")
    assert (built / "articles/gipfel/saal.jpg").is_file()
    page = parse(built / "articles/gipfel/index.html")
    links = page.xpath("//h:div[@class='article-body']//h:a/@href", namespaces=NS)
    assert "programm.pdf" in links


def test_every_srcset_url_exists_with_the_width_it_claims(built: Path) -> None:
    page = parse(built / "articles/gipfel/index.html")
    pictures = page.xpath("//h:main//h:picture", namespaces=NS)
    assert len(pictures) == 3  # lead, figure, inline logo
    checked = 0
    for pic in pictures:
        for element in pic.xpath(".//h:source | .//h:img", namespaces=NS):
            for item in element.get("srcset").split(", "):
                url, width = item.rsplit(" ", 1)
                assert pixel_size(site_file(built, url))[0] == int(width.rstrip("w")), url
                checked += 1
        img = pic.xpath(".//h:img", namespaces=NS)[0]
        assert pixel_size(site_file(built, img.get("src"))) == (int(img.get("width")), int(img.get("height")))
        kinds = [s.get("type") for s in pic.xpath(".//h:source", namespaces=NS)]
        assert kinds == ["image/webp"]
    assert checked > 10


def test_widths_are_never_upscaled(built: Path) -> None:
    page = parse(built / "articles/gipfel/index.html")
    logo = page.xpath("//h:img[@alt='Logo der Konferenz']", namespaces=NS)[0]
    widths = [int(item.rsplit(" ", 1)[1].rstrip("w")) for item in logo.get("srcset").split(", ")]
    assert widths == [300] and logo.get("width") == "300"


def test_body_images_become_figures_with_caption_and_credit(built: Path) -> None:
    page = parse(built / "articles/gipfel/index.html")
    figure = page.xpath("//h:div[@class='article-body']//h:figure[@class='image']", namespaces=NS)[0]
    assert figure.xpath("string(h:figcaption)", namespaces=NS) == "Die Delegationen Foto: Lagebild/Max Muster"
    assert figure.xpath("string(h:figcaption/h:span[@class='credit'])", namespaces=NS) == "Foto: Lagebild/Max Muster"
    img = figure.xpath(".//h:img", namespaces=NS)[0]
    assert (img.get("alt"), img.get("loading"), img.get("decoding")) == ("Die Delegationen am Tisch", "lazy", "async")
    assert not page.xpath("//h:p/h:figure", namespaces=NS)   # no figure inside a paragraph


def test_the_lead_image_loads_first_with_its_caption_and_credit(built: Path) -> None:
    page = parse(built / "articles/gipfel/index.html")
    lead = page.xpath("//h:figure[@class='lead-image']", namespaces=NS)[0]
    img = lead.xpath(".//h:img", namespaces=NS)[0]
    assert (img.get("fetchpriority"), img.get("loading")) == ("high", None)
    assert img.get("alt") == "Der Verhandlungssaal"
    assert lead.xpath("string(.//h:span[@class='credit'])", namespaces=NS) == "Foto: dpa/Jane Doe"
    assert "Der Saal vor Beginn" in lead.xpath("string(h:figcaption)", namespaces=NS)


def test_og_image_and_json_ld_point_at_absolute_crops(built: Path) -> None:
    html = (built / "articles/gipfel/index.html").read_text(encoding="utf-8")
    page = parse(built / "articles/gipfel/index.html")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.xpath("//h:meta", namespaces=NS)}
    og = meta["og:image"]
    assert og.startswith("https://zeitung.example/articles/gipfel/") and og == meta["twitter:image"]
    assert pixel_size(site_file(built, og.removeprefix("https://zeitung.example"))) == (
        int(meta["og:image:width"]), int(meta["og:image:height"])) == (1200, 675)
    assert meta["og:image:alt"] == "Der Verhandlungssaal"
    ld = extruct.extract(html, base_url="https://zeitung.example/", syntaxes=["json-ld"])["json-ld"]
    article = next(item for item in ld if item["@type"] == "NewsArticle")
    ratios = []
    for image in article["image"]:
        assert image["@type"] == "ImageObject"
        assert (image["creditText"], image["copyrightNotice"]) == ("dpa/Jane Doe", "CC BY 4.0")
        size = pixel_size(site_file(built, image["url"].removeprefix("https://zeitung.example")))
        assert size == (image["width"], image["height"])
        ratios.append(round(size[0] / size[1], 2))
    assert ratios == [1.78, 1.33, 1.0]
    assert max(image["width"] for image in article["image"]) >= 1200


def test_the_focus_point_decides_the_crop() -> None:
    assert images.crop_box(2000, 1300, (1, 1), (0.25, 0.5)) == (0, 0, 1300, 1300)
    assert images.crop_box(2000, 1300, (1, 1), (0.9, 0.5)) == (700, 0, 2000, 1300)
    assert images.crop_box(1000, 2000, (16, 9), (0.5, 0.0)) == (0, 0, 1000, 562)


def test_listings_show_a_small_crop_of_the_lead_image(built: Path) -> None:
    archive = parse(built / "archiv/index.html")
    teasers = archive.xpath("//h:article[contains(concat(' ', @class, ' '), ' teaser ')]", namespaces=NS)
    assert len(teasers) == 2
    with_image = [t for t in teasers if t.xpath(".//h:picture", namespaces=NS)]
    assert len(with_image) == 1
    img = with_image[0].xpath(".//h:img", namespaces=NS)[0]
    width, height = pixel_size(site_file(built, img.get("src")))
    assert round(width / height, 2) == 1.33 and (width, height) == (int(img.get("width")), int(img.get("height")))
    assert img.get("loading") == "lazy"


def test_the_front_pages_lead_story_shows_a_wide_crop_loaded_first(built: Path) -> None:
    front = parse(built / "index.html")
    lead = front.xpath("//h:article[contains(@class, 'teaser--lead')]", namespaces=NS)
    assert len(lead) == 1 and "has-image" in lead[0].get("class")
    img = lead[0].xpath(".//h:img", namespaces=NS)[0]
    assert img.get("fetchpriority") == "high" and img.get("loading") is None
    for candidate in img.get("srcset").split(", "):
        url, width = candidate.split(" ")
        size = pixel_size(site_file(built, url))
        assert round(size[0] / size[1], 2) == 1.78 and f"{size[0]}w" == width
    sources = lead[0].xpath(".//h:source/@type", namespaces=NS)
    assert sources == ["image/webp"]   # the site's formats before the JPEG fallback


def test_gps_positions_never_leave_and_exif_orientation_is_applied(tmp_path: Path) -> None:
    source = write_site(tmp_path / "src", """
-- content/articles/hoch/index.md --
---
title: "Hochformat"
date: 2022-01-20
image: {src: hoch.jpg, alt: "Ein Turm", credit: "Lagebild"}
---
Text.
""")
    exif = Image.Exif()
    exif[0x0112] = 6                                      # rotate 90°: stored 400 × 200, shown 200 × 400
    exif.get_ifd(0x8825)[2] = (52.0, 31.0, 12.0)          # GPSLatitude
    photo(source / "content/articles/hoch/hoch.jpg", (400, 200), exif=exif.tobytes())
    out = tmp_path / "out"
    assert build(BuildOptions(source=source, destination=out, cache=False)).ok
    img = parse(out / "articles/hoch/index.html").xpath("//h:figure[@class='lead-image']//h:img", namespaces=NS)[0]
    assert (img.get("width"), img.get("height")) == ("200", "400")
    assert pixel_size(site_file(out, img.get("src"))) == (200, 400)
    for path in (out / "articles/hoch").glob("*.jpg"):
        with Image.open(path) as published:
            assert not published.getexif().get_ifd(0x8825), path


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("change", "expected"), [
    ("![Die Delegationen am Tisch](tisch.jpg", "content/articles/gipfel/index.md:14: error: image 'fehlt.jpg' not found"),
    ("src: saal.jpg", "content/articles/gipfel/index.md:4: error: image 'fehlt.jpg' not found"),
])
def test_a_missing_image_is_an_error_on_its_line(tmp_path: Path, cli, change: str, expected: str) -> None:
    source = make_site(tmp_path / "src")
    index = source / "content/articles/gipfel/index.md"
    index.write_text(index.read_text(encoding="utf-8").replace(change, change.replace(
        "tisch.jpg", "fehlt.jpg").replace("saal.jpg", "fehlt.jpg")), encoding="utf-8")
    out = tmp_path / "out"
    run = cli("build", "--source", source, "--destination", out)
    assert run.code == 1
    assert expected in run.err
    assert not out.exists()


def test_a_file_that_is_not_an_image_or_too_large_is_an_error_naming_it(tmp_path: Path, cli) -> None:
    source = make_site(tmp_path / "src")
    (source / "content/articles/gipfel/tisch.jpg").write_bytes(b"this is no JPEG")
    run = cli("build", "--source", source, "--destination", tmp_path / "out")
    assert run.code == 1
    assert "content/articles/gipfel/index.md:14: error: image 'tisch.jpg': not an image Pillow can read" in run.err
    (source / "config.yaml").write_text('title: T\nbase_url: "https://zeitung.example/"\n'
                                        "images: {max_pixels: 1000000}\n", encoding="utf-8")
    photo(source / "content/articles/gipfel/tisch.jpg", (400, 300))
    run = cli("build", "--source", source, "--destination", tmp_path / "out")
    assert run.code == 1
    assert "image 'saal.jpg': image has 2000 × 1300 pixels, more than the limit of 1,000,000" in run.err


def test_a_truncated_image_is_an_error_and_the_previous_site_stays(tmp_path: Path, cli) -> None:
    source = make_site(tmp_path / "src")
    out = tmp_path / "out"
    assert cli("build", "--source", source, "--destination", out, "--no-cache").code == 0
    before = (out / "articles/gipfel/index.html").read_bytes()
    saal = source / "content/articles/gipfel/saal.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1800, 1200), (10, 200, 10)).save(buffer, "JPEG")
    saal.write_bytes(buffer.getvalue()[:5000])
    run = cli("build", "--source", source, "--destination", out, "--no-cache")
    assert run.code == 1
    assert "content/articles/gipfel/saal.jpg: error: cannot decode image" in run.err
    assert (out / "articles/gipfel/index.html").read_bytes() == before


def test_missing_alt_text_and_credit_are_warnings_and_errors_under_strict(tmp_path: Path, cli) -> None:
    source = make_site(tmp_path / "src")
    index = source / "content/articles/gipfel/index.md"
    text = index.read_text(encoding="utf-8")
    index.write_text(text.replace('  credit: "dpa/Jane Doe"\n', "").replace("![Logo der Konferenz]", "![]")
                     .replace("Der Verhandlungssaal", "x").replace('  alt: "x"\n', ""), encoding="utf-8")
    run = cli("build", "--source", source, "--destination", tmp_path / "out")
    assert run.code == 0, run.err
    assert "content/articles/gipfel/index.md:4: warning: the lead image has no alt text" in run.err
    assert "content/articles/gipfel/index.md:4: warning: the lead image has no credit" in run.err
    logo = line_of(index, "/bilder/logo.png")
    assert f"content/articles/gipfel/index.md:{logo}: warning: image '/bilder/logo.png' has no alt text" in run.err
    assert cli("build", "--source", source, "--destination", tmp_path / "o2", "--strict").code == 1
    index.write_text(index.read_text(encoding="utf-8").replace("![](/bilder/logo.png)",
                                                               "![](/bilder/logo.png){.decorative}"), encoding="utf-8")
    decorative = cli("build", "--source", source, "--destination", tmp_path / "o3")
    assert decorative.code == 0 and "image '/bilder/logo.png' has no alt text" not in decorative.err


def test_a_warm_build_encodes_nothing_and_a_changed_photo_only_itself(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_site(tmp_path / "src")
    encoded: list[str] = []
    real = images.encode_all

    def counting(derivatives: list[images.Derivative], path: Path) -> dict[images.Derivative, bytes]:
        encoded.extend(d.url for d in derivatives)
        return real(derivatives, path)

    monkeypatch.setattr(images, "encode_all", counting)
    assert build(BuildOptions(source=source, destination=tmp_path / "a", jobs=1)).ok
    first = len(encoded)
    assert first > 20
    encoded.clear()
    assert build(BuildOptions(source=source, destination=tmp_path / "b", jobs=1)).ok   # a new folder, warm cache
    assert encoded == []
    photo(source / "content/articles/gipfel/tisch.jpg", (1000, 700), (200, 200, 0))
    assert build(BuildOptions(source=source, destination=tmp_path / "b", jobs=1)).ok
    assert encoded and all("/tisch." in url for url in encoded)
    assert len(encoded) == 6   # 480, 800, 1000 in WebP and JPEG


def test_a_changed_or_dropped_photo_updates_its_derivatives_in_place(tmp_path: Path) -> None:
    """A photo's derivatives are tracked as one group: an edit writes the new ones and deletes the old."""
    source = make_site(tmp_path / "src")
    out = tmp_path / "out"

    def files() -> set[str]:
        return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != ".builder-output"}

    def fresh(name: str) -> set[str]:
        assert build(BuildOptions(source=source, destination=tmp_path / name, cache=False, jobs=1)).ok
        return {p.relative_to(tmp_path / name).as_posix() for p in (tmp_path / name).rglob("*")
                if p.is_file() and p.name != ".builder-output"}

    assert build(BuildOptions(source=source, destination=out, jobs=1)).ok
    folder = out.stat().st_ino
    before = {p for p in files() if "/tisch." in p and p.endswith(".webp")}
    photo(source / "content/articles/gipfel/tisch.jpg", (1000, 700), (200, 200, 0))
    report = build(BuildOptions(source=source, destination=out, jobs=1))
    assert report.ok and out.stat().st_ino == folder   # patched, not swapped
    after = {p for p in files() if "/tisch." in p and p.endswith(".webp")}
    assert before and after and not before & after      # new names: the photo's digest is in them
    assert files() == fresh("fresh1")
    index = source / "content/articles/gipfel/index.md"
    index.write_text(index.read_text(encoding="utf-8").replace(
        '![Die Delegationen am Tisch](tisch.jpg "Die Delegationen"){credit="Lagebild/Max Muster"}', ""),
        encoding="utf-8")
    assert build(BuildOptions(source=source, destination=out, jobs=1)).ok
    assert not any(p.endswith(".webp") and "/tisch." in p for p in files())
    assert files() == fresh("fresh2")


def test_a_photo_two_pages_show_differently_gets_every_derivative_either_needs(tmp_path: Path) -> None:
    source = make_site(tmp_path / "src")
    (source / "content/articles/meldung.md").write_text(
        "---\ntitle: Kurze Meldung\ndate: 2022-01-20T08:00:00+01:00\n"
        "image: {src: /bilder/logo.png, alt: Logo, credit: Lagebild}\n---\nMit Logo.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert build(BuildOptions(source=source, destination=out, jobs=1)).ok
    wanted = set()
    for page in ("articles/gipfel/index.html", "articles/meldung/index.html"):
        tree = parse(out / page)
        for node in tree.iter("{*}img", "{*}source"):
            for entry in (node.get("srcset") or node.get("src") or "").split(","):
                wanted.add(entry.strip().split(" ")[0])
        wanted |= {urlsplit(meta.get("content")).path for meta in tree.iter("{*}meta")
                   if meta.get("property") == "og:image"}
    wanted = {url for url in wanted if "/logo." in url}
    assert any("-16x9-" in url for url in wanted) and any("-16x9-" not in url for url in wanted)
    for url in wanted:
        assert site_file(out, url).is_file(), url


def test_an_svg_drawing_is_published_as_it_is_and_shown_as_written(tmp_path: Path) -> None:
    root = write_site(tmp_path / "src", """
-- config.yaml --
title: "Tageblatt"
base_url: "https://zeitung.example/"
-- content/articles/karte/index.md --
---
title: "Die Karte"
date: 2022-01-21T17:30:00+01:00
---
![Die Frontlinie](karte.svg)
-- content/articles/karte/karte.svg --
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>
""")
    out = tmp_path / "out"
    report = build(BuildOptions(source=root, destination=out, cache=False))
    assert report.ok, report.diagnostics
    page = html5lib.parse((out / "articles/karte/index.html").read_text(encoding="utf-8"))
    images_shown = [img.get("src") for img in page.iterfind(".//h:img", NS)]
    assert images_shown == ["karte.svg"]
    assert (out / "articles/karte/karte.svg").read_bytes().startswith(b"<svg")
    assert not page.findall(".//h:picture", NS)
