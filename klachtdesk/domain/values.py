"""Small value types of the complaints domain."""

from enum import StrEnum


class Channel(StrEnum):
    TELEFOON = "telefoon"
    BRIEF = "brief"
    BALIE = "balie"
    EMAIL = "email"
    WEB = "web"

    @property
    def label(self) -> str:
        return {
            Channel.TELEFOON: "Telefoon",
            Channel.BRIEF: "Brief",
            Channel.BALIE: "Balie",
            Channel.EMAIL: "E-mail",
            Channel.WEB: "Webformulier",
        }[self]


class Outcome(StrEnum):
    GEGROND = "gegrond"
    DEELS_GEGROND = "deels_gegrond"
    ONGEGROND = "ongegrond"
    GEEN_OORDEEL = "geen_oordeel"

    @property
    def label(self) -> str:
        return {
            Outcome.GEGROND: "Gegrond",
            Outcome.DEELS_GEGROND: "Deels gegrond",
            Outcome.ONGEGROND: "Ongegrond",
            Outcome.GEEN_OORDEEL: "Geen oordeel",
        }[self]


class Salutation(StrEnum):
    HEER = "heer"
    MEVROUW = "mevrouw"
    ONBEKEND = "onbekend"


class LetterChannel(StrEnum):
    POST = "post"
    EMAIL = "email"


class NotAdmissibleReason(StrEnum):
    NOT_DISCUSSED = "niet_besproken"
    REPEAT = "herhaling"
    OLDER_THAN_YEAR = "ouder_dan_jaar"
    OTHER = "anders"

    @property
    def label(self) -> str:
        return {
            NotAdmissibleReason.NOT_DISCUSSED: "Niet eerst besproken met de medewerker",
            NotAdmissibleReason.REPEAT: "Eerder behandeld, geen nieuwe feiten",
            NotAdmissibleReason.OLDER_THAN_YEAR: "Gedraging langer dan een jaar geleden",
            NotAdmissibleReason.OTHER: "Andere reden",
        }[self]


def case_reference(year: int, sequence: int) -> str:
    """'KD-2026-0042': year of receipt and the sequence number within that year."""
    return f"KD-{year}-{sequence:04d}"
