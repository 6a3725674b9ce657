"""Joining or starting the Ray cluster that the scale-out paths run on.

Ray is an optional dependency (``pip install 'recommender[ray]'``); it is imported
only when a function here is called, so ``import recommender.scale`` stays light.
"""

from __future__ import annotations

import logging
from types import ModuleType

from ..util import check_int

logger = logging.getLogger(__name__)

__all__ = ["connect", "require_ray"]

INSTALL_HINT = "pip install 'recommender[ray]'"


def require_ray() -> ModuleType:
    """The ``ray`` module, or an ImportError that says how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise ImportError(f"The Ray backend needs the package 'ray[data]': {INSTALL_HINT}") from exc
    return ray


def connect(address: str, *, num_cpus: int | None = None) -> None:
    """Attach this process to a Ray cluster, once.

    Parameters
    ----------
    address : str
        ``'auto'`` joins the cluster running on this machine (``ray start --head``),
        ``'host:port'`` or ``'ray://host:port'`` joins that one, ``'local'`` starts a
        private cluster inside this process for its lifetime.
    num_cpus : int, optional
        CPUs of the private cluster (``address='local'`` only; default: all of them).

    Nothing happens when Ray is already initialised in this process, whatever it is
    connected to: the session's cluster is the one in use.

    Examples
    --------
    >>> connect("local", num_cpus=2)   # doctest: +SKIP
    """
    if not isinstance(address, str) or not address.strip():
        raise ValueError("The 'address' parameter of connect must be 'auto', 'local', 'host:port' or "
                         f"'ray://host:port'. Got {address!r} instead.")
    check_int(num_cpus, "num_cpus", "connect", optional=True)
    if num_cpus is not None and address != "local":
        raise ValueError(f"The 'num_cpus' parameter of connect must be None unless address='local' (a joined "
                         f"cluster has its own CPUs). Got {num_cpus!r} with address={address!r} instead.")
    ray = require_ray()
    if ray.is_initialized():
        logger.debug("Ray is already initialised; connect(%r) keeps the current session.", address)
        return
    if address == "local":
        ray.init(num_cpus=num_cpus, include_dashboard=False)
    else:
        ray.init(address=address)
    logger.info("Connected to Ray (%s): %s CPUs.", address, ray.cluster_resources().get("CPU", 0))
