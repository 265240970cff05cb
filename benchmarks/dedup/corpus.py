"""The near-duplicate benchmark's data: a labelled set of news-like documents, and a fast stream.

``build_labelled_set`` writes articles from a small grammar (``vocab.py``): each story has its
own people, organisations, place and topic, and its sentences put a slot every few words, so
unrelated articles share few word 5-grams. Around those originals it makes what a crawler sees:

* copies that must join their original's cluster: ``exact``; ``syndicated`` (30-80 words of
  another site's chrome lines above and below); ``light_edit`` (new headline, a sentence
  changed, a paragraph added or dropped: one to three of these); ``truncated`` (the first
  60-80% of the words, cut at a sentence or mid-sentence, sometimes with a paywall line);
  ``flattened`` (one line, lower case, accents and punctuation gone: "Russia’s" -> "russia s");
* documents that must stay apart although they look alike, tied by ``group``: ``same_story``
  (a different article on the same story as an original: same people and places, some
  background paragraphs and a quote reused word for word, different events), ``half`` (the
  two halves of a long article split at a paragraph boundary, both under its headline), and
  ``brief`` (2-4 sentence items wrapped in 2-4 lines of one site's chrome, which make up most
  of their words).

An original's group, if any, is set on the original itself and not on its copies: a group
has one document per gold cluster, so the pairs inside a group are the pairs that must not
be merged. Everything is drawn from one ``random.Random(seed)``: the same seed gives the
same set, text for text.

``synthetic_docs`` is the throughput stream: random text over a large Zipf-weighted
vocabulary, about 10% of it copies (exact, flattened, truncated, chrome-wrapped, a paragraph
dropped) of recent documents. It is generated lazily and keeps only a window of recent texts.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from benchmarks.dedup import vocab

KINDS = (
    "original",
    "exact",
    "syndicated",
    "light_edit",
    "truncated",
    "flattened",
    "same_story",
    "half",
    "brief",
)
COPY_KINDS = ("exact", "syndicated", "light_edit", "truncated", "flattened")
APART_KINDS = ("same_story", "half", "brief")


@dataclass(frozen=True)
class LabelledDoc:
    id: str
    text: str
    cluster: str
    kind: str
    group: str | None = None
    # What was done to a copy (``syndication.CHANGES``), and where its original's text came from.
    changes: tuple[str, ...] = ()
    origin: str = "generated"


# ---------------------------------------------------------------------------------------------
# shingles (also used by the tests and the bench's baselines)

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Lower-cased word tokens: runs of letters and digits, so "Russia’s" is "russia", "s"."""
    return _WORD.findall(text.lower())


def shingles(text: str, n: int = 5) -> set[str]:
    toks = words(text)
    if len(toks) < n:
        return {" ".join(toks)} if toks else set()
    return {" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def flatten(text: str) -> str:
    """What old scrapers made of text: one line, lower case, ASCII letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", ascii_only).split())


# ---------------------------------------------------------------------------------------------
# the grammar

_SLOT = re.compile(r"\{(\w+)\}")
Alternatives = tuple[str, ...]
Value = str | Alternatives | Callable[[random.Random], str]

_RULES: dict[str, Alternatives] = {key: tuple(text.split("|")) for key, text in vocab.RULES.items()}
_CHROME: dict[str, Alternatives] = dict(vocab.CHROME)
_TOPICS: dict[str, dict[str, Alternatives]] = {
    name: {key: tuple(text.split("|")) for key, text in spec.items()} for name, spec in vocab.TOPICS.items()
}
_NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine")
_ORG_PREFIXES = vocab._split(
    "National Northern Southern United Central Atlantic Meridian Pioneer Crown Civic Regional "
    "Coastal Summit Keystone Harbour Evergreen Western Eastern Highland Lowland"
)


def _num_small(rng: random.Random) -> str:
    n = rng.randint(2, 30)
    return _NUMBER_WORDS[n - 2] if n < 10 and rng.random() < 0.7 else str(n)


def _num_big(rng: random.Random) -> str:
    magnitude = rng.choice((100, 1000, 10_000))
    n = rng.randint(12, 99) * magnitude // 10
    n += rng.choice((0, 0, rng.randint(1, 9) * magnitude // 100))
    return f"{n:,}"


def _pct(rng: random.Random) -> str:
    value = rng.choice((round(rng.uniform(0.3, 9.9), 1), rng.randint(10, 45)))
    return f"{value}%" if rng.random() < 0.4 else f"{value} percent"


def _money(rng: random.Random) -> str:
    cur = rng.choice("£$€")
    kind = rng.random()
    if kind < 0.45:
        return f"{cur}{rng.randint(2, 950)} million"
    if kind < 0.65:
        return f"{cur}{rng.randint(1, 9)}.{rng.randint(1, 9)} billion"
    if kind < 0.85:
        return f"{cur}{rng.randint(12, 980) * 1000:,}"
    return f"{cur}{rng.randint(2, 99)}.{rng.randint(1, 9)}m"


_GENERIC: dict[str, Value] = {
    "num_small": _num_small,
    "num_big": _num_big,
    "pct": _pct,
    "money": _money,
    "year": lambda rng: str(rng.randint(1987, 2023)),
    "year_future": lambda rng: str(rng.randint(2025, 2035)),
    "founded": lambda rng: str(rng.randint(1821, 1990)),
    "founded_recent": lambda rng: str(rng.randint(2019, 2025)),
    "paper_place": lambda rng: _place_name(rng),
    "paper_word": tuple(vocab.PAPER_WORDS),
    "agency": tuple(vocab.AGENCIES),
}


def expand(template: str, rng: random.Random, env: dict[str, Value], depth: int = 0) -> str:
    """Fill every ``{slot}`` of ``template``: story facts first, then the rules."""

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        value = env.get(key)
        if value is None:
            value = _GENERIC.get(key)
        if value is None:
            value = _RULES.get(key) or _CHROME.get(key)
        if value is None:
            raise KeyError(f"no rule for slot {{{key}}} in {template!r}")
        if callable(value):
            text = value(rng)
        elif isinstance(value, tuple):
            text = rng.choice(value)
        else:
            text = value
        return expand(text, rng, env, depth + 1) if "{" in text and depth < 12 else text

    return _SLOT.sub(fill, template)


_QUOTE_START = re.compile(r"([“\"])([a-z])")


def _sentence(rule: str, rng: random.Random, env: dict[str, Value]) -> str:
    alternatives = env.get(rule)
    if not isinstance(alternatives, tuple):
        alternatives = _RULES[rule]
    text = expand(rng.choice(alternatives), rng, env)
    text = " ".join(text.split())
    text = _QUOTE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    return text[0].upper() + text[1:]


_STYLED = ("lede", "detail", "quote", "qbody", "reaction", "attrib", "closing", "headline")


def _styled(env: dict[str, Value], rng: random.Random) -> dict[str, Value]:
    """The story's facts with a writer's habits: each article uses about 60% of the templates."""
    styled = dict(env)
    for rule in _STYLED:
        alternatives = _RULES[rule]
        styled[rule] = tuple(rng.sample(alternatives, max(2, math.ceil(0.6 * len(alternatives)))))
    return styled


def _place_name(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return rng.choice(vocab.REAL_PLACES)
    return rng.choice(vocab.PLACE_HEADS) + rng.choice(vocab.PLACE_TAILS)


def _person(rng: random.Random) -> tuple[str, str]:
    last = rng.choice(vocab.LAST_NAMES)
    return f"{rng.choice(vocab.FIRST_NAMES)} {last}", last


def _org_name(rng: random.Random, topic: dict[str, Alternatives], place: str) -> str:
    kind = rng.choice(topic["orgtype"])
    style = rng.random()
    if style < 0.35:
        return f"{place} {kind}"
    if style < 0.6:
        return f"{rng.choice(vocab.LAST_NAMES)} {kind}"
    return f"{rng.choice(_ORG_PREFIXES)} {kind}"


@dataclass
class _Story:
    """The facts one story keeps across every article written about it."""

    env: dict[str, Value]
    background: list[list[str]] = field(default_factory=list)


def _new_story(rng: random.Random) -> _Story:
    topic_name = rng.choice(sorted(_TOPICS))
    topic = _TOPICS[topic_name]
    place, place2 = _place_name(rng), _place_name(rng)
    env: dict[str, Value] = {
        "place": place,
        "place2": place2,
        "region": rng.choice(vocab.REGIONS),
        "country": rng.choice(vocab.COUNTRIES),
        "thing": rng.choice(topic["thing"]),
        "tthing": topic["thing"],
        "issue": topic["issue"],
        "group": topic["group"],
        "act": topic["act"],
        "act_ing": tuple(_ing(a) for a in topic["act"]),
    }
    orgs = []
    while len(orgs) < 3:
        name = _org_name(rng, topic, place if not orgs else _place_name(rng))
        if name not in orgs:
            orgs.append(name)
    env["org1"], env["org2"], env["org3"] = orgs
    people = []
    for i in (1, 2, 3):
        full, last = _person(rng)
        role = rng.choice(topic["role"])
        org = orgs[0] if i == 1 else rng.choice(orgs)
        env[f"p{i}"], env[f"p{i}_last"], env[f"p{i}_role"], env[f"p{i}_org"] = full, last, role, org
        people.append((full, last, role, org))
    env["pq"] = tuple(p[1] for p in people)
    env["pq_full"] = tuple(p[0] for p in people) + tuple(f"{p[0]}, the {p[2]} of {p[3]}," for p in people)
    story = _Story(env)
    for _ in range(rng.randint(3, 4)):
        story.background.append([_sentence("background", rng, env) for _ in range(rng.randint(1, 2))])
    return story


def _ing(verb: str) -> str:
    head, _, rest = verb.partition(" ")
    if head.endswith("e") and not head.endswith("ee"):
        head = head[:-1]
    elif re.fullmatch(r"[^aeiou]*[aeiou][bdgmnprt]", head) and len(head) <= 4:
        head += head[-1]
    return f"{head}ing {rest}".strip()


# ---------------------------------------------------------------------------------------------
# articles


@dataclass
class _Article:
    headline: str
    byline: str | None
    paragraphs: list[list[str]]
    curly: bool = True

    def text(self) -> str:
        lines = [self.headline]
        if self.byline:
            lines.append(self.byline)
        lines.extend(" ".join(p) for p in self.paragraphs)
        return _typography("\n\n".join(lines), self.curly)

    def n_words(self) -> int:
        return sum(len(s.split()) for p in self.paragraphs for s in p) + len(self.headline.split())


def _typography(text: str, curly: bool) -> str:
    if curly:
        return text.replace("'", "’")
    return text.replace("“", '"').replace("”", '"').replace("’", "'")


_SECTION_CYCLE = ("detail", "quote", "detail", "reaction", "quote", "detail", "reaction", "detail")


def _paragraph(section: str, rng: random.Random, env: dict[str, Value]) -> list[str]:
    if section == "quote":
        sentences = [_sentence("quote", rng, env)]
        if rng.random() < 0.5:
            sentences.append(_sentence(rng.choice(("detail", "reaction")), rng, env))
        return sentences
    return [_sentence(section, rng, env) for _ in range(rng.choice((1, 2, 2, 3)))]


def _write(
    story: _Story,
    rng: random.Random,
    target_words: int,
    background: list[list[str]] | None = None,
    extra: list[list[str]] | None = None,
) -> _Article:
    """An article about ``story``: a lede, then detail, quotes and reactions, then a closing line.

    ``background`` paragraphs go after the third paragraph, ``extra`` ones (reused text)
    somewhere in the middle; the article is grown to about ``target_words`` words.
    """
    env = _styled(story.env, rng)
    headline = " ".join(_sentence("headline", rng, env).split())
    byline = None
    if rng.random() < 0.6:
        reporter = _person(rng)[0]
        byline = rng.choice((f"By {reporter}", f"{reporter}, {rng.choice(vocab.PAPER_WORDS)} correspondent"))
    lede = [_sentence("lede", rng, env)]
    if rng.random() < 0.6:
        lede.append(_sentence("detail", rng, env))
    if rng.random() < 0.35:
        month = rng.choice(_RULES["month"])
        agency = rng.choice(vocab.AGENCIES)
        lede[0] = f"{str(env['place']).upper()}, {month} {rng.randint(1, 28)} ({agency}) — {lede[0]}"
    paragraphs = [lede]
    fixed = [p for p in (background or [])] + [p for p in (extra or [])]
    n_fixed_words = sum(len(s.split()) for p in fixed for s in p)
    closing = [_sentence("closing", rng, env)]
    budget = target_words - n_fixed_words - len(closing[0].split())
    count = sum(len(s.split()) for s in lede)
    offset = rng.randrange(len(_SECTION_CYCLE))
    i = 0
    while count < budget:
        para = _paragraph(_SECTION_CYCLE[(offset + i) % len(_SECTION_CYCLE)], rng, env)
        paragraphs.append(para)
        count += sum(len(s.split()) for s in para)
        i += 1
    if background:
        at = min(len(paragraphs), rng.randint(2, 4))
        paragraphs[at:at] = [list(p) for p in background]
    for para in extra or []:
        paragraphs.insert(rng.randint(1, len(paragraphs)), list(para))
    paragraphs.append(closing)
    return _Article(headline, byline, paragraphs, curly=rng.random() < 0.7)


# ---------------------------------------------------------------------------------------------
# sites and their chrome


@dataclass
class _Site:
    name: str
    env: dict[str, Value]
    lines: dict[str, str]
    most_read: list[str]

    def most_read_line(self, n: int) -> str:
        return "Most read: " + " | ".join(self.most_read[:n])


def _new_site(rng: random.Random) -> _Site:
    place = _place_name(rng)
    name = rng.choice((f"{place} {rng.choice(vocab.PAPER_WORDS)}", f"Daily {rng.choice(vocab.PAPER_WORDS)}"))
    env: dict[str, Value] = {"site": name, "site_place": place}
    lines = {
        key: " ".join(expand(rng.choice(_CHROME[key]), rng, env).split())
        for key in ("nav", "subscribe", "newsletter_line", "share", "footer", "apps", "cookie")
    }
    most_read = []
    for _ in range(10):
        story = _new_story(rng)
        most_read.append(_sentence("headline", rng, story.env))
    return _Site(name, env, lines, most_read)


def _n(text: str) -> int:
    return len(text.split())


def _chrome_wrap(site: _Site, rng: random.Random, lo: int = 30, hi: int = 80) -> tuple[list[str], list[str]]:
    """Lines above and below a syndicated copy: ``lo``-``hi`` words of ``site``'s chrome."""
    for _ in range(50):
        top_keys = rng.sample(("nav", "subscribe", "newsletter_line", "apps", "cookie"), rng.randint(0, 2))
        bottom_keys = rng.sample(("share", "footer", "newsletter_line", "most_read", "attribution"), 2)
        top = [site.lines[k] for k in top_keys]
        bottom = []
        for key in bottom_keys:
            if key in top_keys:
                continue
            if key == "most_read":
                bottom.append(site.most_read_line(rng.randint(2, 4)))
            elif key == "attribution":
                bottom.append(expand(rng.choice(vocab.ATTRIBUTIONS), rng, site.env))
            else:
                bottom.append(site.lines[key])
        total = sum(_n(x) for x in top + bottom)
        if lo <= total <= hi and (top or bottom):
            return top, bottom
    return [site.lines["share"]], [site.lines["footer"]]


# ---------------------------------------------------------------------------------------------
# copies


def _light_edit(article: _Article, story: _Story, rng: random.Random) -> str:
    """One to three of: a new headline, a sentence rewritten, a paragraph added, a paragraph dropped."""
    original = article.text()
    edited = _Article(article.headline, article.byline, [list(p) for p in article.paragraphs], article.curly)
    ops = rng.sample(("headline", "sentence", "add", "drop"), rng.choice((1, 2, 2, 3)))
    while ops:
        op = ops.pop()
        if op == "headline":
            edited.headline = " ".join(_sentence("headline", rng, story.env).split())
        elif op == "sentence":
            para = rng.choice(edited.paragraphs[1:-1] or edited.paragraphs)
            para[rng.randrange(len(para))] = _sentence(rng.choice(("detail", "reaction")), rng, story.env)
        elif op == "add":
            section = rng.choice(("detail", "quote", "reaction"))
            at = rng.randint(1, len(edited.paragraphs))
            edited.paragraphs.insert(at, _paragraph(section, rng, story.env))
        elif len(edited.paragraphs) > 4:
            del edited.paragraphs[rng.randint(1, len(edited.paragraphs) - 2)]
        if not ops and edited.text() == original:
            ops.append("sentence")
    return edited.text()


def _truncate(article: _Article, rng: random.Random, site: _Site) -> str:
    """The first 60-80% of the words: at a sentence end, or mid-sentence with an ellipsis."""
    text = article.text()
    blocks = text.split("\n\n")
    total = sum(_n(b) for b in blocks)
    keep = round(total * rng.uniform(0.6, 0.8))
    out: list[str] = []
    count = 0
    mid_sentence = rng.random() < 0.35
    for block in blocks:
        n = _n(block)
        if count + n <= keep:
            out.append(block)
            count += n
            continue
        toks = block.split()
        need = keep - count
        if mid_sentence:
            if need > 0:
                out.append(" ".join(toks[:need]) + "…")
        else:
            # whole sentences of this block that fit
            sentences = re.split(r"(?<=[.!?”\"])\s+", block)
            partial: list[str] = []
            used = 0
            for sentence in sentences:
                if used + _n(sentence) > need:
                    break
                partial.append(sentence)
                used += _n(sentence)
            if partial:
                out.append(" ".join(partial))
        break
    if rng.random() < 0.4:
        out.append(expand(rng.choice(vocab.TEASER_ENDINGS), rng, site.env))
    return "\n\n".join(out)


# ---------------------------------------------------------------------------------------------
# the labelled set


@dataclass
class _Draft:
    """A document before its id is fixed; ``changes`` and ``origin`` are the syndication set's."""

    key: str
    text: str
    cluster: str
    kind: str
    group: str | None = None
    changes: tuple[str, ...] = ()
    origin: str = "generated"


def _plan(n_docs: int) -> dict[str, int]:
    per_copy = max(3, round(n_docs * 0.07))
    plan = {
        "per_copy": per_copy,
        "same_story": max(3, round(n_docs * 0.06)),
        "half_pairs": max(2, round(n_docs * 0.03)),
        "brief_docs": max(6, round(n_docs * 0.06)),
        "brief_pairs": max(3, math.ceil(n_docs * 0.04)),
    }
    plan["originals"] = (
        n_docs - 5 * per_copy - plan["same_story"] - 2 * plan["half_pairs"] - plan["brief_docs"]
    )
    if plan["originals"] < plan["same_story"]:
        raise ValueError(f"n_docs={n_docs} is too small for a labelled set")
    return plan


def _brief_sizes(rng: random.Random, docs: int, min_pairs: int) -> list[int]:
    for _ in range(1000):
        sizes: list[int] = []
        while sum(sizes) < docs:
            sizes.append(rng.choice((2, 3, 3, 4)))
        excess = sum(sizes) - docs
        if excess and sizes[-1] - excess >= 2:
            sizes[-1] -= excess
        elif excess:
            continue
        if sum(s * (s - 1) // 2 for s in sizes) >= min_pairs:
            return sizes
    raise ValueError("cannot plan brief groups")


def _brief_group(site: _Site, rng: random.Random, size: int) -> list[str]:
    """``size`` briefs in the same 2-4 lines of ``site``'s chrome, the chrome dominating their shingles.

    The chrome grows (a longer most-read list, more lines) until every pair of the group has a
    word 5-gram Jaccard of at least a level drawn between 0.42 and 0.68.
    """
    bodies = []
    for _ in range(size):
        story = _new_story(rng)
        for _ in range(200):
            n_sentences = rng.randint(2, 4)
            body = " ".join(
                _sentence(rng.choice(("brief", "brief", "lede", "detail")), rng, story.env)
                for _ in range(n_sentences)
            )
            if 40 <= _n(body) <= 90:
                break
        bodies.append(body)
    level = rng.uniform(0.42, 0.68)
    header_keys = rng.sample(("nav", "subscribe", "newsletter_line", "cookie"), 1)
    footer_keys = ["most_read"]
    n_read = 4
    while True:
        header = [site.lines[k] for k in header_keys]
        footer = [site.most_read_line(n_read) if k == "most_read" else site.lines[k] for k in footer_keys]
        texts = ["\n\n".join([*header, body, *footer]) for body in bodies]
        sets = [shingles(t) for t in texts]
        worst = min(jaccard(a, b) for i, a in enumerate(sets) for b in sets[i + 1 :])
        if worst >= level:
            return texts
        if n_read < 7:
            n_read += 1
        elif len(header_keys) + len(footer_keys) < 4:
            spare = [
                k
                for k in ("nav", "subscribe", "newsletter_line", "cookie", "footer", "share")
                if k not in header_keys and k not in footer_keys
            ]
            extra = rng.choice(spare)
            (footer_keys if extra in ("footer", "share") else header_keys).append(extra)
        elif n_read < 20:
            n_read += 1
            while len(site.most_read) < n_read:
                site.most_read.append(_sentence("headline", rng, _new_story(rng).env))
        else:
            return texts


def build_labelled_set(n_docs: int = 2400, seed: int = 7) -> list[LabelledDoc]:
    """``n_docs`` documents in a shuffled crawl order, each with its gold cluster and kind."""
    rng = random.Random(seed)
    plan = _plan(n_docs)
    drafts: list[_Draft] = []
    counter = iter(range(10**9))

    def key() -> str:
        return f"k{next(counter)}"

    sites = [_new_site(rng) for _ in range(40)]

    # originals, some of them with a same-story sibling
    originals: list[tuple[_Draft, _Article, _Story]] = []
    for _ in range(plan["originals"]):
        story = _new_story(rng)
        background = rng.sample(story.background, rng.randint(1, 3))
        article = _write(story, rng, rng.randint(300, 900), background=background)
        k = key()
        draft = _Draft(k, article.text(), k, "original")
        drafts.append(draft)
        originals.append((draft, article, story))

    for i, (draft, article, story) in enumerate(rng.sample(originals, plan["same_story"])):
        group = f"same_story-{i:04d}"
        draft.group = group
        drafts.append(_same_story(draft, article, story, rng, key(), group))

    # copies of originals
    makers: dict[str, Callable[[_Article, _Story], str]] = {
        "exact": lambda a, s: a.text(),
        "syndicated": lambda a, s: _syndicate(a, rng, rng.choice(sites)),
        "light_edit": lambda a, s: _light_edit(a, s, rng),
        "truncated": lambda a, s: _truncate(a, rng, rng.choice(sites)),
        "flattened": lambda a, s: flatten(a.text()),
    }
    for kind, make in makers.items():
        for _ in range(plan["per_copy"]):
            draft, article, story = rng.choice(originals)
            drafts.append(_Draft(key(), make(article, story), draft.cluster, kind))

    # halves of long articles
    for i in range(plan["half_pairs"]):
        story = _new_story(rng)
        article = _write(story, rng, rng.randint(1300, 2000), background=story.background[:2])
        group = f"half-{i:04d}"
        for text in _halves(article, rng):
            k = key()
            drafts.append(_Draft(k, text, k, "half", group))

    # briefs in shared chrome, one group per site
    sizes = _brief_sizes(rng, plan["brief_docs"], plan["brief_pairs"])
    brief_sites = [_new_site(rng) for _ in sizes]
    sites.extend(brief_sites)
    for i, (size, site) in enumerate(zip(sizes, brief_sites, strict=True)):
        group = f"brief-{i:04d}"
        for text in _brief_group(site, rng, size):
            k = key()
            drafts.append(_Draft(k, text, k, "brief", group))

    rng.shuffle(drafts)
    ids = {d.key: f"doc-{i:05d}" for i, d in enumerate(drafts)}
    return [LabelledDoc(ids[d.key], d.text, ids[d.cluster], d.kind, d.group) for d in drafts]


def _syndicate(article: _Article, rng: random.Random, site: _Site) -> str:
    top, bottom = _chrome_wrap(site, rng)
    return "\n\n".join([*top, article.text(), *bottom])


def _same_story(
    draft: _Draft, article: _Article, story: _Story, rng: random.Random, key: str, group: str
) -> _Draft:
    """Another article on the story: new events; reuses some background and maybe a quote.

    What it reuses is capped at half of the shorter article's shingles, so it never reads as
    a copy of the original.
    """
    shared = [p for p in article.paragraphs if p in story.background]
    quotes = [p for p in article.paragraphs[1:] if p[0].startswith(("“", '"'))]
    fresh = [p for p in story.background if p not in shared]
    tier = rng.choice(("far", "near", "close"))
    if tier == "far":  # same people and place, nothing reused word for word
        reuse, extra, length = [], [], rng.randint(300, 900)
    elif tier == "near":  # some background reused, maybe a quote
        reuse = rng.sample(shared, rng.randint(0, len(shared)))
        extra = [rng.choice(quotes)] if quotes and rng.random() < 0.5 else []
        length = rng.randint(300, 900)
    else:  # a short follow-up leaning on the original's background and quotes
        reuse = list(shared)
        extra = rng.sample(quotes, min(len(quotes), 2))
        length = rng.randint(250, 450)
    background = reuse + rng.sample(fresh, rng.randint(0, len(fresh)))
    original = shingles(draft.text)
    for _ in range(100):
        other = _write(story, rng, length, background=background, extra=extra)
        text = other.text()
        mine = shingles(text)
        if len(original & mine) <= 0.5 * min(len(original), len(mine)):
            return _Draft(key, text, key, "same_story", group)
        if extra:
            extra.pop()
        elif reuse:
            drop = reuse.pop()
            background = [p for p in background if p is not drop]
    raise RuntimeError("could not write a same-story article distinct enough from its original")


def _halves(article: _Article, rng: random.Random) -> tuple[str, str]:
    counts = [sum(_n(s) for s in p) for p in article.paragraphs]
    total = sum(counts)
    aim = total * rng.uniform(0.4, 0.6)
    running, split = 0, 1
    best = math.inf
    for i, c in enumerate(counts[:-1]):
        running += c
        if abs(running - aim) < best:
            best, split = abs(running - aim), i + 1
    first = _Article(article.headline, article.byline, article.paragraphs[:split], article.curly)
    second = _Article(article.headline, None, article.paragraphs[split:], article.curly)
    return first.text(), second.text()


# ---------------------------------------------------------------------------------------------
# the throughput stream

_SYNTH_VOCAB: list[str] | None = None
_SYNTH_WEIGHTS: list[float] | None = None


def _synthetic_vocab() -> tuple[list[str], list[float]]:
    global _SYNTH_VOCAB, _SYNTH_WEIGHTS
    if _SYNTH_VOCAB is None:
        rng = random.Random(1234)
        seen: dict[str, None] = {}
        texts = list(vocab.RULES.values()) + [v for spec in vocab.TOPICS.values() for v in spec.values()]
        for text in texts:
            for word in re.findall(r"[A-Za-z]+", re.sub(r"\{\w+\}", " ", text)):
                seen.setdefault(word.lower(), None)
        onsets = vocab._split("b c d f g h j k l m n p r s t v w z br cr dr fr gr pr tr st sh ch th pl bl")
        vowels = vocab._split("a e i o u ai ea ie ou")
        codas = ["", "", "n", "r", "s", "l", "t", "m", "nd", "rt", "st"]
        while len(seen) < 40_000:
            syllables = rng.randint(2, 4)
            parts = (rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(syllables))
            word = "".join(parts)
            seen.setdefault(word, None)
        _SYNTH_VOCAB = list(seen)
        rng.shuffle(_SYNTH_VOCAB)
        cumulative, total = [], 0.0
        for rank in range(len(_SYNTH_VOCAB)):
            total += 1.0 / (rank + 2.7)
            cumulative.append(total)
        _SYNTH_WEIGHTS = cumulative
    assert _SYNTH_WEIGHTS is not None
    return _SYNTH_VOCAB, _SYNTH_WEIGHTS


def _synthetic_text(rng: random.Random, n_words: int) -> str:
    vocab_words, cum = _synthetic_vocab()
    toks = rng.choices(vocab_words, cum_weights=cum, k=n_words)
    paragraphs, sentence, para = [], [], []
    para_len = rng.randint(40, 100)
    sent_len = rng.randint(8, 24)
    for i, tok in enumerate(toks):
        sentence.append(tok)
        if len(sentence) >= sent_len or i == len(toks) - 1:
            s = " ".join(sentence)
            para.append(s[0].upper() + s[1:] + ".")
            sentence, sent_len = [], rng.randint(8, 24)
            if sum(len(x.split()) for x in para) >= para_len or i == len(toks) - 1:
                paragraphs.append(" ".join(para))
                para, para_len = [], rng.randint(40, 100)
    return "\n\n".join(paragraphs)


_SYNTH_CHROME_TOP = (
    "Subscribe to the Daily Ledger for £1 a month and get unlimited access to local news.",
    "Home | News | Politics | Business | Sport | Opinion | Culture | Weather",
)
_SYNTH_CHROME_BOTTOM = (
    "Share this article: Facebook | X | LinkedIn | WhatsApp | Email | Copy link",
    "© 2024 Harbour Courier Media Group. All rights reserved. Terms of use | Privacy policy",
)


def synthetic_docs(n: int, words: int = 600, seed: int = 11) -> Iterator[tuple[str, str]]:
    """``n`` (id, text) pairs of about ``words`` words each; about 10% are copies of recent ones."""
    rng = random.Random(seed)
    recent: deque[str] = deque(maxlen=2000)
    for i in range(n):
        if recent and rng.random() < 0.1:
            source = rng.choice(recent)
            how = rng.randrange(5)
            if how == 0:
                text = source
            elif how == 1:
                text = flatten(source)
            elif how == 2:
                toks = source.split(" ")
                text = " ".join(toks[: int(len(toks) * rng.uniform(0.6, 0.8))])
            elif how == 3:
                text = "\n\n".join([rng.choice(_SYNTH_CHROME_TOP), source, rng.choice(_SYNTH_CHROME_BOTTOM)])
            else:
                paras = source.split("\n\n")
                if len(paras) > 2:
                    del paras[rng.randrange(1, len(paras))]
                text = "\n\n".join(paras)
        else:
            text = _synthetic_text(rng, max(20, int(rng.gauss(words, words * 0.15))))
            recent.append(text)
        yield f"s{i:07d}", text
