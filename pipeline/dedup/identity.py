"""What of a text identifies it for near-duplicate judgement: the text less its chrome.

A copy is the same *article* in other chrome: judging the page would glue one-paragraph briefs
of different stories that sit in one site's identical chrome, and would miss a brief syndicated
into another site's chrome (its own words are a third of the page). So the near-duplicate
fingerprint is taken of the text left once chrome lines are gone:

* lines that read as boilerplate by the cleaning rules' own patterns (``pipeline.cleaning``'s
  language pack: newsletter and subscription lines, copyright, image credits, share and
  read-more prompts, cookie notices, author bios and contact lines), when short. This is the
  cheap, per-line part of the cleaning rules: the ingest flow has run the rules themselves (and
  the learned site blocks) before dedup, a corpus given to ``cleanwire dedup`` has not;
* in a corpus (``RecurringBlocks``, used by ``dedup_stream``), short lines that recur in documents
  of several different clusters: a site's navigation, its related-links headlines, its footer.
  This is a document-frequency discount, counted in clusters rather than documents, because the
  paragraphs of an article copied five times recur in five documents and still are its identity;
  a block in many *different* articles identifies none of them.

Blocks are lines; the *core* of a text (what a short text's match must include, see
``pipeline.dedup.near``) is its paragraph with most prose, paragraphs being separated by blank
lines when the text has any (hard-wrapped text keeps its paragraphs), else lines.
"""

from __future__ import annotations

import re
import zlib
from array import array

from pipeline.cleaning.languages import ENGLISH, LanguagePack

# Chrome lines are short; a long line that mentions a newsletter is the article talking, or the
# article run together with its chrome (a re-wrapped copy), which must not go with it. Consent
# banners run longer.
CHROME_LINE_WORDS = 30
COOKIE_LINE_WORDS = 60
# A block recurring across clusters is chrome only when short (a related-links headline, a nav
# bar, a footer); a long shared paragraph is a quote or background that same-story articles
# share, which the verification rules handle.
RECURRING_BLOCK_WORDS = 40


def _chrome_pattern(pack: LanguagePack) -> re.Pattern[str]:
    parts = (
        pack.newsletter_heading,
        pack.subscribe_heading,
        pack.promo_blurb,
        pack.call_to_action,
        pack.sign_in,
        pack.image_credit,
        pack.copyright,
        pack.share_prompt,
        pack.more_prompt,
        pack.see_also,
        pack.syndication_note,
        pack.cookie_notice,
        pack.contact_prompt,
        pack.republish_notice,
        pack.contact_line,
    )
    return re.compile("|".join(f"(?:{p.pattern})" for p in parts), re.IGNORECASE)


_CHROME = _chrome_pattern(ENGLISH)
# Chrome the cleaning rules leave to learned site blocks (they must not touch an article that
# talks about cookies or apps), but which a near-duplicate judgement can discount in any short
# line: consent banners, app and paywall prompts, subscription pitches.
_MORE_CHROME = re.compile(
    r"\bdownload (the|our)\b.{0,60}\bapp\b|\byou have read \d+ (free )?articles?\b"
    r"|^subscribe (to|now|today)\b|\b(first|only) \d+ (weeks|months) free\b"
    r"|\bsign up for\b.{0,60}\bnewsletters?\b",
    re.IGNORECASE,
)
_COOKIES = re.compile(
    r"\b(use|uses|use of|accept( all)?|manage|about|store) cookies\b"
    r"|\bcookie (policy|settings|preferences)\b",
    re.IGNORECASE,
)


# A line is tried against the patterns only if it has one of these words anywhere, or one of the
# weaker ones (which the patterns want at the start of a line) among its first three words: most
# lines are the article's, and twenty-odd patterns cost 20 µs a line.
_STRONG = frozenset(
    b"""newsletter newsletters briefing briefings inbox subscribe subscriber subscribers subscription
    unsubscribe cookie cookies copyright reprint photo photos photograph image images picture
    illustration credit credits republish commons download app reporter correspondent columnist
    journalist editor writer contributor bureau newsroom twitter graduate originally signing""".split()
)
_WEAK = frozenset(
    b"""sign log login already create register become support get try join learn continue submit
    share tweet email print comment comments leave post view click follow read explore more most
    recommended you trending related stories up don also watch listen see first accept manage
    have got send reach contact""".split()
)
_ASCII_WORDS = bytes((c if chr(c).isalnum() else 32) if c < 128 else c for c in range(256))


def _may_be_chrome(line: str) -> bool:
    if "©" in line:
        return True
    tokens = line.lower().encode("utf-8").translate(_ASCII_WORDS).split()
    return not _STRONG.isdisjoint(tokens) or not _WEAK.isdisjoint(tokens[:3])


def is_chrome_line(line: str, pack: LanguagePack = ENGLISH) -> bool:
    """A short line the cleaning rules' patterns call boilerplate (an author bio included), or a
    consent banner, app or paywall prompt."""
    words = line.count(" ") + 1
    if words > COOKIE_LINE_WORDS:
        return False
    if words > CHROME_LINE_WORDS:
        if pack is not ENGLISH or "ookie" not in line:
            return False
        return bool(_COOKIES.search(line)) and not pack.reporting_verb.search(line)
    if pack is ENGLISH and not _may_be_chrome(line):
        return False
    if (_CHROME if pack is ENGLISH else _chrome_pattern(pack)).search(line):
        return True
    if pack is ENGLISH and (_MORE_CHROME.search(line) or _COOKIES.search(line)):
        return not pack.reporting_verb.search(line)
    return bool(pack.bio_opening.search(line) and pack.bio_keywords.search(line))


def identity_text(text: str) -> str:
    """``text`` without its chrome lines (all of it when nothing else would be left); blank lines
    are kept, so that paragraphs, and the core, can still be found."""
    if "\n" not in text:  # one line (a flattened scrape): nothing to tell apart
        return text
    kept: list[str] = []
    dropped = False
    limit = COOKIE_LINE_WORDS
    for line in text.splitlines():
        bare = line.strip()
        if bare and bare.count(" ") < limit and is_chrome_line(bare):
            dropped = True
        else:
            kept.append(line)
    if not dropped or not any(line.strip() for line in kept):
        return text
    return "\n".join(kept)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")
_LIST = re.compile(r" [|•·/] ")
_SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*(\s|$)")


def _prose_weight(para: str) -> float:
    """Words, counted in full for prose and at a quarter for short lines with no sentence in them
    (navigation, headlines, list items, labels) and for lists run into one line ("Most read: a |
    b | c"): chrome is mostly these. A long paragraph is prose even without punctuation (a
    lower-cased scrape)."""
    words = para.count(" ") + para.count("\n") + 1
    if _SENTENCE_END.search(para) or (words > 25 and not _LIST.search(para)):
        return words
    return words / 4


def prose_words(text: str) -> float:
    """Words of prose: what a brief has one paragraph of and an article many. Lines with no
    sentence in them count a quarter; text with no sentence punctuation at all (a flattened
    scrape) counts every word, since nothing in it can be told apart."""
    if not _SENTENCE_END.search(text):
        return text.count(" ") + 1
    paras = _PARAGRAPH_BREAK.split(text) if _PARAGRAPH_BREAK.search(text) else text.splitlines()
    return sum(_prose_weight(p) for p in paras)


def core_text(text: str) -> str:
    """The text's main paragraph, the one with most prose: for a one-paragraph brief in chrome
    lines, the brief, even next to a longer list of related headlines."""
    paras = _PARAGRAPH_BREAK.split(text) if _PARAGRAPH_BREAK.search(text) else text.splitlines()
    return max(paras, key=_prose_weight, default="")


def block_key(line: str) -> int:
    """A line's key, case ignored (a site prints its chrome the same way each time)."""
    return zlib.crc32(line.strip().lower().encode("utf-8"))


class RecurringBlocks:
    """Short lines seen in documents of several clusters: a corpus's chrome, learned as it streams.

    A fixed table (``size`` entries of block key, last cluster, distinct clusters seen), so
    memory stays put however long the stream: a block pushed out by a collision starts counting
    again, which delays learning it and never makes an article's own line chrome. A block is
    chrome once seen in ``min_clusters`` clusters one after another different.
    """

    def __init__(self, min_clusters: int = 3, size: int = 1 << 20) -> None:
        self.min_clusters = min_clusters
        self._mask = size - 1
        # arrays of machine ints: 9 bytes an entry, and indexing them is cheap from Python
        self._keys = array("L", bytes(4 * size)) if array("L").itemsize == 4 else array("I", bytes(4 * size))
        self._last = array("l", bytes(array("l").itemsize * size))
        self._count = array("B", bytes(size))

    @staticmethod
    def candidates(text: str) -> list[tuple[str, int]]:
        """(line, key) of the text's lines short enough to be chrome."""
        out = []
        for line in text.splitlines():
            if 0 < line.count(" ") < RECURRING_BLOCK_WORDS:
                out.append((line, zlib.crc32(line.strip().lower().encode("utf-8"))))
        return out

    def is_chrome(self, key: int) -> bool:
        at = key & self._mask
        return self._keys[at] == key and self._count[at] >= self.min_clusters

    def strip(self, text: str, blocks: list[tuple[str, int]]) -> str:
        """``text`` less its lines learned as chrome (the text itself when that is all of it)."""
        chrome = {line for line, key in blocks if self.is_chrome(key)}
        if not chrome:
            return text
        kept = [line for line in text.splitlines() if line not in chrome]
        return "\n".join(kept) if any(line.strip() for line in kept) else text

    def observe(self, blocks: list[tuple[str, int]], cluster: int) -> None:
        """The document's short lines were seen in ``cluster`` (a 31-bit int naming its cluster)."""
        keys, last, count, mask = self._keys, self._last, self._count, self._mask
        for _, key in blocks:
            at = key & mask
            if keys[at] != key or count[at] == 0:
                keys[at], last[at], count[at] = key, cluster, 1
            elif last[at] != cluster:
                last[at] = cluster
                count[at] = min(255, count[at] + 1)
