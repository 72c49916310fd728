"""memobot: answers questions about policy memos with cited, verbatim excerpts."""

from .errors import ConfigError, KnowledgeError, MemobotError, QuestionError
from .loader import load_knowledge
from .models import Answer, GlossaryEntry, Hit, KnowledgeBase, Memo, Passage, Recommendation, Role
from .retrieval import Index, IndexSettings

__all__ = [
    "Answer",
    "ConfigError",
    "GlossaryEntry",
    "Hit",
    "Index",
    "IndexSettings",
    "KnowledgeBase",
    "KnowledgeError",
    "Memo",
    "MemobotError",
    "Passage",
    "QuestionError",
    "Recommendation",
    "Role",
    "load_knowledge",
]
