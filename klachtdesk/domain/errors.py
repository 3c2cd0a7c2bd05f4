"""Typed errors that carry a Dutch message meant for the user."""


class KlachtDeskError(Exception):
    """Base class: ``str(error)`` is a complete Dutch sentence a user can read."""

    exit_code = 1


class ValidationError(KlachtDeskError):
    """Input that does not meet the rules; names the field and, if known, the record."""

    exit_code = 2

    def __init__(self, field: str, message: str, record: str | None = None):
        self.field = field
        self.message = message
        self.record = record
        super().__init__(self._text())

    def _text(self) -> str:
        where = f"{self.record}, veld '{self.field}'" if self.record else f"Veld '{self.field}'"
        return f"{where}: {self.message}"

    def in_record(self, record: str) -> "ValidationError":
        return ValidationError(self.field, self.message, record)


class NotAllowed(KlachtDeskError):
    """The acting user's role does not permit this action, or the state does not."""


class ConflictError(KlachtDeskError):
    """Someone else changed the record since it was read (optimistic locking)."""
