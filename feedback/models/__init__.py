"""Questions and answers, feedback and complaints, and ratings (one module each)."""

from .ratings import SATISFIED_SCORES, Rating, Satisfaction

__all__ = ["SATISFIED_SCORES", "Rating", "Satisfaction"]
