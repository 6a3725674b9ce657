"""Lexical retrieval: BM25 over each creator's bio and captions.

Dense vectors capture topics but can miss exact product words, brand names and
rare terms ("retinol", "FIRE", "sourdough"); BM25 catches those. The two are
fused in :mod:`recommender.ranking`. Documents are prepared like embedding input
(hashtags split: ``#veganfood`` -> ``vegan food``), so a brief saying "vegan"
matches a creator who only writes ``#veganfood``, where exact-match keyword
search fails.

Implemented with scikit-learn's CountVectorizer and a sparse BM25 weight matrix,
stored term-major (an inverted index) so that a query reads only its own terms'
postings; it saves as a JSON vocabulary plus a sparse ``.npz`` (no pickle).
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

    def query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents that share a term with ``text`` and their BM25 scores (ascending document order).

        A query term counts once; terms unknown to the index are ignored.
        """
        terms = sorted({self.vocabulary_[t] for t in self._analyse(text) if t in self.vocabulary_})
        if not terms:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        rows = self.postings_[terms]
        if rows.nnz > self.n_docs // 16:
            # Common terms: summing into a dense array beats sorting the postings.
            dense = np.bincount(rows.indices, weights=rows.data, minlength=self.n_docs)
            docs = np.flatnonzero(dense != 0)  # 4x faster than on the float array itself
            return docs.astype(np.int64), dense[docs].astype(np.float32)
        docs, inverse = np.unique(rows.indices, return_inverse=True)
        scores = np.bincount(inverse, weights=rows.data, minlength=len(docs)).astype(np.float32)
        return docs.astype(np.int64), scores

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        """Dense BM25 scores of every document for each query, shape (n_queries, n_docs)."""
        out = np.zeros((len(queries), self.n_docs), dtype=np.float32)
        for row, text in enumerate(queries):
            docs, scores = self.query(text)
            out[row, docs] = scores
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
    def load(cls, directory: Path, *, k1: float = 1.2, b: float = 0.75) -> "LexicalIndex":
        """Read what :meth:`save` wrote."""
        from scipy import sparse

        index = cls(k1=k1, b=b)
        index.vocabulary_ = json.loads((directory / "lexical_vocabulary.json").read_text(encoding="utf-8"))
        index.postings_ = sparse.load_npz(directory / "lexical_postings.npz").tocsr()
        return index


def _vectorizer():  # noqa: ANN202 - sklearn CountVectorizer, imported late
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(lowercase=True, stop_words="english", token_pattern=r"(?u)\b\w\w+\b", dtype=np.float32)
