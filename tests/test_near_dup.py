"""Near-duplicates: copies become one cluster; same-story articles, halves and briefs stay apart."""

from __future__ import annotations

from pipeline.near_dup import Fingerprinter, NearDuplicateIndex, dedup_stream
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
