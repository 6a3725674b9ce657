"""Lexical retrieval: BM25 over each creator's bio and captions.

Dense vectors capture topics but can miss exact product words, brand names and
rare terms ("retinol", "FIRE", "sourdough"); BM25 catches those. The two are
fused in :mod:`recommender.ranking`. Documents are prepared like embedding input
(hashtags split: ``#veganfood`` -> ``vegan food``), so a brief saying "vegan"
matches a creator who only writes ``#veganfood``, where exact-match keyword
search fails.

Implemented with scikit-learn's CountVectorizer and a sparse BM25 weight matrix,
so it saves as a JSON vocabulary plus a sparse ``.npz`` (no pickle).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

__all__ = ["LexicalIndex"]


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
        self.weights_ = None  # scipy.sparse.csr_matrix (n_docs, n_terms)

    def build(self, documents: Sequence[str]) -> "LexicalIndex":
        """Index ``documents`` (already prepared text)."""
        from scipy import sparse

        vectorizer = self._vectorizer()
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
        self.weights_ = counts
        return self

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for each query, shape (n_queries, n_docs)."""
        if not self.vocabulary_:
            return np.zeros((len(queries), self.weights_.shape[0]), dtype=np.float32)
        terms = self._vectorizer(vocabulary=self.vocabulary_).transform(queries)
        terms.data[:] = 1.0  # a query term counts once
        return np.asarray((terms @ self.weights_.T).toarray(), dtype=np.float32)

    def save(self, directory: Path) -> None:
        """Write ``lexical_vocabulary.json`` and ``lexical_weights.npz``."""
        from scipy import sparse

        (directory / "lexical_vocabulary.json").write_text(json.dumps(self.vocabulary_), encoding="utf-8")
        sparse.save_npz(directory / "lexical_weights.npz", self.weights_)

    @classmethod
    def load(cls, directory: Path, *, k1: float = 1.2, b: float = 0.75) -> "LexicalIndex":
        """Read what :meth:`save` wrote."""
        from scipy import sparse

        index = cls(k1=k1, b=b)
        index.vocabulary_ = json.loads((directory / "lexical_vocabulary.json").read_text(encoding="utf-8"))
        index.weights_ = sparse.load_npz(directory / "lexical_weights.npz").tocsr()
        return index

    @staticmethod
    def _vectorizer(vocabulary: dict[str, int] | None = None):  # noqa: ANN205 - sklearn CountVectorizer
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(lowercase=True, stop_words="english", token_pattern=r"(?u)\b\w\w+\b",
                               vocabulary=vocabulary, dtype=np.float32)
