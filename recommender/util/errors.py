"""Exceptions raised by recommender.

Every message follows one template: where the problem is, what was expected,
what was found, and (when it is not obvious) how to fix it.
"""

from __future__ import annotations

__all__ = [
    "RecommenderError",
    "CatalogError",
    "ValidationError",
    "IndexMismatchError",
    "NotBuiltError",
    "WeakMatchWarning",
]


class RecommenderError(Exception):
    """Base class of every error this package raises on purpose."""


class CatalogError(RecommenderError, ValueError):
    """A catalog file or table cannot be read at all (type, encoding, empty, columns)."""


class ValidationError(RecommenderError, ValueError):
    """One or more rows of a catalog table break the schema.

    Attributes
    ----------
    problems : pandas.DataFrame
        One row per problem with columns ``source``, ``row``, ``column``,
        ``expected``, ``found`` and ``message``.
    """

    def __init__(self, message: str, problems) -> None:  # noqa: ANN001 - DataFrame, imported late
        super().__init__(message)
        self.problems = problems


class IndexMismatchError(RecommenderError, ValueError):
    """A saved recommender was built with another model, vector size or format version."""


class NotBuiltError(RecommenderError, AttributeError):
    """A method needs a built recommender (``Recommender.build`` or ``Recommender.load``)."""


class WeakMatchWarning(UserWarning):
    """No creator clears the relevance floor for a brief: the catalog has nobody who fits it."""
