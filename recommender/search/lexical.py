"""Lexical retrieval: BM25 over each creator's bio and captions.

Dense vectors capture topics but can miss exact product words, brand names and
rare terms ("retinol", "FIRE", "sourdough"); BM25 catches those. The two are
fused in :mod:`recommender.ranking.score`. Documents are prepared like embedding input
(hashtags split: ``#veganfood`` -> ``vegan food``), so a brief saying "vegan"
matches a creator who only writes ``#veganfood``, where exact-match keyword
search fails.

Implemented with scikit-learn's CountVectorizer and a sparse BM25 weight matrix,
stored term-major (an inverted index) so that a query reads only its own terms'
postings; it saves as a JSON vocabulary plus a sparse ``.npz`` (no pickle).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..util import persistence

__all__ = ["LexicalIndex", "LexicalHits"]


@dataclass(frozen=True)
class LexicalHits:
    """BM25 scores of one query.

    Attributes
    ----------
    scores : ndarray (n_docs,), float32
        Every document's score; 0 where it shares no term with the query.
    postings : ndarray of int
        The document of each matched posting: a document appears once per query
        term it contains.
    """

    scores: np.ndarray
    postings: np.ndarray

    def top(self, k: int, *, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best matching documents among ``allowed`` (bool mask), best first, ties by document.

        A threshold is guessed from the scores of every 8th posting's document: the
        documents scoring at least that are found in one pass over ``scores``, and
        when there are ``k`` of them they hold the ``k`` best. Otherwise every
        matching document is ranked. Reading only the sampled postings' scores, not
        every posting's, halves the time at 1M documents (0.7 against 1.4 ms).
        """
        sample = self.postings[::8]
        if allowed is not None:
            sample = sample[allowed[sample]]
        docs = np.empty(0, dtype=np.int64)
        if 0 < k <= len(sample):
            guess = -np.partition(-self.scores[sample], k - 1)[k - 1]
            docs = self._docs(self.scores >= guess, allowed)
        if len(docs) < k:
            docs = self._docs(self.scores > 0, allowed)
        values = self.scores[docs]
        order = np.lexsort((docs, -values))[:k]
        return docs[order].astype(np.int64), values[order]

    @staticmethod
    def _docs(passing: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
        return np.flatnonzero(passing if allowed is None else passing & allowed)


class LexicalIndex:
    """Okapi BM25 over a fixed set of documents.

    Parameters
    ----------
    k1 : float
        Term-frequency saturation.
    b : float
        Document-length normalisation.
    """

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.vocabulary_: dict[str, int] | None = None
        self.postings_ = None  # scipy.sparse.csr_matrix (n_terms, n_docs): BM25 weight of each term in each doc
        self._analyzer = None

    @property
    def n_docs(self) -> int:
        """Number of indexed documents."""
        return int(self.postings_.shape[1])

    def build(self, documents: Sequence[str]) -> "LexicalIndex":
        """Index ``documents`` (already prepared text)."""
        from scipy import sparse

        vectorizer = _vectorizer()
        try:
            counts = vectorizer.fit_transform(documents).tocsr().astype(np.float32)
            self.vocabulary_ = {t: int(i) for t, i in vectorizer.vocabulary_.items()}
        except ValueError:  # every document empty or stop words only
            counts = sparse.csr_matrix((len(documents), 0), dtype=np.float32)
            self.vocabulary_ = {}
        n_docs = max(counts.shape[0], 1)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        norm = self.k1 * (1 - self.b + self.b * lengths / max(lengths.mean(), 1e-9))
        tf = counts.data
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        counts.data = (idf[counts.indices] * tf * (self.k1 + 1) / (tf + norm[rows])).astype(np.float32)
        # Term-major storage (an inverted index): a query touches only its terms' postings.
        self.postings_ = counts.T.tocsr()
        return self

    def query(self, text: str) -> "LexicalHits":
        """BM25 scores of every document for ``text``; a query term counts once, unknown terms are ignored."""
        terms = sorted({self.vocabulary_[t] for t in self._analyse(text) if t in self.vocabulary_})
        if not terms:
            return LexicalHits(np.zeros(self.n_docs, np.float32), np.empty(0, np.int32))
        rows = self.postings_[terms]
        # Summing the terms' postings per document as a sparse product: float32 and twice as fast
        # as np.bincount, which accumulates in float64 (0.6 against 1.1 ms at 1M documents).
        scores = np.asarray(rows.T @ np.ones(len(terms), np.float32)).ravel()
        return LexicalHits(scores, rows.indices)

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        """Dense BM25 scores of every document for each query, shape (n_queries, n_docs)."""
        out = np.zeros((len(queries), self.n_docs), dtype=np.float32)
        for row, text in enumerate(queries):
            out[row] = self.query(text).scores
        return out

    def _analyse(self, text: str) -> list[str]:
        if self._analyzer is None:
            self._analyzer = _vectorizer().build_analyzer()
        return self._analyzer(text)

    def save(self, directory: Path) -> None:
        """Write ``lexical_vocabulary.json`` and ``lexical_postings.npz``."""
        from scipy import sparse

        (directory / "lexical_vocabulary.json").write_text(json.dumps(self.vocabulary_), encoding="utf-8")
        sparse.save_npz(directory / "lexical_postings.npz", self.postings_)

    @classmethod
    def load(cls, directory: Path, *, k1: float = 1.2, b: float = 0.75, documents: int | None = None) -> "LexicalIndex":
        """Read what :meth:`save` wrote, checking that it indexes ``documents`` documents (when given).

        Raises
        ------
        IndexMismatchError
            If a file is missing or damaged, or the two disagree with each other or with ``documents``.
        """
        from scipy import sparse

        index = cls(k1=k1, b=b)
        vocabulary, postings = directory / "lexical_vocabulary.json", directory / "lexical_postings.npz"
        with persistence.reading(vocabulary):
            index.vocabulary_ = json.loads(vocabulary.read_text(encoding="utf-8"))
        with persistence.reading(postings):
            index.postings_ = sparse.load_npz(postings).tocsr()
        terms, docs = index.postings_.shape
        found = index.vocabulary_
        if not isinstance(found, dict) or len(found) != terms:
            raise persistence.mismatch(vocabulary, f"{terms:,} terms (the rows of {postings.name})",
                                       f"{len(found):,}" if isinstance(found, dict) else f"a JSON {type(found).__name__}")
        if documents is not None and docs != documents:
            raise persistence.mismatch(postings, f"{documents:,} documents (one per creator row)", f"{docs:,}")
        return index


def _vectorizer():  # noqa: ANN202 - sklearn CountVectorizer, imported late
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(lowercase=True, stop_words="english", token_pattern=r"(?u)\b\w\w+\b", dtype=np.float32)
