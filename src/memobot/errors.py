"""Domain errors. Each is turned into a user message once, at the edge (CLI or Slack)."""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "KnowledgeError",
    "MemobotError",
    "QuestionError",
]


class MemobotError(Exception):
    """Base class for every error memobot reports to a user."""


class ConfigError(MemobotError):
    """A setting is missing or malformed (the message names it, never its value)."""


class QuestionError(MemobotError):
    """A question cannot be asked as given (too long, for example)."""


class KnowledgeError(MemobotError):
    """A knowledge directory failed validation; carries every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the knowledge base"
        super().__init__(head + ":\n" + "\n".join(self.problems))
