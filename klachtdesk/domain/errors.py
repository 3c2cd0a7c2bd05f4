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


_OS_REASONS = {
    "ENOSPC": "de schijf is vol",
    "EDQUOT": "de schijfruimte van deze gebruiker is op",
    "EFBIG": "het bestand wordt te groot voor deze schijf",
    "EACCES": "u heeft geen toestemming om hier te schrijven of te lezen",
    "EPERM": "u heeft geen toestemming om hier te schrijven of te lezen",
    "EROFS": "de schijf is alleen-lezen",
    "ENOENT": "het bestand of de map bestaat niet",
    "ENOTDIR": "een deel van het pad is geen map",
    "EISDIR": "dit is een map, geen bestand",
    "EIO": "de schijf gaf een leesfout of schrijffout",
    "EBUSY": "het bestand is in gebruik",
    "ENAMETOOLONG": "de bestandsnaam is te lang",
}


def os_reason(error: OSError) -> str:
    """A Dutch reason for a file-system error (the system's own text is often English)."""
    import errno

    name = errno.errorcode.get(error.errno or 0, "")
    return _OS_REASONS.get(name, "het bestand kon niet worden gelezen of geschreven")
