"""A photo's derivatives kept as one group: what the body stage stores gives back every derivative."""

from __future__ import annotations

from builder.content.config import ImageSettings
from builder.output.image_files import derivative_group, group_derivatives
from builder.output.images import ImageInfo, picture

INFO = ImageInfo("content/articles/gipfel/saal.jpg", "ab" * 32, 2000, 1300, "jpeg")


def test_a_group_gives_back_every_derivative_with_all_its_fields() -> None:
    full = picture(INFO, "/gipfel/", ImageSettings()).derivatives
    crop = picture(INFO, "/gipfel/", ImageSettings(), crop="16x9", focus=(0.25, 0.5)).derivatives
    derivatives = [*full, *crop]
    group = derivative_group(derivatives)
    assert group[0] == INFO.source
    assert sorted(group_derivatives(group)) == sorted(derivatives)
    assert group[2].split("\n") == sorted(d.url[1:] for d in derivatives)


def test_the_fingerprint_follows_urls_and_settings_not_the_order() -> None:
    derivatives = list(picture(INFO, "/gipfel/", ImageSettings()).derivatives)
    group = derivative_group(derivatives)
    assert derivative_group(derivatives[::-1])[1] == group[1]
    moved = picture(INFO, "/andere/", ImageSettings()).derivatives
    sharper = picture(INFO, "/gipfel/", ImageSettings(quality=90)).derivatives
    assert derivative_group(list(moved))[1] != group[1]
    assert derivative_group(list(sharper))[1] != group[1]
