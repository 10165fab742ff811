"""Questions and answers, feedback and complaints, and ratings (one module each)."""

from .complaints import (
    OPEN_STATUSES,
    Complaint,
    ComplaintEvent,
    ComplaintKind,
    ComplaintStatus,
    ComplaintSubject,
)
from .questions import PublishedQuestion, Question, QuestionStatus
from .ratings import SATISFIED_SCORES, Rating, Satisfaction

__all__ = [
    "OPEN_STATUSES",
    "SATISFIED_SCORES",
    "Complaint",
    "ComplaintEvent",
    "ComplaintKind",
    "ComplaintStatus",
    "ComplaintSubject",
    "PublishedQuestion",
    "Question",
    "QuestionStatus",
    "Rating",
    "Satisfaction",
]
