"""Plain MinHash LSH with datasketch, behind the same interface as cleanwire's ``dedup_stream``.

Shingles are word 5-grams of the lower-cased text, words being runs of letters and digits
(``corpus.words``), so punctuation is ignored the same way for every document. Each document
is queried against the index before it is inserted (every document is inserted, copies too),
and joins the cluster of the earliest-inserted document among the candidates the LSH returns:
no union of several clusters, and no check of the estimated Jaccard behind the LSH answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from benchmarks.dedup.corpus import words

NUM_PERM = 128
SHINGLE_WORDS = 5


def shingle_bytes(text: str, n: int = SHINGLE_WORDS) -> list[bytes]:
    toks = words(text)
    if len(toks) < n:
        return [" ".join(toks).encode()] if toks else []
    return [" ".join(toks[i : i + n]).encode() for i in range(len(toks) - n + 1)]


def minhash_lsh_stream(
    docs: Iterable[tuple[str, str]], threshold: float = 0.5, num_perm: int = NUM_PERM
) -> Iterator[tuple[str, str, str | None]]:
    """(id, cluster representative id, duplicate of or None) for each document, in input order."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    # one set of permutations for every MinHash, as datasketch's docs advise for speed
    template = MinHash(num_perm=num_perm)
    permutations, scheme = template.permutations, template.scheme
    ids: list[str] = []
    reps: list[str] = []
    for doc_id, text in docs:
        minhash = MinHash(num_perm=num_perm, permutations=permutations, scheme=scheme)
        minhash.update_batch(set(shingle_bytes(text)))
        candidates = lsh.query(minhash)
        index = len(ids)
        if candidates:
            first = min(candidates)
            rep, dup_of = reps[first], ids[first]
        else:
            rep, dup_of = doc_id, None
        lsh.insert(index, minhash, check_duplication=False)
        ids.append(doc_id)
        reps.append(rep)
        yield doc_id, rep, dup_of
