"""Brand-fit signals of a built catalog, computed on first use and kept: what the screens and result columns read.

Sponsorship is detected once per post (a regex pass, ~40 us a caption) and the
sponsored share once per creator; authenticity is computed once for the default
model (or read from a saved index); brand values are embedded once per phrase.
A new :class:`BrandFitSignals` is made whenever the catalog changes.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ..catalog import BrandBrief
from ..embedding import Encoder
from ..search import Corpus
from .authenticity import AuthenticityModel, authenticity_signals
from .safety import category_vectors
from .screen import CandidatePosts, Screen, screen_candidates
from .sponsorship import detect_sponsored, sponsored_share

__all__ = ["BrandFitSignals"]


class BrandFitSignals:
    """Per-post and per-creator brand-fit signals of one :class:`~recommender.search.Corpus`.

    Parameters
    ----------
    corpus : Corpus
    encoder : Encoder
        Embeds risk categories and brand values.
    authenticity : DataFrame, optional
        Saved signals of the default :class:`~recommender.brandfit.AuthenticityModel`, one row per position.
    """

    def __init__(self, corpus: Corpus, encoder: Encoder, *, authenticity: pd.DataFrame | None = None) -> None:
        self.corpus, self.encoder = corpus, encoder
        self._post_sponsored = np.zeros(len(corpus.posts), dtype=bool)
        self._post_signal = np.full(len(corpus.posts), None, dtype=object)
        self._shares = np.full(len(corpus.creators), np.nan)
        self._authenticity = authenticity
        self._phrases: dict[str, np.ndarray] = {}

    def sponsorship(self, post_rows: np.ndarray) -> pd.DataFrame:
        """Whether each post is sponsored and by which signal (:func:`~recommender.brandfit.detect_sponsored`)."""
        todo = np.unique(post_rows[self._post_signal[post_rows] == None])  # noqa: E711 - elementwise on objects
        if len(todo):
            at = self.corpus.columns["posts"]
            found = detect_sponsored(at.take("caption", todo).tolist(), at.take("is_sponsored", todo))
            self._post_sponsored[todo], self._post_signal[todo] = found["sponsored"], found["signal"]
        return pd.DataFrame({"sponsored": self._post_sponsored[post_rows], "signal": self._post_signal[post_rows]})

    def sponsored_share(self, positions: np.ndarray) -> np.ndarray:
        """Share of each creator's posts that are sponsored (field, disclosure tags, phrases); 0 without posts."""
        todo = np.unique(positions[np.isnan(self._shares[positions])])
        if len(todo):
            post_rows, owner = self.corpus.posts_of(todo)
            shares = sponsored_share(self.sponsorship(post_rows)["sponsored"].to_numpy(), owner, len(todo))
            self._shares[todo] = shares["sponsored_share"].fillna(0.0).to_numpy()
        return self._shares[positions]

    def authenticity(self, model: AuthenticityModel = AuthenticityModel()) -> pd.DataFrame:
        """Authenticity signals (:func:`~recommender.brandfit.authenticity_signals`), one row per position
        (empty for removed creators); kept for the default model."""
        if model == AuthenticityModel() and self._authenticity is not None:
            return self._authenticity
        corpus, alive = self.corpus, self.corpus.alive
        signals = authenticity_signals(corpus.creators[alive], corpus.posts[alive[corpus.post_owner]], corpus.scheme,
                                       model)
        signals = signals.reset_index().set_axis(np.flatnonzero(alive)).reindex(np.arange(len(corpus.creators)))
        if model == AuthenticityModel():
            self._authenticity = signals
        return signals

    def screen(self, brief: BrandBrief, positions: np.ndarray, post_rows: np.ndarray,
               local_owner: np.ndarray) -> Screen:
        """The brief's screens (:func:`~recommender.brandfit.screen_candidates`) on the creators at ``positions``,
        whose posts are ``post_rows`` (owned by ``local_owner``, see :meth:`Corpus.posts_of`)."""
        flags = reasons = None
        if brief.max_authenticity_flags is not None:
            signals = self.authenticity()
            flags = signals["authenticity_flags"].to_numpy()[positions]
            reasons = signals["authenticity_reason"].to_numpy()[positions]
        return screen_candidates(
            brief, self._candidate_posts(positions, post_rows, local_owner), now=self.corpus.newest_post,
            authenticity_flags=flags, authenticity_reasons=reasons,
            category_vectors=category_vectors(brief.avoid_topics, self.encoder) if brief.avoid_topics else None,
            value_vectors=self._phrase_vectors(brief.values) if brief.values else None,
        )

    def flags(self, brief: BrandBrief, creator_ids: Iterable[str]) -> pd.DataFrame:
        """Every flag the brief raises for these creators: ``creator_id``, ``kind``, ``flag``, ``excluded``,
        ``post_ids`` and ``evidence``."""
        positions = self.corpus.live_positions(creator_ids, "Recommender.brand_flags")
        table = self.screen(brief, positions, *self.corpus.posts_of(positions)).flags
        ids = self.corpus.creators["creator_id"].to_numpy()[positions]
        return table.assign(creator=ids[table["creator"].to_numpy(dtype=int)]).rename(columns={"creator": "creator_id"})

    def _phrase_vectors(self, phrases: Sequence[str]) -> np.ndarray:
        new = [p for p in dict.fromkeys(phrases) if p not in self._phrases]
        if new:
            self._phrases.update(zip(new, self.encoder.encode(new)))
        return np.stack([self._phrases[p] for p in phrases])

    def _candidate_posts(self, positions: np.ndarray, post_rows: np.ndarray, local_owner: np.ndarray) -> CandidatePosts:
        at = self.corpus.columns["posts"]
        return CandidatePosts(
            n=len(positions), owner=local_owner, captions=at.take("caption", post_rows).tolist(),
            vectors=self.corpus.post_vectors[post_rows].astype(np.float32), post_ids=at.take("post_id", post_rows),
            posted_at=at.take("posted_at", post_rows), sponsored=self.sponsorship(post_rows),
        )
