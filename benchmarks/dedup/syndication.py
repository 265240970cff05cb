"""A labelled set that looks like real syndication: real article bodies, copies with 1-5 changes.

``benchmarks/dedup/corpus.py`` gives each copy one change, and its thresholds were chosen on
them. Copies found in the wild carry several at once: a site takes a wire story, puts its
own headline on it, copy-edits it to house style ("per cent", "says"), cuts it to fit, wraps
it in its chrome; a scraper then flattens it. This set makes those copies:

* **Originals** come from real article bodies where they can: the ``body`` of the Readability
  (Apache-2.0) and newspaper4k (MIT) pages in ``shared/realpages`` (read only from a path given
  on the command line, ``--data``; without it that part is skipped and the result says so),
  the demo sites' articles (``cleanwire/demo/content``), and, for volume, articles from the
  grammar in ``corpus.py`` (labelled ``origin="generated"``).
* **Copies** carry 1-5 of ``CHANGES`` at once (``exact`` alone): truncation anywhere from 50 to
  90% of the words (at a sentence or mid-sentence, sometimes with a paywall line), re-wrapped
  lines, paragraphs dropped or added, another site's chrome (newsletter box, copyright, author
  bio, image caption and credit, related links, share bar), a new headline, copy-edits of house
  style (said/says, per cent/percent, 1,400/1400, UK/Britain, -ise/-ize, Mr./Mr), and a
  lower-cased flattened scrape. ``brief_in_chrome``: a one-paragraph brief syndicated from one
  site's chrome into another's.
* **Must-not-merge** documents, tied by ``group``: ``same_story`` (another article on the story:
  the demo sites' own pairs, grammar follow-ups, and real-derived follow-ups that reuse a
  quote or two of the original and otherwise other text), ``half`` (the two halves of a long
  article, both under its headline; the whole article is not in the set) and ``brief``
  (one-paragraph briefs of different stories in one site's identical chrome).

``build_syndication_set(split=...)``: the ``tune`` and ``report`` splits use different seeds and
disjoint real and demo originals, so that what is tuned on one is reported on the other.
"""

from __future__ import annotations

import json
import random
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.dedup import corpus, vocab
from benchmarks.dedup.corpus import LabelledDoc, _Draft, flatten, shingles

REPO = Path(__file__).resolve().parents[2]
DEMO_CONTENT = REPO / "cleanwire" / "demo" / "content"

CHANGES = (
    "exact",
    "whitespace",
    "truncated",
    "paragraph_dropped",
    "paragraphs_added",
    "chrome_added",
    "headline_changed",
    "copy_edits",
    "flattened",
    "brief_in_chrome",
)
KINDS = ("original", "copy", "same_story", "half", "brief")
COPY_KINDS = ("copy",)
APART_KINDS = ("same_story", "half", "brief")
SPLITS = {"tune": 101, "report": 202}
# Languages written with spaces between words: the others' bodies are a few "words" long.
_SPACED = re.compile(r"^(en|fr|es|de|pt|it|nl|cs|pl|sv|da|no|fi|ro|hu|tr)", re.IGNORECASE)


@dataclass
class Article:
    """An article as paragraphs, and what a site wraps around it."""

    headline: str
    paragraphs: list[str]
    origin: str
    top: list[str] = field(default_factory=list)
    bottom: list[str] = field(default_factory=list)

    def copy(self) -> Article:
        return Article(self.headline, list(self.paragraphs), self.origin, list(self.top), list(self.bottom))

    def text(self) -> str:
        return "\n\n".join([*self.top, self.headline, *self.paragraphs, *self.bottom])

    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


# ---------------------------------------------------------------------------------------------
# originals


def real_articles(data: Path) -> list[Article]:
    """Readability and newspaper4k bodies in languages written with spaces, 150+ words, no test
    filler, none of them a copy of another (the test suites reuse a few pages)."""
    out: list[Article] = []
    kept: list[set[str]] = []
    with open(data / "pages.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    for row in rows:
        body, language = row.get("body"), row.get("language") or "en"
        if not body or row.get("set") not in ("readability", "newspaper4k") or not _SPACED.match(language):
            continue
        if "lorem ipsum" in body.lower() or len(body.split()) < 150:
            continue
        paragraphs = [" ".join(line.split()) for line in body.splitlines() if len(line.split()) >= 3]
        if len(paragraphs) < 3:
            continue
        mine = shingles(body)
        if any(len(mine & other) > 0.2 * min(len(mine), len(other)) for other in kept):
            continue
        kept.append(mine)
        title = " ".join((row.get("title") or paragraphs[0][:80]).split())
        out.append(Article(title, paragraphs, str(row["set"])))
    return out


_FRONT = re.compile(r"^---\n(.*?)\n---\n", re.DOTALL)


def demo_articles() -> tuple[list[Article], list[list[int]]]:
    """The demo sites' own articles, and which of them are different articles on one story
    (their slugs share a story word: the Putin and Trump stories, the Cedar Ridge fire, the
    Ashford budget)."""
    out: list[Article] = []
    slugs: list[str] = []
    for path in sorted(DEMO_CONTENT.glob("*/*.md")):
        raw = path.read_text(encoding="utf-8")
        front = _FRONT.match(raw)
        if front is None or "syndicated_from" in front.group(1) or "kind: article" not in front.group(1):
            continue
        title = re.search(r'^title:\s*"?(.*?)"?\s*$', front.group(1), re.MULTILINE)
        body = raw[front.end() :]
        paragraphs = [
            " ".join(p.split()) for p in body.split("\n\n") if p.strip() and not p.startswith("!boiler")
        ]
        out.append(Article(title.group(1) if title else path.stem, paragraphs, "demo"))
        slugs.append(path.stem)
    stories: list[list[int]] = []
    for word in ("putin", "cedar-ridge", "budget"):
        members = [i for i, slug in enumerate(slugs) if word in slug]
        if len(members) > 1:
            stories.append(members)
    return out, stories


def generated_article(
    rng: random.Random, words: tuple[int, int] = (300, 900)
) -> tuple[Article, corpus._Story]:
    story = corpus._new_story(rng)
    background = rng.sample(story.background, rng.randint(1, 3))
    written = corpus._write(story, rng, rng.randint(*words), background=background)
    text = written.text().split("\n\n")
    return Article(text[0], text[1:], "generated"), story


def _in_split(key: str, split: str) -> bool:
    return (zlib.crc32(key.encode()) % 2 == 0) == (split == "tune")


# ---------------------------------------------------------------------------------------------
# sites and their chrome


@dataclass
class Site:
    name: str
    nav: str
    newsletter: list[str]
    copyright: str
    share: str
    related_heading: str
    headlines: list[str]
    bio_style: int
    extra: list[str]


def _site(rng: random.Random) -> Site:
    base = corpus._new_site(rng)
    name = base.name
    newsletter = rng.choice(
        (
            [
                f"Sign up for {name} newsletters",
                "Get the day's top stories delivered to your inbox.",
                "Sign up",
            ],
            [
                f"Subscribe to {name}",
                f"Support local journalism from {rng.choice(['just', 'only'])} £1 a week.",
            ],
            [f"The Morning Brief: the {name} newsletter", "Everything you need to know, before breakfast."],
            [base.lines["newsletter_line"]],
        )
    )
    copyright_line = rng.choice(
        (
            f"© {rng.randint(2019, 2026)} {name}. All rights reserved.",
            f"Copyright {rng.randint(2019, 2026)} {name} Media Group",
            base.lines["footer"],
        )
    )
    headlines = [corpus._sentence("headline", rng, corpus._new_story(rng).env) for _ in range(12)]
    return Site(
        name,
        base.lines["nav"],
        newsletter,
        copyright_line,
        base.lines["share"],
        rng.choice(("Related", "Read more", "More from " + name, "You may also like", "Most read")),
        headlines,
        rng.randrange(3),
        [base.lines["cookie"], base.lines["apps"], base.lines["subscribe"]],
    )


def _bio(site: Site, rng: random.Random) -> str:
    person = corpus._person(rng)[0]
    first = person.split()[0]
    beat = rng.choice(["politics", "business", "health", "the courts"])
    if site.bio_style == 0:
        return f"{person} is a reporter for the {site.name} covering {beat}."
    if site.bio_style == 1:
        domain = site.name.lower().replace(" ", "")
        return f"Reach {first} at {first.lower()}@{domain}.com or on X."
    other = rng.choice(["local government", "science", "transport"])
    return f"{person} has covered {other} for {rng.randint(2, 20)} years."


def wrap_in_chrome(article: Article, site: Site, rng: random.Random) -> None:
    """Another site's chrome around the story: a few of its lines above, several below, maybe an
    image caption and credit inside."""
    top = [site.nav] if rng.random() < 0.6 else []
    if rng.random() < 0.3:
        top.append(rng.choice(site.extra))
    bottom: list[str] = []
    pieces = ["newsletter", "copyright", "bio", "related", "share"]
    for piece in rng.sample(pieces, rng.randint(2, 5)):
        if piece == "newsletter":
            bottom.extend(site.newsletter)
        elif piece == "copyright":
            bottom.append(site.copyright)
        elif piece == "bio":
            bottom.append(_bio(site, rng))
        elif piece == "related":
            bottom.append(site.related_heading)
            bottom.extend(rng.sample(site.headlines, rng.randint(2, 5)))
        else:
            bottom.append(site.share)
    if rng.random() < 0.5 and len(article.paragraphs) > 2:
        agency = rng.choice(vocab.AGENCIES)
        caption = rng.choice(
            (
                f"Photo: {corpus._person(rng)[0]}/{agency}",
                f"Image credit: {agency}",
                f"(Photo by {corpus._person(rng)[0]} / {site.name})",
            )
        )
        article.paragraphs.insert(rng.randint(1, 2), caption)
    article.top = top + article.top
    article.bottom = article.bottom + bottom


# ---------------------------------------------------------------------------------------------
# changes


_COPY_EDITS: tuple[tuple[str, str], ...] = (
    (r"\bsaid\b", "says"),
    (r"\bsays\b", "said"),
    (r"\bper cent\b", "percent"),
    (r"\bpercent\b", "per cent"),
    (r"(\d)%", r"\1 per cent"),
    (r"\bUK\b", "Britain"),
    (r"\bBritain\b", "the UK"),
    (r"\bUS\b", "U.S."),
    (r"\bU\.S\.", "US"),
    (r"\bMr\. ", "Mr "),
    (r"\bMrs\. ", "Mrs "),
    (r"\bDr\. ", "Dr "),
    (r"\btoward\b", "towards"),
    (r"\bamong\b", "amongst"),
    (r"(\w)ize\b", r"\1ise"),
    (r"(\w)ise\b", r"\1ize"),
    (r"(\w)our\b", r"\1or"),
    (r"\bSept\.", "September"),
    (r"\bgovernment\b", "Government"),
    (r"\bthat\b", "which"),
)
_THOUSANDS = re.compile(r"\b(\d{1,3}),(\d{3})\b")
_PLAIN_THOUSANDS = re.compile(r"\b(\d)(\d{3})\b")


def copy_edit(article: Article, rng: random.Random) -> None:
    """House style: a few of the substitutions above, each at some of its places, and numbers
    written with or without thousands separators. At least two words change."""
    text = "\n".join(article.paragraphs)
    changed = 0
    for pattern, replacement in rng.sample(_COPY_EDITS, rng.randint(3, 8)):
        share = rng.uniform(0.4, 1.0)

        def maybe(match: re.Match[str], replacement: str = replacement, share: float = share) -> str:
            nonlocal changed
            if rng.random() > share:
                return match.group(0)
            changed += 1
            return match.expand(replacement)

        text = re.sub(pattern, maybe, text)
    text = _THOUSANDS.sub(r"\1\2", text) if rng.random() < 0.5 else _PLAIN_THOUSANDS.sub(r"\1,\2", text)
    paragraphs = text.split("\n")
    while changed < 2:  # nothing matched: an adjective cut, a word swapped
        i = rng.randrange(len(paragraphs))
        toks = paragraphs[i].split()
        if len(toks) > 6:
            at = rng.randrange(1, len(toks) - 1)
            toks[at] = rng.choice(("also", "now", "recently", "reportedly", "still"))
            paragraphs[i] = " ".join(toks)
        changed += 1
    article.paragraphs = paragraphs


def truncate(article: Article, rng: random.Random, site: Site) -> None:
    """The first 50-90% of the words: at a sentence end, or mid-sentence with an ellipsis; often
    a paywall or read-more line after."""
    keep = round(article.words() * rng.uniform(0.5, 0.9))
    out: list[str] = []
    count = 0
    mid_sentence = rng.random() < 0.4
    for para in article.paragraphs:
        n = len(para.split())
        if count + n <= keep:
            out.append(para)
            count += n
            continue
        need = keep - count
        if mid_sentence and need > 0:
            out.append(" ".join(para.split()[:need]) + rng.choice(("…", "...", " [...]")))
        elif need > 0:
            sentences = re.split(r"(?<=[.!?”\"])\s+", para)
            partial, used = [], 0
            for sentence in sentences:
                if used + len(sentence.split()) > need:
                    break
                partial.append(sentence)
                used += len(sentence.split())
            if partial:
                out.append(" ".join(partial))
        break
    if rng.random() < 0.5:
        out.append(corpus.expand(rng.choice(vocab.TEASER_ENDINGS), rng, {"site": site.name}))
    article.paragraphs = out or article.paragraphs[:1]


def drop_paragraphs(article: Article, rng: random.Random) -> None:
    paras = article.paragraphs
    for _ in range(1 if len(paras) < 12 or rng.random() < 0.6 else 2):
        if len(paras) > 3:
            del paras[rng.randint(1, len(paras) - 2)]


def add_paragraphs(article: Article, rng: random.Random, donors: list[Article]) -> None:
    """An update, an editor's note, or a paragraph of local context (someone else's text)."""
    for _ in range(rng.choice((1, 1, 2))):
        kind = rng.random()
        if kind < 0.35:
            story = corpus._new_story(rng)
            para = " ".join(
                corpus._sentence(rng.choice(("detail", "reaction")), rng, story.env) for _ in range(2)
            )
        elif kind < 0.6:
            para = rng.choice(
                (
                    "Update: this story has been updated with a response from the council.",
                    "Editor's note: an earlier version of this story misstated the date. It was corrected on "
                    + rng.choice(("Monday.", "Tuesday.", "Friday.")),
                    "This is a developing story and will be updated.",
                    f"Additional reporting by {rng.choice(vocab.AGENCIES)}.",
                )
            )
        else:
            donor = rng.choice(donors)
            para = rng.choice(donor.paragraphs)
        article.paragraphs.insert(rng.randint(1, len(article.paragraphs)), para)


def new_headline(article: Article, rng: random.Random, site: Site) -> None:
    how = rng.random()
    if how < 0.4:
        article.headline = corpus._sentence("headline", rng, corpus._new_story(rng).env)
    elif how < 0.7:
        article.headline = f"{article.headline} | {site.name}"
    else:
        article.headline = rng.choice(("UPDATED: ", "WATCH: ", "Breaking: ", "")) + article.headline.upper()


def regroup(items: list[str], rng: random.Random, lo: int, hi: int) -> list[str]:
    """``items`` run together, ``lo``-``hi`` at a time: sentences or paragraphs laid out anew."""
    out, at = [], 0
    while at < len(items):
        take = rng.randint(lo, hi)
        out.append(" ".join(items[at : at + take]))
        at += take
    return out


def rewrap(text: str, rng: random.Random) -> str:
    """The same words laid out again: hard-wrapped lines, paragraphs run together, CRLF, tabs."""
    how = rng.randrange(4)
    blocks = text.split("\n\n")
    if how == 0:
        width = rng.randint(55, 80)
        out = []
        for block in blocks:
            lines, line = [], ""
            for word in block.split():
                if line and len(line) + 1 + len(word) > width:
                    lines.append(line)
                    line = word
                else:
                    line = f"{line} {word}" if line else word
            lines.append(line)
            out.append("\n".join(lines))
        return "\n\n".join(out)
    if how == 1:
        return "\n\n".join(regroup(blocks, rng, 1, 3))
    if how == 2:
        return "\r\n\r\n".join(b.replace(". ", ".  ") for b in blocks)
    return "\n".join("\t" + b for b in blocks)


# ---------------------------------------------------------------------------------------------
# the set


_N_CHANGES = (1, 1, 1, 2, 2, 2, 3, 3, 4, 5)
_COMPOUND = CHANGES[1:-1]


def make_copy(
    original: Article, changes: list[str], rng: random.Random, site: Site, donors: list[Article]
) -> str:
    """Apply ``changes`` in the order a copy goes through them: edits, cut, chrome, layout."""
    art = original.copy()
    if "headline_changed" in changes:
        new_headline(art, rng, site)
    if "copy_edits" in changes:
        copy_edit(art, rng)
    if "paragraph_dropped" in changes:
        drop_paragraphs(art, rng)
    if "paragraphs_added" in changes:
        add_paragraphs(art, rng, donors)
    if "truncated" in changes:
        truncate(art, rng, site)
    if "chrome_added" in changes:
        wrap_in_chrome(art, site, rng)
    text = art.text()
    if "whitespace" in changes:
        text = rewrap(text, rng)
    if "flattened" in changes:
        text = flatten(text)
    return text




def _brief_text(article: Article) -> str | None:
    for para in article.paragraphs:
        if 30 <= len(para.split()) <= 90:
            return para
    return None


def _brief_in(site_lines: list[str], headline: str, body: str) -> str:
    """A one-paragraph brief inside a site's chrome lines (header lines, then the brief, then
    the rest)."""
    head, tail = site_lines[:2], site_lines[2:]
    return "\n\n".join([*head, headline, body, *tail])


def _site_lines(site: Site, rng: random.Random) -> list[str]:
    return [
        site.nav,
        rng.choice(site.extra),
        *site.newsletter,
        site.related_heading,
        *rng.sample(site.headlines, rng.randint(3, 6)),
        site.copyright,
    ]


def build_syndication_set(
    split: str = "report", data: Path | None = None, generated: int = 320, copies_per_real: int = 7
) -> tuple[list[LabelledDoc], dict[str, object]]:
    """The labelled set of one split, and what it was made from (real pages used or skipped)."""
    rng = random.Random(SPLITS[split])
    notes: dict[str, object] = {"split": split, "seed": SPLITS[split]}
    real: list[Article] = []
    outside: list[Article] = []  # the other split's real and demo articles: text of nobody in this set
    if data is not None and (data / "pages.jsonl").exists():
        every = real_articles(data)
        real = [a for i, a in enumerate(every) if _in_split(f"real{i}", split)]
        outside = [a for i, a in enumerate(every) if not _in_split(f"real{i}", split)]
        notes["real_pages"] = f"{len(real)} bodies from {data} (of {len(every)} usable)"
    else:
        notes["real_pages"] = f"skipped: no pages.jsonl under {data}" if data else "skipped: no --data given"
    demo, demo_stories = demo_articles()
    in_story = {i for members in demo_stories for i in members}
    demo_own = [a for i, a in enumerate(demo) if i not in in_story and _in_split(f"demo{i}", split)]
    outside += [a for i, a in enumerate(demo) if i not in in_story and not _in_split(f"demo{i}", split)]
    sites = [_site(rng) for _ in range(30)]
    drafts: list[_Draft] = []
    counter = iter(range(10**9))

    def key() -> str:
        return f"k{next(counter)}"

    def add(text: str, cluster: str | None, kind: str, origin: str, **kw: object) -> _Draft:
        k = key()
        draft = _Draft(k, text, cluster or k, kind, origin=origin, **kw)  # type: ignore[arg-type]
        drafts.append(draft)
        return draft

    # long real or generated articles become halves; the whole is not in the set
    halves = [a for a in real if a.words() >= 700][: max(2, len(real) // 8)]
    real = [a for a in real if a not in halves]
    gen_pool = [generated_article(rng) for _ in range(generated)]
    for _ in range(max(6, generated // 16)):
        art, _story = generated_article(rng, (1300, 2000))
        halves.append(art)
    for i, art in enumerate(halves):
        counts = [len(p.split()) for p in art.paragraphs]
        aim, running, split_at, best = sum(counts) * rng.uniform(0.4, 0.6), 0, 1, 1e9
        for j, c in enumerate(counts[:-1]):
            running += c
            if abs(running - aim) < best:
                best, split_at = abs(running - aim), j + 1
        for part in (art.paragraphs[:split_at], art.paragraphs[split_at:]):
            add("\n\n".join([art.headline, *part]), None, "half", art.origin, group=f"half-{i:04d}")

    # Briefs come from text nobody else in the set has (the other split's ledes, grammar briefs),
    # so that no brief is the lede of an original here.
    brief_sources = [generated_article(rng, (120, 200))[0] for _ in range(160)]
    brief_bodies = [(a.headline, b, a.origin) for a in outside + brief_sources if (b := _brief_text(a))]
    rng.shuffle(brief_bodies)
    n_groups = 0
    while len(brief_bodies) > 60:
        size = rng.choice((2, 3, 3, 4))
        site = rng.choice(sites)
        lines = _site_lines(site, rng)
        for headline, body, origin in (brief_bodies.pop() for _ in range(size)):
            add(_brief_in(lines, headline, body), None, "brief", origin, group=f"brief-{n_groups:04d}")
        n_groups += 1
    donors = outside + [generated_article(rng)[0] for _ in range(40)]
    # one-paragraph briefs syndicated from one site's chrome into another's
    for headline, body, origin in brief_bodies:
        site_a, site_b = rng.sample(sites, 2)
        first = add(_brief_in(_site_lines(site_a, rng), headline, body), None, "original", origin)
        art = Article(headline, [body], origin)
        extra = rng.sample(
            ("copy_edits", "headline_changed", "whitespace", "flattened"), rng.choice((0, 0, 1, 2))
        )
        if "copy_edits" in extra:
            copy_edit(art, rng)
        if "headline_changed" in extra:
            new_headline(art, rng, site_b)
        text = _brief_in(_site_lines(site_b, rng), art.headline, art.paragraphs[0])
        if "whitespace" in extra:
            text = rewrap(text, rng)
        if "flattened" in extra:
            text = flatten(text)
        add(text, first.key, "copy", origin, changes=("brief_in_chrome", *sorted(extra)))

    def copies_of(art: Article, n: int, cluster: str) -> None:
        for _ in range(n):
            count = rng.choice(_N_CHANGES)
            exact = count == 1 and rng.random() < 0.12
            changes = ["exact"] if exact else rng.sample(_COMPOUND, count)
            site = rng.choice(sites)
            add(
                make_copy(art, changes, rng, site, donors),
                cluster,
                "copy",
                art.origin,
                changes=tuple(sorted(changes)),
            )

    # originals with copies; some real and generated ones with a same-story follow-up
    for i, art in enumerate(real + demo_own):
        original = add(art.text(), None, "original", art.origin)
        copies_of(art, copies_per_real, original.key)
        if i % 4 == 0 and len(art.paragraphs) >= 4:
            original.group = f"same_story-r{i:04d}"
            add(_follow_up(art, rng), None, "same_story", art.origin, group=original.group)
    for g, members in enumerate(demo_stories):
        if not _in_split(f"story{g}", split) and len(demo_stories) > 1:
            continue
        group = f"same_story-d{g:04d}"
        for j, i in enumerate(members):
            original = add(demo[i].text(), None, "original" if j == 0 else "same_story", "demo", group=group)
            if j == 0:
                copies_of(demo[i], 3, original.key)
    for i, (art, story) in enumerate(gen_pool):
        original = add(art.text(), None, "original", "generated")
        copies_of(art, rng.choice((1, 2, 2, 3)), original.key)
        if i % 5 == 0:
            original.group = f"same_story-g{i:04d}"
            other = corpus._same_story(
                corpus._Draft(original.key, original.text, original.key, "original"),
                corpus._Article(art.headline, None, [[p] for p in art.paragraphs]),
                story,
                rng,
                key(),
                original.group,
            )
            add(other.text, None, "same_story", "generated", group=original.group)

    rng.shuffle(drafts)
    ids = {d.key: f"{split}-{i:05d}" for i, d in enumerate(drafts)}
    docs = [
        LabelledDoc(ids[d.key], d.text, ids[d.cluster], d.kind, d.group, d.changes, d.origin) for d in drafts
    ]
    notes["docs"] = len(docs)
    return docs, notes


def _follow_up(art: Article, rng: random.Random) -> str:
    """Another article on the story: a new headline, a quote or two of the original (at most a
    third of the follow-up's words), the rest new reporting (from the grammar: new text)."""
    quotes = [p for p in art.paragraphs if "“" in p or '"' in p] or art.paragraphs[1:]
    reused = rng.sample(quotes, min(len(quotes), rng.randint(1, 2)))
    fresh, _story = generated_article(rng, (250, 600))
    body = list(fresh.paragraphs)
    words = sum(len(p.split()) for p in body)
    for para in reused:
        if len(para.split()) <= 0.5 * words:
            body.insert(rng.randint(1, len(body)), para)
            words += len(para.split())
    return "\n\n".join([fresh.headline, *body])
