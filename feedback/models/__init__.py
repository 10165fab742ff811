"""Questions and answers, feedback and complaints, and ratings (one module each)."""

from .questions import PublishedQuestion, Question, QuestionStatus
from .ratings import SATISFIED_SCORES, Rating, Satisfaction

__all__ = ["SATISFIED_SCORES", "PublishedQuestion", "Question", "QuestionStatus", "Rating", "Satisfaction"]
