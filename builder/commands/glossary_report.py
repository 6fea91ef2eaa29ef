"""The glossary report: which terms are used, which articles have none, what is missing.

Pure functions from the build's results (term usage per article, annotations per
article, plain texts) to a `GlossaryReport`, two formats for the CLI, and
`run_glossary_report`, which runs the build's stages without writing to get them.
Given the terms' forms (German sites), the report also lists each term's generated
forms with the rule or lexicon entry that produced each, the forms it dropped and
why, its exclude phrases, and warns about a form that two terms share.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from ..pipeline.loading import read_body
from ..pipeline.build import BuildOptions, prepare
from ..pipeline.caches import Caches, cache_folder
from ..content.model import Term
from ..errors import Diagnostic
from ..text.collation import german_sort_key
from ..text.forms import TermForms, glossary_forms, shared_forms, uses_declension
from ..text.glossary import SUFFIXES, Matcher, is_sentence_start
from ..text.glossary_terms import check_glossary
from ..text.markdown import create_markdown, render_body
from .printing import print_diagnostics

__all__ = ["TermUsage", "Candidate", "GlossaryReport", "glossary_report",
           "format_report_text", "format_report_json", "STOP_WORDS"]

# Capitalised mid-sentence without being glossary material, or function words
# that are capitalised at sentence starts the plain text may not show as such.
STOP_WORDS = frozenset("""
Der Die Das Den Dem Des Ein Eine Einen Einem Einer Eines Kein Keine Diese Dieser Dieses Diesen
Er Es Wir Man Ich Du Und Oder Aber Doch Denn Auch Nur Noch Nun So Da Dann Als Wie Wenn Weil Dass Ob
In Im Am An Auf Aus Bei Mit Nach Von Vom Vor Zu Zum Zur Für Über Unter Um Gegen Seit Bis Nicht
Sie Ihr Ihre Ihrem Ihren Ihrer Ihres Ihnen Herr Herrn Frau Dr Prof
Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag
Januar Februar März April Mai Juni Juli August September Oktober November Dezember
Uhr Prozent Euro Dollar Jahr Jahre Jahren Jahres Monat Monate Monaten Woche Wochen
Tag Tage Tagen Tages Zeit Ende Anfang Millionen Milliarden Million Milliarde Menschen
""".split())
_WORD = re.compile(r"\w+(?:[-\u2011]\w+)*")
_LINE_START_SKIP = frozenset(" \t\u00a0„“‚‘\"'»«([")


@dataclass(frozen=True)
class TermUsage:
    """How one term is used across the articles."""

    slug: str
    term: str
    articles: int   # articles where it is annotated
    matches: int    # matches in all articles' texts


@dataclass(frozen=True)
class Candidate:
    """A word that looks like glossary material and has no entry."""

    word: str
    articles: int
    variants: tuple[str, ...] = ()   # inflected forms counted with it ("Russlands")


@dataclass(frozen=True)
class GlossaryReport:
    """Everything `glossary-report` prints; lists are sorted for stable output."""

    terms: int
    articles: int
    unused_terms: tuple[TermUsage, ...]
    articles_without_annotations: tuple[str, ...]
    usage: tuple[TermUsage, ...]
    collisions: tuple[Diagnostic, ...]
    candidates: tuple[Candidate, ...]
    min_articles: int
    forms: tuple[tuple[str, TermForms], ...] | None = None   # (term name, its forms) by name; None: not shown
    shared_forms: tuple[Diagnostic, ...] = ()                 # warnings: a form two terms match


def _is_candidate(word: str, text: str, start: int) -> bool:
    if len(word) < 2 or not word[0].isupper() or word in STOP_WORDS:
        return False
    if "-" in word or "\u2011" in word or any(c.isupper() for c in word[1:]):
        return True   # compounds and acronyms are no common sentence-initial words
    return not _starts_sentence(text, start)


def _starts_sentence(text: str, start: int) -> bool:
    """Sentence start, counting the start of a line (paragraph, heading, list item) as one."""
    index = start
    while index > 0 and text[index - 1] in _LINE_START_SKIP:
        index -= 1
    return index == 0 or text[index - 1] == "\n" or is_sentence_start(text, start)


def _candidates(texts: Mapping[str, str], matcher: Matcher, min_articles: int) -> tuple[Candidate, ...]:
    seen_in: dict[str, set[int]] = {}
    for number, text in enumerate(texts.values()):
        for m in _WORD.finditer(text):
            if _is_candidate(m.group(), text, m.start()):
                seen_in.setdefault(m.group(), set()).add(number)
    for word in list(seen_in):
        covered = matcher.find(word)
        if covered and covered[0].start == 0 and covered[0].end == len(word):
            del seen_in[word]
    # Inflected forms join the shortest form they extend: "Russlands" → "Russland".
    base_of: dict[str, str] = {}
    for word in sorted(seen_in, key=len):
        for suffix in SUFFIXES:
            stem = word[:-len(suffix)]
            if word.endswith(suffix) and stem in seen_in:
                base_of[word] = base_of.get(stem, stem)
                break
    groups: dict[str, tuple[set[int], list[str]]] = {}
    for word, articles in seen_in.items():
        base = base_of.get(word, word)
        group = groups.setdefault(base, (set(), []))
        group[0].update(articles)
        if base != word:
            group[1].append(word)
    found = [Candidate(base, len(articles), tuple(sorted(variants, key=german_sort_key)))
             for base, (articles, variants) in groups.items() if len(articles) >= min_articles]
    return tuple(sorted(found, key=lambda c: (-c.articles, german_sort_key(c.word))))


def glossary_report(terms: Sequence[Term], usage: Mapping[str, Mapping[str, int]],
                    annotated: Mapping[str, Sequence[str]], texts: Mapping[str, str],
                    *, min_articles: int = 3, forms: Mapping[str, TermForms] | None = None) -> GlossaryReport:
    """Summarise glossary use; `usage`, `annotated` and `texts` are keyed by article source path.

    With `forms` (by slug, from `builder.text.forms.glossary_forms`) the report shows them and
    candidates are matched with them.
    """
    articles = sorted(set(usage) | set(annotated) | set(texts))
    per_term: list[TermUsage] = []
    for term in terms:
        matches = sum(counts.get(term.slug, 0) for counts in usage.values())
        annotated_in = sum(1 for slugs in annotated.values() if term.slug in slugs)
        per_term.append(TermUsage(term.slug, term.term, annotated_in, matches))
    by_name = sorted(per_term, key=lambda u: german_sort_key(u.term))
    return GlossaryReport(
        terms=len(terms),
        articles=len(articles),
        unused_terms=tuple(u for u in by_name if u.matches == 0 and u.articles == 0),
        articles_without_annotations=tuple(a for a in articles if not annotated.get(a)),
        usage=tuple(sorted(by_name, key=lambda u: (-u.articles, -u.matches))),
        collisions=tuple(check_glossary(terms)),
        candidates=_candidates(texts, Matcher(terms, inflect=True, forms=forms), min_articles),
        min_articles=min_articles,
        forms=None if forms is None else tuple(
            (t.term, forms.get(t.slug, TermForms(t.slug))) for t in sorted(terms, key=lambda t: german_sort_key(t.term))),
        shared_forms=() if forms is None else tuple(shared_forms(terms, forms)),
    )


def _section(title: str, lines: Sequence[str]) -> list[str]:
    return [f"{title} ({len(lines)}):", *(f"  {line}" for line in lines or ["none"]), ""]


def format_report_text(report: GlossaryReport) -> str:
    """The report for a terminal."""
    lines = [f"Glossary report: {report.terms} terms, {report.articles} articles", ""]
    lines += _section("Terms never used", [f"{u.term} ({u.slug})" for u in report.unused_terms])
    lines += _section("Articles without annotations", list(report.articles_without_annotations))
    lines += _section("Annotations per term", [
        f"{u.term} ({u.slug}): annotated in {u.articles} article{'' if u.articles == 1 else 's'}, "
        f"{u.matches} match{'' if u.matches == 1 else 'es'}" for u in report.usage])
    lines += _section("Alias collisions", [str(d) for d in report.collisions])
    lines += _section(f"Candidate terms (in {report.min_articles} or more articles, no entry)",
                      [f"{c.word}: {c.articles} articles"
                       + (f" (also {', '.join(c.variants)})" if c.variants else "")
                       for c in report.candidates])
    if report.forms is not None:
        lines += _section("Forms matched beyond names and aliases",
                          [line for name, found in report.forms for line in _form_lines(name, found)])
        lines += _section("Forms two terms share", [str(d) for d in report.shared_forms])
    return "\n".join(lines).rstrip("\n") + "\n"


def _form_lines(name: str, found: TermForms) -> list[str]:
    """A term's forms for the text report: one line per form, with the rule that made it."""
    if not (found.forms or found.dropped or found.exclude):
        return []
    lines = [f"{name} ({found.slug}): {len(found.forms)} form{'' if len(found.forms) == 1 else 's'}"]
    lines += [f"  {form.text}  <- {form.rule}" for form in found.forms]
    lines += [f"  not matched: {form.text}  <- {form.rule}; {form.dropped}" for form in found.dropped]
    if found.exclude:
        lines.append(f"  never inside: {', '.join(found.exclude)}")
    return lines


def format_report_json(report: GlossaryReport) -> str:
    """The report as JSON, for tools."""
    def usage(u: TermUsage) -> dict[str, object]:
        return {"slug": u.slug, "term": u.term, "articles": u.articles, "matches": u.matches}

    data = {
        "terms": report.terms,
        "articles": report.articles,
        "unused_terms": [usage(u) for u in report.unused_terms],
        "articles_without_annotations": list(report.articles_without_annotations),
        "usage": [usage(u) for u in report.usage],
        "collisions": [d.as_dict() for d in report.collisions],
        "candidates": [{"word": c.word, "articles": c.articles, "variants": list(c.variants)}
                       for c in report.candidates],
        "min_articles": report.min_articles,
    }
    if report.forms is not None:
        data["forms"] = [{"slug": found.slug, "term": name,
                          "forms": [{"text": f.text, "rule": f.rule} for f in found.forms],
                          "not_matched": [{"text": f.text, "rule": f.rule, "reason": f.dropped} for f in found.dropped],
                          "exclude": list(found.exclude)} for name, found in report.forms]
        data["shared_forms"] = [d.as_dict() for d in report.shared_forms]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def run_glossary_report(source: Path, *, drafts: bool = False, fmt: str = "text") -> int:
    """Print the report; exit code 1 when the build has errors (alias collisions among them)."""
    options = BuildOptions(source=source, drafts=drafts, cache=False)
    prepared = prepare(options, Caches.in_folder(None))
    site = prepared.site
    if site is None or prepared.problems.errors:
        print_diagnostics(prepared.problems.items)
        return 1
    plain = create_markdown(site.config.markdown)
    max_size = site.config.markdown.max_file_size
    texts = {a.source: render_body(plain, read_body(source / a.source, a.source, a.body_line, max_size), {}).text
             for a in site.articles}
    usage = {a.source: dict(site.infos[a.slug].term_counts) for a in site.articles}
    annotated = {a.source: list(site.infos[a.slug].terms) for a in site.articles}
    folder = cache_folder(source)   # the build's forms file, if the site has a cache
    forms = glossary_forms(site.terms, declension=uses_declension(site.config),
                           cache_dir=folder if folder.is_dir() else None)
    report = glossary_report(site.terms, usage, annotated, texts, forms=forms)
    print(format_report_json(report) if fmt == "json" else format_report_text(report), end="")
    return 0
