"""Hugo's ref and relref: found by path, file name or bundle, relative to the page as Hugo does; never by guess."""

from __future__ import annotations

import pytest

from builder.text.shortcodes import Ambiguous, Context, PageIndex, SiteTemplates, preprocess

SITE = {
    "content/_index.md": "/",
    "content/posts/_index.md": "/posts/",
    "content/posts/genf.md": "/posts/genf/",
    "content/posts/Wien-Gipfel.md": "/posts/wien-gipfel/",
    "content/posts/gipfel/index.md": "/posts/gipfel/",
    "content/posts/gipfel/hintergrund.md": "/posts/gipfel/hintergrund/",
    "content/posts/archiv/2019.md": "/posts/archiv/2019/",
    "content/plugins/x.md": "/plugins/x/",
    "content/docs/install.md": "/docs/install/",
    "content/faq/install.md": "/faq/install/",
    "content/about.markdown": "/about/",
}


def ref(target: str, source: str = "content/posts/genf.md") -> str | None:
    return PageIndex(SITE).resolve_hugo(target, source)


@pytest.mark.parametrize("target, url", [
    # from content/, with or without the leading slash, suffix, index file; case does not matter
    ("/posts/genf.md", "/posts/genf/"),
    ("/posts/genf", "/posts/genf/"),
    ("posts/genf/", "/posts/genf/"),
    ("/posts/wien-gipfel", "/posts/wien-gipfel/"),
    ("/posts/gipfel", "/posts/gipfel/"),
    ("/posts/gipfel/index.md", "/posts/gipfel/"),
    ("/posts", "/posts/"),
    ("/posts/_index.md", "/posts/"),
    ("/", "/"),
    ("/about", "/about/"),
    # relative to the page's folder
    ("gipfel", "/posts/gipfel/"),
    ("archiv/2019.md", "/posts/archiv/2019/"),
    ("./genf.md", "/posts/genf/"),
    ("../plugins/x.md", "/plugins/x/"),
    # a bare name anywhere, when one page has it
    ("x", "/plugins/x/"),
    ("about.md", "/about/"),
    # what names no page names none
    ("/plugins/fehlt.md", None),
    ("/posts/x.md", None),          # no page /posts/x: the name x elsewhere does not count
    ("plugins/genf.md", None),
    ("./x.md", None),               # "./" is relative to the page only
])
def test_refs_from_a_regular_page(target: str, url: str | None) -> None:
    assert ref(target) == url


def test_a_leaf_bundle_links_from_its_section_and_to_its_own_files_with_suffix() -> None:
    bundle = "content/posts/gipfel/index.md"
    assert ref("genf", bundle) == "/posts/genf/"                   # the bundle's section, as in Hugo
    assert ref("hintergrund.md", bundle) == "/posts/gipfel/hintergrund/"   # the file beside index.md
    assert ref("../genf.md", bundle) == "/posts/genf/"            # "../" with a suffix: from its folder
    assert ref("gipfel/hintergrund", bundle) == "/posts/gipfel/hintergrund/"


def test_a_section_page_links_from_its_own_folder() -> None:
    assert ref("genf", "content/posts/_index.md") == "/posts/genf/"
    assert ref("archiv/2019", "content/posts/_index.md") == "/posts/archiv/2019/"


def test_a_name_several_pages_have_is_ambiguous_as_in_hugo() -> None:
    with pytest.raises(Ambiguous, match="content/docs/install.md, content/faq/install.md"):
        ref("install")
    assert ref("/docs/install") == "/docs/install/"


def test_a_relref_to_a_missing_page_is_an_error_and_never_the_page_itself() -> None:
    """Issue 26: a relref to a plugin page that was not copied linked to the post itself."""
    index = PageIndex({**SITE, "content/posts/x/index.md": "/posts/x/"})
    source = "content/posts/x/index.md"
    body = 'Text\n\nSiehe [das Plugin]({{< relref "/plugins/y.md" >}}) und [mich]({{< relref "/plugins/x.md" >}}).\n'

    text, tags, errors, _, _ = preprocess(body, 5, Context(lambda t, style: index.resolve(t, source, style)))

    assert errors == [(7, 20, "'{{< relref \"/plugins/y.md\" >}}' points to a page that does not exist")]
    assert "[mich](/plugins/x/)" in text and "/posts/x/" not in text
    assert tags == []


def test_ref_is_absolute_under_the_sites_base_url_and_relref_is_not() -> None:
    index = PageIndex(SITE)
    templates = SiteTemplates(base_url="https://example.org/zeitung/")
    context = Context(lambda t, style: (None if (url := index.resolve(t, "content/posts/genf.md", style)) is None
                                        else "/zeitung" + url), templates)

    text, _, errors, _, _ = preprocess('{{< ref "wien-gipfel" >}} {{< relref path="/about" >}} '
                                       '{{< ref "#kern" >}}\n', 1, context)

    assert errors == []
    assert text == "https://example.org/zeitung/posts/wien-gipfel/ /zeitung/about/ #kern\n"
