"""What a batch refuses, for the Slack side to word."""

from __future__ import annotations

from bot.services.batches.model import BatchSnapshot, Question
from bot.services.batches.rows import RowProblem
from bot.services.errors import ServiceError


class BatchInvalid(ServiceError):
    """Rows that cannot be carried out, each with its row number: nothing was made."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the batch")
        self.problems = problems


class BatchQuestions(ServiceError):
    """What the requester must confirm before the batch goes to its approvers: it is kept as
    a draft (`draft`), which `Batches.confirm` sends on."""

    def __init__(self, questions: list[tuple[Question, list[str]]], draft: BatchSnapshot) -> None:
        super().__init__("the batch needs a confirmation")
        self.questions = questions
        self.draft = draft


class OwnBatch(ServiceError):
    def __init__(self, batch: BatchSnapshot) -> None:
        super().__init__(f"batch #{batch.number} is the clicker's own")
        self.batch = batch


class BatchDecided(ServiceError):
    """The batch is no longer waiting for approvers (decided, withdrawn or expired)."""

    def __init__(self, batch: BatchSnapshot) -> None:
        super().__init__(f"batch #{batch.number} is {batch.status.value}")
        self.batch = batch


class ApprovedAlready(ServiceError):
    def __init__(self, batch: BatchSnapshot) -> None:
        super().__init__(f"batch #{batch.number}: approved by this approver already")
        self.batch = batch
