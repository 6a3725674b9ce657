"""The built catalog: tables, text vectors, creator vectors and both indexes, kept in index order.

Everything that searches or ranks reads the catalog through a :class:`Corpus`:
row ``i`` of :attr:`Corpus.creators` is position ``i`` of the vector index, posts
are sorted by their creator's position (so a creator's posts are one slice), and
what derives from the tables (fair engagement, post offsets, prepared filters) is
recomputed here whenever they change.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from ..catalog import BrandBrief, Catalog, EngagementModel, TierScheme, score_engagement
from ..embedding import Encoder, Representation, creator_vectors, prepare_texts
from ..util import persistence as store
from .columns import Columns, contiguous, live_positions
from .filters import CreatorFilters
from .index import IndexConfig, VectorIndex
from .lexical import LexicalIndex

logger = logging.getLogger(__name__)

__all__ = ["Corpus"]

VECTOR_FILES = ("bio_vectors", "post_vectors", "post_owner", "creator_vectors")


class Corpus:
    """A built catalog in index order.

    Attributes
    ----------
    creators : DataFrame
        One row per index position; a removed creator keeps its row (positions index
        the FAISS file) under the id ``"<id>#removed"`` and is never returned.
    posts : DataFrame
        Posts sorted by their creator's position.
    post_owner : ndarray of int64
        Position of each post's creator.
    bio_vectors, post_vectors : ndarray of float16
        Unit text vectors, aligned with ``creators`` and ``posts``. Half the memory
        of float32; cosines move by ~1e-3, far below what separates creators.
    creator_vectors : ndarray of float32
        The indexed creator vectors (:func:`~recommender.embedding.creator_vectors`).
    index : VectorIndex
    lexical : LexicalIndex
        BM25 over each creator's bio and captions.
    engagement : DataFrame
        Fair engagement of live creators, one row per position (empty for removed ones).
    columns : dict of str to Columns
        Fast row access to ``creators``, ``engagement`` and ``posts``.
    """

    def __init__(self, *, creators: pd.DataFrame, posts: pd.DataFrame, post_owner: np.ndarray,
                 bio_vectors: np.ndarray, post_vectors: np.ndarray, creator_vectors: np.ndarray,
                 index: VectorIndex, scheme: TierScheme, engagement: EngagementModel,
                 lexical: LexicalIndex | None = None) -> None:
        self.creators, self.posts, self.post_owner = creators, posts, post_owner
        self.bio_vectors, self.post_vectors, self.creator_vectors = bio_vectors, post_vectors, creator_vectors
        self.index = index
        self.scheme, self.engagement_model = scheme, engagement
        self._derive()
        self.lexical = LexicalIndex().build(prepare_texts(self.texts())) if lexical is None else lexical

    @classmethod
    def build(cls, catalog: Catalog, *, encoder: Encoder, scheme: TierScheme, representation: Representation,
              index: IndexConfig, engagement: EngagementModel, bio_vectors: np.ndarray | None = None,
              post_vectors: np.ndarray | None = None) -> "Corpus":
        """Embed the catalog (unless vectors are given, aligned with the catalog's rows) and index it."""
        catalog = catalog.with_tiers(scheme)
        creators = catalog.creators.reset_index(drop=True)
        position = pd.Series(np.arange(len(creators)), index=creators["creator_id"])
        owner = position.loc[catalog.posts["creator_id"]].to_numpy()
        order = np.argsort(owner, kind="stable")
        posts = catalog.posts.iloc[order].reset_index(drop=True)
        bio_vectors = encoder.encode(creators["bio"].tolist()) if bio_vectors is None else bio_vectors
        post_vectors = (encoder.encode(posts["caption"].tolist()) if post_vectors is None
                        else np.asarray(post_vectors)[order])
        bio_vectors = _checked(bio_vectors, len(creators), "bio_vectors")
        post_vectors = _checked(post_vectors, len(posts), "post_vectors")
        vectors = creator_vectors(bio_vectors, post_vectors, owner[order], representation)
        return cls(creators=creators, posts=posts, post_owner=owner[order], bio_vectors=bio_vectors,
                   post_vectors=post_vectors, creator_vectors=vectors,
                   index=VectorIndex(config=index).build(vectors), scheme=scheme, engagement=engagement)

    # ---------------------------------------------------------------- reading
    @property
    def alive(self) -> np.ndarray:
        """Boolean mask of the live (not removed) rows."""
        return self.index.alive_

    def __len__(self) -> int:
        """Number of live creators."""
        return len(self.index)

    def live_positions(self, creator_ids: Iterable[str], where: str) -> np.ndarray:
        """Positions of live creators by id, in the order given; ``where`` names the caller in the error."""
        return live_positions(self.creators["creator_id"], self.alive, [str(c) for c in creator_ids], where)

    def posts_of(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the posts of the creators at ``positions``, and the index into ``positions`` of each one's owner."""
        starts, ends = self.post_offsets[positions], self.post_offsets[positions + 1]
        counts = ends - starts
        local = np.repeat(np.arange(len(positions)), counts)
        rows = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts) + np.arange(counts.sum())
        return rows.astype(np.int64), local

    def texts(self) -> pd.Series:
        """Each creator's bio and captions as one text (built once, on first use)."""
        if self._all_text is None:
            captions = self.posts.groupby(self.post_owner)["caption"].agg(" ".join)
            captions = captions.reindex(np.arange(len(self.creators)), fill_value="")
            self._all_text = self.creators["bio"].fillna("") + " " + captions.to_numpy()
        return self._all_text

    def mask(self, brief: BrandBrief) -> np.ndarray | None:
        """Rows a brief's hard filters allow; ``None`` when they allow every row."""
        mask = self._filters.mask(brief)
        return None if mask is None or mask.all() else mask

    # ---------------------------------------------------------------- editing
    def add(self, new: Catalog, *, encoder: Encoder, representation: Representation) -> None:
        """Append new creators and their posts; only their text is embedded."""
        clash = sorted(set(new.creators["creator_id"]) & set(self.creators["creator_id"]))
        if clash:
            raise ValueError(f"add_creators: creator_id(s) {clash[:10]} already exist; use update_creators to replace them.")
        base = len(self.creators)
        bio = encoder.encode(new.creators["bio"].tolist()).astype(np.float16)
        captions = encoder.encode(new.posts["caption"].tolist()).astype(np.float16)
        position = pd.Series(np.arange(len(new.creators)), index=new.creators["creator_id"])
        owner = np.concatenate([self.post_owner, base + position.loc[new.posts["creator_id"]].to_numpy()])
        order = np.argsort(owner, kind="stable")
        self.creators = pd.concat([self.creators, new.creators], ignore_index=True)
        self.bio_vectors = np.concatenate([self.bio_vectors, bio])
        self.posts = pd.concat([self.posts, new.posts], ignore_index=True).iloc[order].reset_index(drop=True)
        self.post_vectors = np.concatenate([self.post_vectors, captions])[order]
        self.post_owner = owner[order]
        self.creator_vectors = creator_vectors(self.bio_vectors, self.post_vectors, self.post_owner, representation)
        self.index.add(self.creator_vectors[base:])
        self._derive()
        self.lexical = LexicalIndex().build(prepare_texts(self.texts()))

    def replace(self, new: Catalog, *, encoder: Encoder, representation: Representation) -> None:
        """Replace the creators of ``new`` that exist (and all their posts) by their new versions; add the others."""
        present = set(self.creators["creator_id"])
        self.remove([c for c in new.creators["creator_id"] if c in present])
        self.add(new, encoder=encoder, representation=representation)

    def remove(self, creator_ids: Iterable[str]) -> None:
        """Retire creators: their rows stay (positions index the FAISS file) but are never searched or scored."""
        ids = [str(c) for c in creator_ids]
        live = self.creators["creator_id"].isin(ids).to_numpy() & self.alive
        unknown = sorted(set(ids) - set(self.creators["creator_id"][live]))
        if unknown:
            raise ValueError(f"remove_creators: unknown creator_id(s) {unknown[:10]}.")
        positions = np.flatnonzero(live)
        self.index.remove(positions)
        # A retired id, so that the same id can be added again.
        self.creators.loc[live, "creator_id"] = self.creators.loc[live, "creator_id"] + "#removed"
        own = np.isin(self.post_owner, positions)
        self.posts.loc[own, "creator_id"] = self.posts.loc[own, "creator_id"] + "#removed"
        # Vectors and BM25 are unchanged: dead rows are masked at search time. Only engagement moves.
        self._derive()

    # ------------------------------------------------------------------ files
    def save(self, folder: Path) -> None:
        """Write the tables, vectors and both indexes into ``folder`` (the caller makes it atomic)."""
        store.save_frame(folder, "creators", self.creators)
        store.save_frame(folder, "posts", self.posts)
        for name in VECTOR_FILES:
            store.save_array(folder, name, getattr(self, name))
        self.index.save(folder)
        self.lexical.save(folder)

    @classmethod
    def load(cls, folder: Path, *, kind: str, index: IndexConfig, scheme: TierScheme, engagement: EngagementModel,
             mmap: bool = False, counts: Mapping[str, int] | None = None) -> "Corpus":
        """Read what :meth:`save` wrote; ``mmap`` maps the vectors and the FAISS file instead of reading them.

        Every file's shape is checked before it is read: against ``counts`` (the manifest's ``rows``, ``posts``
        and ``dimension``) when given, else against the tables and each other, so that a truncated, swapped or
        foreign file is an :class:`~recommender.util.IndexMismatchError` naming it, not a crash later.
        """
        counts = counts or {}
        creators = store.load_frame(folder, "creators", rows=counts.get("rows"))
        posts = store.load_frame(folder, "posts", rows=counts.get("posts"))
        rows, dim = len(creators), counts.get("dimension")
        arrays = {}
        for name, length, dtype_kind in (("bio_vectors", rows, "f"), ("post_vectors", len(posts), "f"),
                                         ("post_owner", len(posts), "i"), ("creator_vectors", rows, "f")):
            shape = (length,) if name == "post_owner" else (length, dim)
            arrays[name] = store.load_array(folder, name, mmap=mmap and name != "post_owner", shape=shape,
                                            kind=dtype_kind)
            dim = arrays[name].shape[1] if dim is None and name != "post_owner" else dim
        owner = arrays["post_owner"]
        if len(owner) and (owner[0] < 0 or owner[-1] >= rows or (np.diff(owner) < 0).any()):
            raise store.mismatch(folder / "post_owner.npy", f"creator positions in [0, {rows}) in ascending order",
                                 "others")
        creators["tier"] = pd.Categorical(creators["tier"], categories=list(scheme.names), ordered=True)
        return cls(creators=creators, posts=posts, **arrays,
                   index=VectorIndex.load(folder, arrays["creator_vectors"], kind=kind, config=index, mmap=mmap),
                   lexical=LexicalIndex.load(folder, documents=rows), scheme=scheme, engagement=engagement)

    # ---------------------------------------------------------------- derived
    def _derive(self) -> None:
        """Recompute what is not saved: engagement of live creators, post offsets, column access, filters.

        Also brings the tables into one memory chunk per column (see :func:`~recommender.search.contiguous`).
        """
        self.creators, self.posts = contiguous(self.creators), contiguous(self.posts)
        alive = np.ones(len(self.creators), dtype=bool)
        alive[: len(self.alive)] = self.alive
        self.engagement = score_engagement(
            self.creators[alive], self.posts[alive[self.post_owner]], self.scheme, self.engagement_model
        ).reindex(self.creators["creator_id"]).reset_index(drop=True)
        self.post_offsets = np.searchsorted(self.post_owner, np.arange(len(self.creators) + 1))
        self.columns = {"creators": Columns(self.creators), "engagement": Columns(self.engagement),
                        "posts": Columns(self.posts)}
        self._all_text: pd.Series | None = None
        self.newest_post = self.posts["posted_at"].max() if len(self.posts) else pd.NaT
        # Prepared now, so that the first filtered brief is not the slowest (p99 in docs/performance.md).
        filters = CreatorFilters(self.creators, scheme=self.scheme, texts=self.texts,
                                 fair_rate=self.engagement["engagement_rate_shrunk"].to_numpy())
        self._filters = filters.prepare(("tier", "platform", "country", "language"))


def _checked(vectors: np.ndarray, rows: int, name: str) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float16)
    if vectors.ndim != 2 or vectors.shape[0] != rows:
        raise ValueError(f"The '{name}' parameter of Recommender.fit must have shape ({rows}, dim). "
                         f"Got {vectors.shape} instead.")
    return vectors
