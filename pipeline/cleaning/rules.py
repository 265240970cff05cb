"""Paragraph rules: each one small, named, and conservative.

A rule looks at the whole paragraph list (boxes and bios need neighbours and
position) and returns the indexes it would remove. Every rule that matches on
wording also caps the paragraph's length: a long paragraph that mentions a
newsletter or a copyright is the article talking, not the site.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from pipeline.cleaning.languages import LanguagePack
from pipeline.textnorm import fold, fold_block, word_count


@dataclass
class RuleContext:
    pack: LanguagePack | None
    title: str | None = None
    # Folded paragraphs learned as this site's boilerplate (see pipeline.cleaning.site_learning).
    learned: frozenset[str] = field(default_factory=frozenset)


RuleFn = Callable[[list[str], RuleContext], Iterable[int]]


@dataclass(frozen=True)
class Rule:
    name: str
    find: RuleFn
    needs_language: bool = True


def _words(text: str) -> int:
    return word_count(text)


def _matchable(para: str) -> str:
    """Text as the rules read it: trafilatura renders layout-table cells as ``| cell |``."""
    if "|" not in para:
        return para
    return " ".join(cell.strip() for cell in para.split("|") if cell.strip())


@lru_cache(maxsize=8192)
def _short_view(para: str) -> tuple[str, int]:
    """``_matchable`` text and its word count, remembered: a dozen rules ask for both per paragraph."""
    text = _matchable(para)
    return text, _words(text)


def _short_matches(paras: list[str], pattern: re.Pattern[str] | None, max_words: int) -> Iterable[int]:
    if pattern is None:
        return
    for i, para in enumerate(paras):
        text, words = _short_view(para)
        if words <= max_words and pattern.search(text):
            yield i


def title_repeat(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    """The headline repeated near the top, with the kicker or section label just above it.

    Title, kicker and section are metadata, not body; they sit in the first
    few blocks when a template puts them inside the article element.
    """
    if not ctx.title:
        return
    title = fold(ctx.title)
    for i, para in enumerate(paras[:3]):
        if fold_block(para) == title:
            yield i
            for j in range(i):
                if _words(paras[j]) <= 5 and not paras[j].rstrip().endswith((".", "!", "?")):
                    yield j
            return


_BARE_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)


def bare_url(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    return (i for i, p in enumerate(paras) if _BARE_URL.match(p))


_CODE_LIKE = re.compile(r"[;{}=$│|<>()\[\]]|^\s*(#|//|\$ |- \^)")


def repeated_paragraph(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    """A paragraph printed twice in one article (a box or a pull quote rendered twice).

    Only a short, lone repeat goes. A paragraph of more than 30 words printed twice is the
    article's own (a passage quoted again); where several paragraphs in a row repeat, a whole
    passage is printed twice on purpose (a refrain, an example run again), and a code or
    data line (``FROM t;``, ``$ cd ..``, ``2 │ f``) repeats because programs do. On real pages
    removing every repeat cost 2.7 points of recall (benchmarks/realpages).
    """
    seen: set[str] = set()
    repeats: list[int] = []
    for i, para in enumerate(paras):
        key = fold_block(para)
        if key in seen and 3 <= _words(para) <= 30 and not _CODE_LIKE.search(para):
            repeats.append(i)
        seen.add(key)
    marked = set(repeats)
    for i in repeats:
        if i - 1 not in marked and i + 1 not in marked:
            yield i


def copyright_line(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    if ctx.pack is None:
        return (i for i, p in enumerate(paras) if p.startswith("©") and _words(p) <= 30)
    return _short_matches(paras, ctx.pack.copyright, 40)


_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)


def _without_urls(para: str) -> str:
    """Extractors glue a button and the promo image URL after it into one line."""
    if "://" not in para and "www." not in para.lower():
        return para.strip()  # the pattern has no literal prefix: scanning costs more than this test
    return _URL.sub(" ", para).strip()


def _is_call_to_action(para: str, pack: LanguagePack) -> bool:
    bare = _without_urls(para)
    return _words(bare) <= 4 and bool(pack.call_to_action.search(bare))


def _closes_box(para: str, pack: LanguagePack) -> bool:
    return _is_call_to_action(para, pack) or bool(_BARE_URL.match(para))


def promo_box(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    """A newsletter or subscription box written as plain paragraphs.

    The box is a heading ("Subscribe to X", "Sign up for X's newsletters"),
    short blurbs, and a call to action or a bare image URL that closes it. The
    blurbs between are removed only when the closing line is found within a
    few paragraphs, so an article paragraph after a lone heading is safe.
    """
    pack = ctx.pack
    assert pack is not None
    removed: list[int] = []
    i = 0
    while i < len(paras):
        para = paras[i]
        is_heading = _words(para) <= 20 and (
            pack.newsletter_heading.search(para) or pack.subscribe_heading.search(para)
        )
        if not is_heading:
            i += 1
            continue
        stop = i
        for j in range(i + 1, min(i + 6, len(paras))):
            if _words(paras[j]) > 45:
                break
            if _closes_box(paras[j], pack):
                stop = j
                while stop + 1 < len(paras) and _closes_box(paras[stop + 1], pack):
                    stop += 1
                break
        removed.extend(range(i, stop + 1))
        i = stop + 1
    return removed


def newsletter_blurb(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    """ "... delivered to your inbox" as a pitch (with a call to act), not as a description."""
    pack = ctx.pack
    assert pack is not None
    for i in _short_matches(paras, pack.promo_blurb, 40):
        if pack.imperative.search(paras[i]):
            yield i


def call_to_action(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    pack = ctx.pack
    assert pack is not None
    return (i for i, para in enumerate(paras) if _is_call_to_action(para, pack))


def sign_in_prompt(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    assert ctx.pack is not None
    return _short_matches(paras, ctx.pack.sign_in, 12)


def image_credit(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    """Credits, and the short caption just above a credit (caption and credit come as a pair).

    A credit is bracketed, names an agency or a slash ("Jane Doe/Staff"), or is
    not a sentence; "Photographs by the workers fill the hall." is a sentence.
    """
    pack = ctx.pack
    assert pack is not None
    for i in _short_matches(paras, pack.image_credit, 25):
        text = _matchable(paras[i])
        if _words(text) > 12 and not text.startswith(("[", "(")):
            continue
        if not pack.credit_marker.search(text):
            continue
        yield i
        if i > 0 and _words(paras[i - 1]) <= 15 and not paras[i - 1].endswith((":", "：")):
            yield i - 1


def share_prompt(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    assert ctx.pack is not None
    return _short_matches(paras, ctx.pack.share_prompt, 10)


def more_prompt(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    assert ctx.pack is not None
    return _short_matches(paras, ctx.pack.more_prompt, 30)


def _list_item(para: str) -> str | None:
    """The text of a list item as trafilatura renders it ("- item"), else None."""
    return para[2:] if para.startswith(("- ", "• ", "* ")) else None


# How a line of prose ends, in every script (a headline does not): full stops, and the colon that
# introduces what follows, in ASCII and full-width forms, and closing quotes.
_PROSE_ENDS = (".", "!", "?", ":", "”", '"', "。", "！", "？", "：", "」", "』")


def related_list(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    """A "More stories" heading and the teaser list under it.

    The list is what follows the heading while it reads like teasers: list items, or short lines
    that are not sentences (headlines). The first paragraph that reads like prose ends it, so an
    article that goes on after a "Related coverage" heading keeps its text.
    """
    pack = ctx.pack
    assert pack is not None
    i = 0
    while i < len(paras):
        if _words(paras[i]) > 12 or not pack.related_heading.search(_matchable(paras[i])):
            i += 1
            continue
        yield i
        j = i + 1
        while j < len(paras):
            para = paras[j]
            item = _list_item(para)
            headline = _words(para) <= 20 and not para.rstrip().endswith(_PROSE_ENDS)
            if (item is not None and _words(item) <= 40) or headline:
                yield j
                j += 1
                continue
            break
        i = j


def interface_text(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    """Gallery, player and widget controls kept as text ("Previous", "- Fullscreen", "1 of 5")."""
    pack = ctx.pack
    assert pack is not None
    for i, para in enumerate(paras):
        text = _list_item(para) or para
        if _words(text) <= 6 and pack.interface.search(text.strip()):
            yield i


def see_also(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    assert ctx.pack is not None
    return _short_matches(paras, ctx.pack.see_also, 30)


def syndication_note(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    assert ctx.pack is not None
    return _short_matches(paras, ctx.pack.syndication_note, 30)


def cookie_notice(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    """Consent banners; a quoted sentence about cookies ("... said the regulator") is news."""
    pack = ctx.pack
    assert pack is not None
    for i in _short_matches(paras, pack.cookie_notice, 60):
        if not pack.reporting_verb.search(paras[i]):
            yield i


def contact_prompt(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    assert ctx.pack is not None
    return _short_matches(paras, ctx.pack.contact_prompt, 40)


def republish_notice(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    assert ctx.pack is not None
    return _short_matches(paras, ctx.pack.republish_notice, 40)


_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)]*$")
_QUOTED = re.compile(r"^[\"'“‘«„「『].*[\"'”’»“」』]$")
PULL_QUOTE_WORDS = (6, 40)
RUNNING_TEXT_WORDS = 15


def _reads_as_quote(para: str) -> bool:
    """A pull quote is a sentence set apart: it starts a sentence and ends one (or is quoted).

    What else a short block found inside a longer paragraph turns out to be, on real pages
    (Readability's and newspaper4k's test pages): a subheading the next paragraph repeats ("The
    Four Golden Signals"), a line of a hard-wrapped paragraph (starts in lower case or ends on a
    comma), a code or header line, a list item, a name. None of them starts and ends a sentence.
    """
    text = para.strip()
    if _CODE_LIKE.search(text) or text.startswith(("- ", "* ")):
        return False
    first = next((c for c in text if c.isalpha()), "")
    if first.islower():  # scripts without case (CJK, Arabic, Thai) never say lower
        return False
    return bool(_SENTENCE_END.search(text) or _QUOTED.match(text))


# A page of thousands of short sentences (a hostile page, a log dump) made this rule quadratic in
# Python: 4,000 paragraphs took 2 s. Each candidate is now one C-level search of the page's text,
# and the work per page is bounded: past these, the rest of the page is left as it is.
PULL_QUOTE_MAX_CANDIDATES = 1000
PULL_QUOTE_MAX_MATCHES = 100_000


def _searchable(folded: list[str]) -> tuple[str, list[int]]:
    """Every paragraph padded with spaces (a needle matches whole words), joined by NUL, which no
    folded text holds, so a match never spans two paragraphs; and where each paragraph begins."""
    starts = list(accumulate((len(text) + 3 for text in folded[:-1]), initial=0))
    return "\0".join(f" {text} " for text in folded), starts


def pull_quote(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    """A sentence set apart whose words all stand, in order, inside a longer paragraph: a pull quote.

    Only once the running text has begun: a standfirst the first paragraph repeats is the page's
    own summary, kept as its text.
    """
    folded = [fold_block(p) for p in paras]
    low, high = PULL_QUOTE_WORDS
    joined, starts = "", [0]  # the page's text, made at the first candidate (most pages have none)
    started = False
    candidates = matches = 0
    for i, text in enumerate(folded):
        words = _short_view(paras[i])[1]
        if started and low <= words <= high and _reads_as_quote(paras[i]):
            candidates += 1
            if candidates > PULL_QUOTE_MAX_CANDIDATES or matches > PULL_QUOTE_MAX_MATCHES:
                return
            if not joined:
                joined, starts = _searchable(folded)
            needle = f" {text} "
            pos = joined.find(needle)
            while pos != -1 and matches <= PULL_QUOTE_MAX_MATCHES:
                matches += 1
                j = bisect_right(starts, pos) - 1
                if j != i and len(folded[j]) >= 1.5 * len(text):
                    yield i
                    break
                pos = joined.find(needle, pos + 1)
        started = started or words >= RUNNING_TEXT_WORDS


def author_bio(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    """A bio at the end: "<Name> is a graduate of ..., covers ..." or "Reach her at ...".

    Only the last two paragraphs are considered, and the opening must read like
    a person introduced in the third person plus a word of the trade.
    """
    pack = ctx.pack
    assert pack is not None
    for i in range(max(0, len(paras) - 2), len(paras)):
        para = paras[i]
        if _words(para) > 90:
            continue
        if pack.contact_line.search(para) or (
            pack.bio_opening.search(para) and pack.bio_keywords.search(para)
        ):
            yield i


def learned_boilerplate(paras: list[str], ctx: RuleContext) -> Iterable[int]:
    """Paragraphs this site prints on many pages (learned across runs)."""
    if not ctx.learned:
        return
    for i, para in enumerate(paras):
        if fold_block(para) in ctx.learned:
            yield i


# Order matters only for the audit: the first rule to claim a paragraph is credited.
RULES: tuple[Rule, ...] = (
    Rule("title-repeat", title_repeat, needs_language=False),
    Rule("learned-site-boilerplate", learned_boilerplate, needs_language=False),
    Rule("promo-box", promo_box),
    Rule("newsletter-blurb", newsletter_blurb),
    Rule("sign-in-prompt", sign_in_prompt),
    Rule("image-credit", image_credit),
    Rule("copyright-line", copyright_line, needs_language=False),
    Rule("share-prompt", share_prompt),
    Rule("related-list", related_list),  # before more-prompt, which would take its heading alone
    Rule("more-prompt", more_prompt),
    Rule("see-also", see_also),
    Rule("interface-text", interface_text),
    Rule("syndication-note", syndication_note),
    Rule("cookie-notice", cookie_notice),
    Rule("contact-prompt", contact_prompt),
    Rule("republish-notice", republish_notice),
    Rule("call-to-action", call_to_action),
    Rule("bare-url", bare_url, needs_language=False),
    Rule("author-bio", author_bio),
    Rule("repeated-paragraph", repeated_paragraph, needs_language=False),
    Rule("pull-quote", pull_quote, needs_language=False),
)
