"""The Ray session of the scale tests: a small local cluster, started once per module and shut down after it."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def ray_session():
    """2 CPUs (as in CI), 200 MB of object store, no dashboard, worker output kept out of the test log."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=200 * 2**20, log_to_driver=False)
    yield ray
    ray.shutdown()
