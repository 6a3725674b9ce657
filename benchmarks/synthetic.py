"""Synthetic creator catalogs at scale, built around real text embeddings.

Encoding a million bios takes hours on a laptop CPU, yet search speed, memory and
recall only depend on the *vectors* and the metadata. This module embeds a few
thousand real texts once (the 1,000 TweetTopic tweets, plus bios and captions of
``data/creators.csv`` / ``data/posts.csv`` when present) and draws any number of
creator vectors around them.

How a synthetic creator is made
-------------------------------
1. Pick a random real text from the *seed pool* (real texts minus a held-out part).
2. Add Gaussian noise whose covariance is the covariance of the real embeddings
   (so the noise moves a vector along the directions in which real texts differ,
   not into directions no text ever reaches), then normalise.
3. The noise scale is calibrated per source (tweets, bios, captions): a synthetic
   vector must be as close to its nearest real text as a *held-out* real text is to
   its nearest real text in the seed pool (the medians are matched by bisection).
   In words: each synthetic creator is as "new" as a real new text would be.

Why recall figures stay honest
------------------------------
* Vectors are clustered like real ones: they inherit the topic structure, the
  anisotropy and the nearest-neighbour similarity distribution of real
  embeddings, instead of isotropic random points (which no index handles well,
  giving pessimistic recall) or near-duplicates of a few seeds (optimistic).
* Queries are real texts the generator never saw: the brand briefs of
  ``data/briefs.jsonl`` and ``data/tweet_topic/briefs.jsonl``, and the held-out
  real texts. Recall is measured against exact search over the same vectors.
* :func:`similarity_report` prints the calibration so a reader can check it.

Metadata: followers are log-normal (log10 ~ N(4.3, 0.9)), platforms and countries
are categorical, and one country (:data:`FILTER_COUNTRY`) is sized so that "micro
creators in that country" is about 2% of the catalog, the selective filter of the
search benchmark. Bios are the text of the parent real text (so keyword filters and
reasons have something to read); a share of creators gets 1-3 posts whose vectors
are drawn around the creator vector.

Run ``python benchmarks/synthetic.py --n 10000`` to print the calibration.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from math import erf, sqrt
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.devsets import load_tweet_topic  # noqa: E402
from recommender.catalog.briefs import BrandBrief, load_briefs  # noqa: E402
from recommender.embedding.encoder import Encoder  # noqa: E402
from recommender.embedding.profiles import normalise  # noqa: E402

CACHE_DIR = ROOT / "benchmarks" / "results" / "cache"
FOLLOWERS_LOG10 = (4.3, 0.9)
PLATFORMS = {"instagram": 0.45, "tiktok": 0.35, "youtube": 0.20}
FILTER_TIER = "micro"
FILTER_TIER_BOUNDS = (10_000, 100_000)  # the default tier scheme's micro band
FILTER_COUNTRY = "CA"
FILTER_SHARE = 0.02
OTHER_COUNTRIES = {"US": 0.34, "GB": 0.14, "IN": 0.12, "BR": 0.10, "DE": 0.08, "FR": 0.07, "NG": 0.06, "ES": 0.04,
                   "PH": 0.05}


@dataclass(frozen=True)
class RealCorpus:
    """Real texts and their embeddings, split into a seed pool and a held-out part.

    Attributes
    ----------
    texts : list of str
    sources : ndarray of str
        ``'tweet'``, ``'bio'`` or ``'caption'`` per text.
    vectors : ndarray (n, d) float32
        Unit embeddings of ``texts``.
    heldout : ndarray of bool
        Texts never used as seeds (queries and calibration targets).
    """

    texts: list[str]
    sources: np.ndarray
    vectors: np.ndarray
    heldout: np.ndarray

    @property
    def seed_index(self) -> np.ndarray:
        """Positions of the seed pool."""
        return np.flatnonzero(~self.heldout)

    @property
    def heldout_index(self) -> np.ndarray:
        """Positions of the held-out texts."""
        return np.flatnonzero(self.heldout)


@dataclass(frozen=True)
class SyntheticCatalog:
    """A generated catalog, ready for ``load_catalog`` and ``Recommender.fit``.

    Attributes
    ----------
    creators, posts : DataFrame
        Tables in the package's schema (posts may be empty).
    bio_vectors : ndarray (n_creators, d) float32
        The creator vectors, passed to ``fit`` as bio vectors.
    post_vectors : ndarray (n_posts, d) float32
        Aligned with ``posts``.
    parent : ndarray of int
        Position in the real corpus of each creator's seed text.
    scales : dict
        Noise scale used per source.
    """

    creators: pd.DataFrame
    posts: pd.DataFrame
    bio_vectors: np.ndarray
    post_vectors: np.ndarray
    parent: np.ndarray
    scales: dict[str, float]


# ----------------------------------------------------------------- real texts
def real_texts(max_captions: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Real texts with their source: the tweets, then sample bios and captions if present."""
    tweets = load_tweet_topic().posts["caption"].tolist()
    parts = [pd.DataFrame({"text": tweets, "source": "tweet"})]
    creators_csv, posts_csv = ROOT / "data" / "creators.csv", ROOT / "data" / "posts.csv"
    if creators_csv.is_file():
        bios = pd.read_csv(creators_csv, dtype=str, keep_default_na=False)["bio"]
        parts.append(pd.DataFrame({"text": bios[bios.str.strip() != ""].tolist(), "source": "bio"}))
    if posts_csv.is_file():
        captions = pd.read_csv(posts_csv, dtype=str, keep_default_na=False)["caption"]
        captions = captions[captions.str.strip() != ""]
        if len(captions) > max_captions:
            captions = captions.sample(max_captions, random_state=seed)
        parts.append(pd.DataFrame({"text": captions.tolist(), "source": "caption"}))
    frame = pd.concat(parts, ignore_index=True)
    return frame.drop_duplicates("text", ignore_index=True)


def brief_texts(corpus: RealCorpus | None = None, n: int = 50) -> list[BrandBrief]:
    """About ``n`` real brief-like queries: the written briefs, topped up with held-out tweets."""
    briefs = []
    for path in (ROOT / "data" / "briefs.jsonl", ROOT / "data" / "tweet_topic" / "briefs.jsonl"):
        if path.is_file():
            briefs += [BrandBrief(name=b.name, description=b.description, keywords=b.keywords) for b in load_briefs(path)]
    if corpus is not None and len(briefs) < n:
        extra = [i for i in corpus.heldout_index if corpus.sources[i] == "tweet"][: n - len(briefs)]
        briefs += [BrandBrief(name=f"tweet-{i}", description=corpus.texts[i]) for i in extra]
    return briefs[:n]


def embed_cached(texts: list[str], encoder: Encoder) -> np.ndarray:
    """Embeddings of ``texts``, cached under ``benchmarks/results/cache`` by content and model."""
    digest = hashlib.sha1(("\x00".join(texts) + encoder.cache_key).encode("utf-8")).hexdigest()[:16]
    path = CACHE_DIR / f"real_{digest}.npy"
    if path.is_file():
        return np.load(path)
    vectors = encoder.encode(texts)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def load_real_corpus(encoder: Encoder | None = None, *, heldout_share: float = 0.15, max_captions: int = 2000,
                     seed: int = 0) -> RealCorpus:
    """Embed the real texts once and hold out a stratified share of each source."""
    frame = real_texts(max_captions=max_captions, seed=seed)
    vectors = embed_cached(frame["text"].tolist(), encoder or Encoder())
    keep = np.linalg.norm(vectors, axis=1) > 0
    frame, vectors = frame[keep].reset_index(drop=True), vectors[keep]
    rng = np.random.default_rng(seed)
    heldout = np.zeros(len(frame), dtype=bool)
    for _, rows in frame.groupby("source").groups.items():
        rows = np.asarray(rows)
        heldout[rng.choice(rows, size=max(1, int(round(heldout_share * len(rows)))), replace=False)] = True
    return RealCorpus(frame["text"].tolist(), frame["source"].to_numpy(dtype=str), vectors, heldout)


# -------------------------------------------------------------------- vectors
def noise_basis(vectors: np.ndarray) -> np.ndarray:
    """Matrix ``B`` such that ``z @ B`` (z standard normal) has the real covariance, scaled to E|.|^2 = 1."""
    centred = vectors - vectors.mean(axis=0)
    cov = centred.T @ centred / max(len(vectors) - 1, 1)
    values, vecs = np.linalg.eigh(cov.astype(np.float64))
    values = np.clip(values, 0, None)
    return (np.sqrt(values / values.sum())[:, None] * vecs.T).astype(np.float32)


def perturb(seeds: np.ndarray, scale: float, basis: np.ndarray, rng: np.random.Generator,
            chunk: int = 65_536) -> np.ndarray:
    """Unit vectors drawn around ``seeds`` with covariance-shaped noise of expected norm ``scale``."""
    out = np.empty(seeds.shape, dtype=np.float32)
    for start in range(0, len(seeds), chunk):
        part = seeds[start:start + chunk]
        noise = rng.standard_normal((len(part), basis.shape[0]), dtype=np.float32) @ basis
        out[start:start + chunk] = normalise(part + np.float32(scale) * noise)
    return out


def nearest_cosine(queries: np.ndarray, pool: np.ndarray, exclude: np.ndarray | None = None) -> np.ndarray:
    """Highest cosine of each query to ``pool``; ``exclude[i]`` is a pool row to skip for query i."""
    sims = queries @ pool.T
    if exclude is not None:
        sims[np.arange(len(queries)), exclude] = -np.inf
    return sims.max(axis=1)


def calibrate_scale(targets: np.ndarray, seeds: np.ndarray, pool: np.ndarray, basis: np.ndarray,
                    rng: np.random.Generator, iterations: int = 18) -> float:
    """Noise scale at which perturbed ``seeds`` are as close to ``pool`` as ``targets`` are (median)."""
    goal = float(np.median(nearest_cosine(targets, pool)))
    z = rng.standard_normal((len(seeds), basis.shape[0]), dtype=np.float32) @ basis
    low, high = 0.0, 8.0
    for _ in range(iterations):
        mid = (low + high) / 2
        median = float(np.median(nearest_cosine(normalise(seeds + np.float32(mid) * z), pool)))
        low, high = (mid, high) if median > goal else (low, mid)
    return (low + high) / 2


def calibrate(corpus: RealCorpus, basis: np.ndarray, seed: int = 0) -> dict[str, float]:
    """Noise scale per source (see the module docstring)."""
    rng = np.random.default_rng(seed)
    pool = corpus.vectors[corpus.seed_index]
    scales = {}
    for source in np.unique(corpus.sources):
        targets = corpus.vectors[corpus.heldout & (corpus.sources == source)]
        seeds = corpus.vectors[~corpus.heldout & (corpus.sources == source)]
        seeds = seeds[rng.choice(len(seeds), size=min(len(seeds), 1000), replace=False)]
        scales[str(source)] = calibrate_scale(targets, seeds, pool, basis, rng)
    return scales


# ------------------------------------------------------------------- metadata
def tier_share(bounds: tuple[float, float] = FILTER_TIER_BOUNDS) -> float:
    """Expected share of creators whose followers fall within ``bounds``."""
    mean, sd = FOLLOWERS_LOG10

    def cdf(x: float) -> float:
        return 0.5 * (1 + erf((np.log10(x) - mean) / (sd * sqrt(2))))

    return cdf(bounds[1]) - cdf(bounds[0])


def country_weights() -> dict[str, float]:
    """Country shares, with :data:`FILTER_COUNTRY` sized for a ~2% (micro, country) filter."""
    target = FILTER_SHARE / tier_share()
    rest = sum(OTHER_COUNTRIES.values())
    weights = {c: w / rest * (1 - target) for c, w in OTHER_COUNTRIES.items()}
    return {**weights, FILTER_COUNTRY: target}


def selective_filter() -> dict[str, list[str]]:
    """Brief fields of the ~2% filter: one tier and one country."""
    return {"tiers": [FILTER_TIER], "countries": [FILTER_COUNTRY]}


def creator_table(n: int, bios: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Creator metadata: log-normal followers, platform, country, language, bio."""
    followers = np.maximum(np.round(10 ** rng.normal(*FOLLOWERS_LOG10, size=n)), 0).astype(np.int64)
    countries = country_weights()
    return pd.DataFrame({
        "creator_id": np.char.add("s", np.arange(n).astype(str)).astype(object),
        "handle": np.char.add("@creator", np.arange(n).astype(str)).astype(object),
        "platform": rng.choice(list(PLATFORMS), size=n, p=list(PLATFORMS.values())).astype(object),
        "followers": followers,
        "bio": bios,
        "country": rng.choice(list(countries), size=n, p=list(countries.values())).astype(object),
        "language": "en",
    })


def post_table(creators: pd.DataFrame, owners: np.ndarray, captions: np.ndarray,
               rng: np.random.Generator) -> pd.DataFrame:
    """Posts of ``owners`` (creator positions) with plausible likes and comments."""
    followers = creators["followers"].to_numpy()[owners]
    rate = np.clip(10 ** rng.normal(np.log10(0.03), 0.35, size=len(owners)), 0, 0.5)
    likes = np.round(followers * rate).astype(np.int64)
    return pd.DataFrame({
        "post_id": np.char.add("sp", np.arange(len(owners)).astype(str)).astype(object),
        "creator_id": creators["creator_id"].to_numpy()[owners],
        "caption": captions,
        "likes": likes,
        "comments": np.round(likes * 0.03).astype(np.int64),
    })


# ------------------------------------------------------------------ catalog
def generate(n: int, corpus: RealCorpus, *, scales: dict[str, float] | None = None, post_share: float = 0.1,
             max_posts: int = 3, seed: int = 0) -> SyntheticCatalog:
    """A catalog of ``n`` creators drawn around the seed pool of ``corpus``.

    Parameters
    ----------
    n : int
        Creators.
    corpus : RealCorpus
    scales : dict, optional
        Noise scale per source; calibrated when omitted.
    post_share : float
        Share of creators given 1..``max_posts`` posts (0 gives a bios-only catalog).
    """
    rng = np.random.default_rng(seed)
    basis = noise_basis(corpus.vectors)
    scales = scales or calibrate(corpus, basis, seed)
    pool = corpus.seed_index
    parent = pool[rng.integers(0, len(pool), size=n)]
    vectors = np.empty((n, corpus.vectors.shape[1]), dtype=np.float32)
    for source, scale in scales.items():
        rows = np.flatnonzero(corpus.sources[parent] == source)
        vectors[rows] = perturb(corpus.vectors[parent[rows]], scale, basis, rng)
    texts = np.array(corpus.texts, dtype=object)
    creators = creator_table(n, texts[parent], rng)
    with_posts = np.flatnonzero(rng.random(n) < post_share)
    owners = np.repeat(with_posts, rng.integers(1, max_posts + 1, size=len(with_posts)))
    post_vectors = perturb(vectors[owners], float(np.median(list(scales.values()))), basis, rng)
    captions = texts[pool[rng.integers(0, len(pool), size=len(owners))]]
    return SyntheticCatalog(creators, post_table(creators, owners, captions, rng), vectors, post_vectors,
                            parent, scales)


# ------------------------------------------------------------------- report
def similarity_report(catalog: SyntheticCatalog, corpus: RealCorpus, sample: int = 2000, seed: int = 0) -> dict:
    """Nearest-neighbour statistics of real held-out texts and of synthetic creators against the seed pool."""
    rng = np.random.default_rng(seed)
    pool = corpus.vectors[corpus.seed_index]
    rows = rng.choice(len(catalog.bio_vectors), size=min(sample, len(catalog.bio_vectors)), replace=False)
    real = nearest_cosine(corpus.vectors[corpus.heldout_index], pool)
    synthetic = nearest_cosine(catalog.bio_vectors[rows], pool)
    within = nearest_cosine(catalog.bio_vectors[rows], catalog.bio_vectors, exclude=rows)
    pairs = rng.integers(0, len(pool), size=(5000, 2))
    real_random = np.einsum("ij,ij->i", pool[pairs[:, 0]], pool[pairs[:, 1]])
    rows2 = rng.integers(0, len(catalog.bio_vectors), size=(5000, 2))
    synthetic_random = np.einsum("ij,ij->i", catalog.bio_vectors[rows2[:, 0]], catalog.bio_vectors[rows2[:, 1]])

    def q(values: np.ndarray) -> list[float]:
        return [round(float(v), 3) for v in np.quantile(values, [0.1, 0.5, 0.9])]

    return {
        "scales": {k: round(v, 3) for k, v in catalog.scales.items()},
        "nn_cos_to_real_pool_p10_p50_p90": {"real_heldout": q(real), "synthetic": q(synthetic)},
        "random_pair_cos_p10_p50_p90": {"real": q(real_random), "synthetic": q(synthetic_random)},
        "nn_cos_within_synthetic_catalog_p10_p50_p90": q(within),
        "filter_share": round(float(np.mean((catalog.creators["country"] == FILTER_COUNTRY)
                                            & catalog.creators["followers"].between(*FILTER_TIER_BOUNDS, inclusive="left"))), 4),
    }


def main(argv: list[str] | None = None) -> None:
    """Print the calibration of a generated catalog."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="creators to generate")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    corpus = load_real_corpus(seed=args.seed)
    catalog = generate(args.n, corpus, seed=args.seed)
    print(f"real texts: {pd.Series(corpus.sources).value_counts().to_dict()}, held out: {int(corpus.heldout.sum())}")
    print(json.dumps(similarity_report(catalog, corpus, seed=args.seed), indent=2))


if __name__ == "__main__":
    main()
