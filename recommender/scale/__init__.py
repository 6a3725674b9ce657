"""Scaling out with Ray (the optional extra ``pip install 'recommender[ray]'``).

* :func:`connect` joins a Ray cluster (or starts one in this process);
* :func:`encode_with_ray` and :func:`encode_catalog_with_ray` embed very large catalogs with Ray Data
  ``map_batches`` on a pool of encoder actors, for ``Recommender.fit(catalog, bio_vectors=...,
  post_vectors=...)``;
* :class:`RaySearch` spreads the creator vectors over actors as shards and merges their results, for
  ``Recommender.recommend_batch(..., search=RaySearch(rec.corpus, shards=4))``.

Results are those of the single-machine path: the same vectors (to float rounding) and, with exact
search, the same neighbours. Ray is imported only when one of these is called. Figures and a plan for
100M creators: docs/performance.md, "Scaling out with Ray".
"""

from __future__ import annotations

from .cluster import connect
from .encoding import encode_catalog_with_ray, encode_with_ray
from .shards import RaySearch

__all__ = ["RaySearch", "connect", "encode_catalog_with_ray", "encode_with_ray"]
