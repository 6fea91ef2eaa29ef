"""Word statistics for German text: tokens without stop words, and their counts.

Used to compare articles by their wording (see `builder.related`). Tokens are
runs of Unicode letters, lower-cased; hyphen compounds ("Normandie-Format")
stay one token. Decimal digits never belong to a word ("G7-Gipfel" gives
"gipfel"), while sub- and superscript numbers do ("CO₂", "km²"). Tokens of
one or two characters and German stop words are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from operator import itemgetter
from typing import Iterator, Mapping

# Function words and very common verbs/adverbs that say nothing about a text's
# topic. Written for news prose: besides articles, pronouns, prepositions and
# conjunctions it holds the forms of the auxiliaries and modal verbs and the
# reporting verbs ("sagte") that every article uses. Old spellings (daß, muß)
# are included because older texts still use them.
GERMAN_STOP_WORDS: frozenset[str] = frozenset("""
aber ab abermals alle allein allem allen aller allerdings alles also als alsbald
am an andere anderem anderen anderer anderes anders auch auf aus außer außerdem
bald bei beide beidem beiden beider beides beim beinahe bereits besonders bevor
bin bis bisher bist bitte bloß bzw
da dabei dadurch dafür dagegen daher dahin damals damit danach daneben dann daran
darauf daraus darf darfst darin darum darunter darüber das dass daß davon davor
dazu dein deine deinem deinen deiner deines dem demnach den denen denn dennoch
der deren derer des deshalb dessen desto dich die dies diese diesem diesen dieser
dieses dir doch dort drei du durch dürfen dürfte dürften
eben ebenfalls ebenso ehe eher eigentlich ein eine einem einen einer eines einige
einigem einigen einiger einiges einmal eins einst er erst erste ersten erster
es etwa etwas euch euer eure eurem euren eurer
fast ferner fünf für
gab gar gegen gegenüber gehabt gemacht genau gerade gern gewesen gibt ging
gleich
habe haben habt hast hat hatte hatten hattest hattet hätte hätten her heraus
herein heute hier hin hinter hoch
ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im immer in indem indes
infolge innerhalb ins inzwischen irgend irgendwie ist
ja jede jedem jeden jeder jedes jedoch jemals jemand jene jenem jenen jener jenes
jetzt
kam kann kannst kaum kein keine keinem keinen keiner keines konnte konnten
können könnt könnte könnten
lassen lässt laut lediglich letzte letzten letzter ließ
machen macht machte man manche manchem manchen mancher manches mehr mehrere
meist meistens mein meine meinem meinen meiner meines mich mir mit mithin mittels
muss musst muß mußte musste mussten müssen müsst müsste müssten
nach nachdem nahm natürlich neben nein nicht nichts nie niemals niemand noch nun
nur
ob oben oder oft ohne
per pro
rund
sagen sagt sagte sagten schließlich schon sehr sei seid seien sein seine seinem
seinen seiner seines seit seitdem selbst sich sie sind so sodass sogar solch
solche solchem solchen solcher solches soll sollen sollte sollten sondern sonst
soweit sowie sowohl später statt
teils trotz
über überall übrigens um umso und uns unser unsere unserem unseren unserer
unseres unter
viel viele vielem vielen vieler vielleicht vier vom von vor vorher während
wann war waren warst wart warum was weder wegen weil weit weiter weitere
weiteren weiterer weiteres welche welchem welchen welcher welches wem wen wenig
wenige weniger wenn wer werde werden werdet wessen wie wieder wieviel will
willst wir wird wirst wo wobei wodurch wohl wollen wollte wollten worden wurde
wurden würde würden
zehn zu zudem zum zur zwar zwei zwischen
""".split())

_SOFT_HYPHEN = "\u00ad"
# A run of letters (no digits, no underscore), optionally joined by hyphens.
# Possessive quantifiers: the same matches, without backtracking (about 10% faster).
_WORD = re.compile(r"[^\W\d_]++(?:-[^\W\d_]++)*+")
# Word characters without digits and underscores are exactly _WORD's letters, and `re` scans
# \w about twice as fast as [^\W\d_]: blank out digits and underscores, then match \w.
_ROUGH = re.compile(r"\w++(?:-\w++)*+")
_DIGIT_OR_UNDERSCORE = re.compile(r"[\d_]+")
# Decomposed accents (as some editors write them) are the only reason to normalise.
_COMBINING = re.compile("[\u0300-\u036f]")


def _prepared(text: str) -> str:
    """`text` composed, soft hyphens dropped, special hyphens made plain, lower-cased."""
    # U+0300-U+036F are encoded with the lead bytes 0xCC and 0xCD: two byte searches are
    # four times faster than the regex scan, which then runs only when one of them is there.
    if not text.isascii() and _may_combine(text.encode("utf-8", "surrogatepass")) and _COMBINING.search(text):
        text = unicodedata.normalize("NFC", text)
    # str.replace is far faster than str.translate on long texts; this runs once per article.
    return text.replace(_SOFT_HYPHEN, "").replace("\u2010", "-").replace("\u2011", "-").lower()


def _may_combine(data: bytes) -> bool:
    return b"\xcc" in data or b"\xcd" in data


def words(text: str) -> list[str]:
    """Lower-cased content words of `text`, in order, stop words and short tokens removed."""
    text = _DIGIT_OR_UNDERSCORE.sub(" ", _prepared(text))
    stop = GERMAN_STOP_WORDS
    return [word for word in _ROUGH.findall(text) if len(word) > 2 and word not in stop]


def word_counts(text: str) -> Counter[str]:
    """How often each of `words(text)` occurs, computed without building that list.

    No word spans white space, so the text's white-space separated tokens are counted (in C,
    three times faster than `_ROUGH.findall`), and only the distinct tokens that are not a word
    as they stand are split: "Wort," and "(Wort)" by `_ROUGH`, and the rare ones holding digits
    or underscores the way `words` splits them (blanking a character inside one rough token
    never joins it to a neighbouring token, so token by token gives the same words).
    """
    counts = Counter(_prepared(text).split())
    stop = GERMAN_STOP_WORDS
    # Not a word as it stands: short, a stop word, punctuation around it, a hyphen compound,
    # "CO₂", and tokens with digits or "_".
    for token in [token for token in counts if len(token) < 3 or not token.isalpha() or token in stop]:
        number = counts.pop(token)
        if token.isalpha():
            continue   # short, or a stop word
        for part in _ROUGH.findall(_DIGIT_OR_UNDERSCORE.sub(" ", token)):
            if len(part) > 2 and part not in stop:
                counts[part] += number
    return counts


def term_frequencies(text: str, top: int = 30) -> dict[str, int]:
    """The `top` most frequent content words with their counts, most frequent first.

    Ties are broken alphabetically so the result never depends on hash order.
    """
    if top <= 0:
        return {}
    counts = word_counts(text)
    if len(counts) > top:
        # Only words counted at least as often as the top-th most frequent one can rank.
        threshold = sorted(counts.values(), reverse=True)[top - 1]
        candidates = sorted(item for item in counts.items() if item[1] >= threshold)
    else:
        candidates = sorted(counts.items())
    # Alphabetical first, then a stable sort by count (reverse keeps ties in their order).
    ranked = sorted(candidates, key=itemgetter(1), reverse=True)
    return dict(ranked[:top])


class WordCounts(Mapping[str, int]):
    """Word -> count, packed: the words in one string (one per line), the counts as the code
    points of another. Every article's top words stay in memory for the whole build and in the
    body cache: as a dict with a string per word they cost about 1.5 KB an article, packed 0.4 KB.
    Read by iterating (`items()` and `values()` unpack in one pass; looking up one word scans)."""

    __slots__ = ("words", "counts")

    def __init__(self, words: str = "", counts: str = "") -> None:
        self.words = words     # "\n"-separated; a word never holds a line break (see `words`)
        self.counts = counts   # chr(count) per word, in the same order

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> Mapping[str, int]:
        """The packed form of `counts` (its order kept); `counts` as a dict in the cases packing
        cannot hold: a word with a line break, a count that is no code point (over 1,114,111)."""
        if isinstance(counts, WordCounts):
            return counts
        words = "\n".join(counts)
        try:
            packed = "".join(map(chr, counts.values()))
        except (ValueError, OverflowError, TypeError):
            return dict(counts)
        if words.count("\n") != max(len(packed) - 1, 0):
            return dict(counts)
        return cls(words, packed)

    def _words(self) -> list[str]:
        return self.words.split("\n") if self.counts else []

    def __iter__(self) -> Iterator[str]:
        return iter(self._words())

    def __len__(self) -> int:
        return len(self.counts)

    def __getitem__(self, word: str) -> int:
        for known, count in zip(self._words(), self.counts):
            if known == word:
                return ord(count)
        raise KeyError(word)

    def items(self) -> list[tuple[str, int]]:  # type: ignore[override]
        return list(zip(self._words(), map(ord, self.counts)))

    def values(self) -> list[int]:  # type: ignore[override]
        return list(map(ord, self.counts))

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return WordCounts, (self.words, self.counts)

    def __repr__(self) -> str:
        return f"WordCounts({dict(self.items())!r})"
