"""``recommender build --ray`` and ``batch --ray`` on a 2-CPU local cluster give what the plain commands give."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender import Recommender

from ..conftest import HashingEncoder, NICHES


def test_build_and_batch_with_ray_equal_the_plain_commands(ray_session, planted, tmp_path, cli, capsys):
    creators, posts = planted
    creators.to_csv(tmp_path / "creators.csv", index=False)
    posts.to_csv(tmp_path / "posts.csv", index=False)
    catalog = ["--creators", str(tmp_path / "creators.csv"), "--posts", str(tmp_path / "posts.csv")]
    assert cli(["build", *catalog, "--out", str(tmp_path / "plain"), "--no-cache"]) == 0
    assert cli(["build", *catalog, "--out", str(tmp_path / "ray"), "--no-cache", "--ray", "local"]) == 0
    plain, ray = (Recommender.load(tmp_path / name, encoder=HashingEncoder()) for name in ("plain", "ray"))
    np.testing.assert_allclose(ray.creator_vectors(), plain.creator_vectors(), atol=1e-6)

    briefs = tmp_path / "briefs.jsonl"
    briefs.write_text("".join(f'{{"brief_id": "{n}", "name": "{n}", "description": "{" ".join(p[:2])}"}}\n'
                              for n, p in NICHES.items()))
    batch = ["batch", "--index", str(tmp_path / "plain"), "--briefs", str(briefs), "-k", "12"]
    assert cli(batch + ["--out", str(tmp_path / "plain.csv")]) == 0
    assert cli(batch + ["--out", str(tmp_path / "ray.csv"), "--ray", "local", "--ray-shards", "3"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "ray.csv"), pd.read_csv(tmp_path / "plain.csv"))
    assert cli(batch + ["--out", str(tmp_path / "bad.csv"), "--ray", "local", "--ray-shards", "0"]) == 2
    assert "error: --ray-shards" in capsys.readouterr().err
