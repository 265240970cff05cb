"""Near-duplicates: copies become one cluster; same-story articles, halves and briefs stay apart."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.dedup import near as near_dup
from pipeline.dedup import stream as dedup_stream_module
from pipeline.dedup.minhash import Fingerprinter, NearDupSettings
from pipeline.dedup.near import NearDuplicateIndex
from pipeline.dedup.stream import dedup_stream
from pipeline.textnorm import fold
from tests.demo_pages import pages


def clusters(docs):
    return {doc_id: cluster for doc_id, cluster, _ in dedup_stream(docs)}


def own_texts():
    return {f"{p.site}/{p.slug}": p.gold for p in pages() if p.kind == "article" and not p.syndicated_from}


def test_three_seed_articles_on_one_story_stay_apart(seeds) -> None:
    docs = [(seed, expected) for seed, (_, expected) in seeds.items()]
    assert clusters(docs) == {"000": "000", "001": "001", "002": "002"}


def test_copies_join_their_original() -> None:
    texts = own_texts()
    docs = list(texts.items())
    for name, text in texts.items():
        words = text.split()
        docs.append((f"{name}#teaser", " ".join(words[: int(len(words) * 0.6)])))
        docs.append((f"{name}#flat", fold(text)))
        docs.append((f"{name}#chrome", f"Breaking news from the wire. {text} Follow us for more updates."))
        edited = words[:]
        edited[len(edited) // 2] = "reportedly"
        docs.append((f"{name}#edit", "Updated: " + " ".join(edited)))
    result = clusters(docs)
    for doc_id, cluster in result.items():
        assert cluster == doc_id.split("#")[0], doc_id


def test_same_story_pairs_and_halves_stay_apart() -> None:
    texts = own_texts()
    assert len(set(clusters(list(texts.items())).values())) == len(texts)
    long_text = max(texts.values(), key=len)
    paras = long_text.split("\n\n")
    half = len(paras) // 2
    docs = [("a", "\n\n".join(paras[:half])), ("b", "\n\n".join(paras[half:]))]
    assert clusters(docs) == {"a": "a", "b": "b"}


def test_briefs_in_shared_chrome_stay_apart() -> None:
    chrome = (
        "Subscribe to the Daily Ledger for unlimited access to local news. Most read today: council "
        "budget vote, river bridge closure, school board ban. Copyright 2025 Daily Ledger Media. "
    )
    briefs = [
        "The library on Elm Street will close early on Friday for a staff training day, officials said.",
        "A water main break closed two lanes of Route 9 near the mall on Tuesday morning, police said.",
        "The farmers market returns to Union Square on Saturday with twenty new vendors this season.",
    ]
    docs = [(str(i), chrome + brief + " " + chrome) for i, brief in enumerate(briefs)]
    assert set(clusters(docs).values()) == {"0", "1", "2"}


def test_short_texts_match_only_exactly() -> None:
    docs = [
        ("a", "Storm closes schools on Monday."),
        ("b", "Storm closes schools on Tuesday."),
        ("c", "storm closes schools on monday"),
    ]
    assert clusters(docs) == {"a": "a", "b": "b", "c": "a"}


def test_index_round_trips_through_bytes() -> None:
    fingerprint = Fingerprinter()
    index = NearDuplicateIndex()
    texts = own_texts()
    for name, text in texts.items():
        index.add(name, fingerprint(text))
    restored = NearDuplicateIndex.loads(index.dumps())
    name, text = next(iter(texts.items()))
    teaser = " ".join(text.split()[:200])
    assert restored.match(fingerprint(teaser)) == index.match(fingerprint(teaser))
    assert restored.match(fingerprint(teaser))[0] == name
    assert len(restored) == len(index)


# -- the batch path: same fingerprints and same verdicts as one text at a time ---------------------


def varied_texts() -> list[str]:
    from benchmarks.dedup.corpus import build_labelled_set

    texts = ["", " ", "...!?", "a", "Storm closes schools on Monday."]
    texts += [" ".join(f"w{i}" for i in range(n)) for n in (4, 5, 39, 40, 41)]  # around min_words
    texts += ["Word, " * 39 + "word", "Word, " * 38 + "word"]
    texts += [
        "Café naïve Ørsted Zürich São Paulo — “quoted” déjà vu " * 20,  # accents, curly quotes
        "\u212a\u212a is the Kelvin sign; ı and İ lower-case oddly. " * 20,
        "Добрый день, как дела? Всё хорошо. " * 20,
        "中文新闻 报道 今天 北京 上海 " * 30,
        "snake_case and kebab-case, tab\there\nnew line\x0bvt\x0cff\x1cfs 1,000.50 $5 " * 15,
        "word " * 20_000,  # very long
        "\n\n".join(p.gold for p in pages())[:30_000],
    ]
    texts += [d.text for d in build_labelled_set(300, seed=3)[:120]]
    return texts


def assert_same(a, b) -> None:
    assert (a.exact, a.words, a.shingles) == (b.exact, b.words, b.shingles)
    for x, y in ((a.signature, b.signature), (a.sketch, b.sketch)):
        assert x.dtype == y.dtype and np.array_equal(x, y)


def test_batch_fingerprints_equal_per_text_fingerprints() -> None:
    fingerprint = Fingerprinter()
    texts = varied_texts()
    expected = [fingerprint(text) for text in texts]
    for size in (1, 7, len(texts)):
        got = [fp for i in range(0, len(texts), size) for fp in fingerprint.many(texts[i : i + size])]
        assert len(got) == len(expected)
        for a, b in zip(got, expected, strict=True):
            assert_same(a, b)
    # settings where a text can be shorter than a shingle take the per-text path
    short = Fingerprinter(NearDupSettings(min_words=2))
    for a, b in zip(short.many(texts), map(short, texts), strict=True):
        assert_same(a, b)


def one_at_a_time(docs):
    fingerprint, index = Fingerprinter(), NearDuplicateIndex()
    for doc_id, text in docs:
        fp = fingerprint(text)
        found = index.match(fp)
        if found is None:
            index.add(doc_id, fp)
            yield doc_id, doc_id, None
        else:
            index.add_member(found[0], fp)
            yield doc_id, found[0], found[0]


def stream_with_copies(n: int) -> list[tuple[str, str]]:
    from benchmarks.dedup.corpus import synthetic_docs

    docs = list(synthetic_docs(n, words=150, seed=5))
    # copies right next to their original (same batch), a repeated id, short and empty texts
    docs[10:10] = [("copy-of-0", docs[0][1]), ("teaser-of-1", docs[1][1][: len(docs[1][1]) * 3 // 4])]
    docs += [(docs[3][0], "A different text under a known id. " * 12), ("short", "Storm"), ("empty", "")]
    return docs


def test_batch_dedup_equals_one_text_at_a_time(monkeypatch) -> None:
    docs = stream_with_copies(700)
    expected = list(one_at_a_time(docs))
    assert sum(dup is not None for _, _, dup in expected) > 50
    for batch in (1, 16, 128):
        monkeypatch.setattr(dedup_stream_module, "BATCH", batch)
        assert list(dedup_stream(docs, workers=1, learn_chrome=False)) == expected


def test_worker_processes_give_the_same_stream(monkeypatch) -> None:
    monkeypatch.setattr(dedup_stream_module, "BATCH", 32)
    monkeypatch.setattr(dedup_stream_module, "IN_PROCESS_BATCHES", 2)
    started = []
    start_pool = dedup_stream_module._pool
    monkeypatch.setattr(dedup_stream_module, "_pool", lambda *args: started.append(args) or start_pool(*args))
    docs = stream_with_copies(400)
    assert list(dedup_stream(iter(docs), workers=2)) == list(dedup_stream(docs, workers=1))
    assert len(started) == 1
    # a short input stays in process
    assert list(dedup_stream(docs[:50], workers=2)) == list(dedup_stream(docs[:50], workers=1))
    assert len(started) == 1


def test_index_filled_in_batches_round_trips() -> None:
    fingerprint = Fingerprinter()
    docs = stream_with_copies(300)
    index = NearDuplicateIndex()
    for start in range(0, len(docs), 64):
        chunk = docs[start : start + 64]
        index.dedup([doc_id for doc_id, _ in chunk], fingerprint.batch([text for _, text in chunk]))
    restored = NearDuplicateIndex.loads(index.dumps())
    assert len(restored) == len(index) and restored.exact == index.exact
    for _, text in docs[::7]:
        fp = fingerprint(" ".join(text.split()[:120]))
        assert restored.match(fp) == index.match(fp)
        assert restored.candidates(fp) == index.candidates(fp)
    # dedup_stream's own index keeps no signatures, so it cannot be saved
    with pytest.raises(ValueError):
        NearDuplicateIndex(persistent=False).dumps()


# -- copies as syndication makes them: several changes at once ------------------------------------


def syndicated(text: str, changes: list[str], seed: int) -> str:
    import random

    from benchmarks.dedup.syndication import Article, _site, make_copy

    rng = random.Random(seed)
    head, *paras = text.split("\n\n")
    article = Article(head, paras, "demo")
    return make_copy(article, changes, rng, _site(rng), [article])


COMPOUND = [
    ["truncated", "copy_edits", "chrome_added"],
    ["truncated", "whitespace", "headline_changed"],
    ["paragraph_dropped", "paragraphs_added", "copy_edits", "chrome_added"],
    ["truncated", "flattened", "copy_edits"],
    ["headline_changed", "copy_edits", "whitespace", "paragraph_dropped", "chrome_added"],
]


def test_copies_with_several_changes_join_their_original() -> None:
    texts = own_texts()
    docs = []
    for n, (name, text) in enumerate(texts.items()):
        docs.append((name, text))
        docs += [(f"{name}#{i}", syndicated(text, changes, n * 10 + i)) for i, changes in enumerate(COMPOUND)]
    result = clusters(docs)
    missed = [doc_id for doc_id, cluster in result.items() if cluster != doc_id.split("#")[0]]
    assert not missed


def test_a_truncated_copy_of_an_edited_copy_joins_through_the_cluster() -> None:
    """The cluster's first text is an edited variant; the original joins it; a teaser cut from
    the original, in other chrome, is inside what the cluster has seen, not inside the variant."""
    s = NearDupSettings()
    fingerprint = Fingerprinter(s)
    text = max(own_texts().values(), key=len)
    edited = syndicated(text, ["headline_changed", "paragraph_dropped", "paragraphs_added", "copy_edits"], 1)
    teaser = syndicated(text, ["truncated", "chrome_added", "copy_edits"], 2)
    e, o, t = fingerprint(edited), fingerprint(text), fingerprint(teaser)
    # the teaser against the variant alone does not verify
    assert near_dup.judge_pair(s, t.sketch, t.shingles, e.sketch, e.shingles) is None
    index = NearDuplicateIndex(s)
    index.add("edited", e)
    assert index.match(o) is not None and index.match(o)[0] == "edited"
    index.add_member("edited", o)
    assert index.match(t) == ("edited", "contained")


def test_briefs_syndicated_into_other_chrome_link_while_briefs_in_one_chrome_stay_apart() -> None:
    import random

    from benchmarks.dedup.syndication import _brief_in, _site, _site_lines

    rng = random.Random(4)
    site_a, site_b = _site(rng), _site(rng)
    briefs = [p.split("\n\n")[1] for p in own_texts().values()][:6]
    lines_a = _site_lines(site_a, rng)
    docs = [(f"a{i}", _brief_in(lines_a, f"Headline {i}", body)) for i, body in enumerate(briefs)]
    docs += [
        (f"b{i}", _brief_in(_site_lines(site_b, rng), f"Headline {i}", body)) for i, body in enumerate(briefs)
    ]
    result = clusters(docs)
    assert {result[f"a{i}"] for i in range(6)} == {f"a{i}" for i in range(6)}  # one site's briefs apart
    assert all(result[f"b{i}"] == f"a{i}" for i in range(6))  # each copy with its own original


def test_index_with_members_round_trips_through_bytes() -> None:
    fingerprint = Fingerprinter()
    texts = list(own_texts().values())
    index = NearDuplicateIndex()
    for i, text in enumerate(texts):
        index.add(f"r{i}", fingerprint(text))
        index.add_member(f"r{i}", fingerprint(syndicated(text, ["paragraphs_added", "copy_edits"], i)))
    restored = NearDuplicateIndex.loads(index.dumps())
    for i, text in enumerate(texts):
        teaser = fingerprint(syndicated(text, ["truncated", "chrome_added"], 100 + i))
        assert restored.match(teaser) == index.match(teaser)
        assert restored.candidates(teaser) == index.candidates(teaser)
