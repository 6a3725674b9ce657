"""Shared fixtures and helpers: a deterministic fake encoder, a small planted catalog, the repository's data folder."""

from __future__ import annotations

import hashlib
import re
from typing import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender.embedding.encoder import Encoder

DATA = Path(__file__).resolve().parent.parent / "data"
"""The repository's sample data (creators, posts, briefs, sponsorship labels)."""


class HashingEncoder(Encoder):
    """Deterministic bag-of-words encoder for fast unit tests: each word hashes to a signed unit direction."""

    def __init__(self, dim: int = 64, model: str = "test/hashing") -> None:
        super().__init__(model)
        self._dim = dim

    @property
    def dimension(self) -> int:
        return self._dim

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.md5(word.encode()).digest()
                out[i, digest[0] % self._dim] += 1.0 if digest[1] % 2 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


@pytest.fixture
def fake_encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture
def cli(fake_encoder: HashingEncoder) -> Callable[[list[str]], int]:
    """The command line with the fake encoder passed in (as a notebook passes one it has loaded)."""
    from recommender.cli import main

    return lambda args: main(args, encoder=fake_encoder)


NICHES = {
    "food": ["vegan curry recipe", "sourdough bread baking", "plant based dinner ideas", "street food tacos"],
    "fitness": ["gym leg workout", "marathon running training", "yoga stretching flow", "protein meal prep gains"],
    "tech": ["phone camera review", "gaming pc build", "smart home gadgets", "laptop battery test"],
    "travel": ["beach sunset island", "backpacking hostel europe", "airport lounge flight", "mountain hiking trip"],
}


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def planted(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """120 creators in 4 niches with niche words in bios and captions, one off-niche post each."""
    creators, posts = [], []
    platforms, countries = ["instagram", "tiktok", "youtube"], ["US", "GB", "DE"]
    for i in range(120):
        niche = list(NICHES)[i % 4]
        followers = int(10 ** rng.uniform(2.5, 6.5))
        creators.append({
            "creator_id": f"c{i:03d}", "handle": f"@creator{i}", "followers": followers,
            "platform": platforms[i % 3], "country": countries[(i // 3) % 3], "language": "en",
            "bio": f"{niche} creator sharing {NICHES[niche][i % 4]}", "niche": niche, "city": f"city{i % 5}",
        })
        for j in range(6):
            caption = NICHES[niche][(i + j) % 4] + f" day {j}" if j < 5 else "happy friday coffee time"
            rate = rng.lognormal(np.log(0.03), 0.5)
            likes = int(followers * rate)
            posts.append({
                "post_id": f"p{i:03d}_{j}", "creator_id": f"c{i:03d}", "caption": caption,
                "likes": likes, "comments": likes // 20, "posted_at": f"2025-0{j + 1}-01T10:00:00Z",
            })
    return pd.DataFrame(creators), pd.DataFrame(posts)
