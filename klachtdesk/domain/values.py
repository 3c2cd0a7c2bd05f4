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
    """Grounds for not taking a complaint into treatment; which ones apply is decided by the
    case's procedure version (``Procedure.refusal_grounds``)."""

    NOT_DISCUSSED = "niet_besproken"
    REPEAT = "herhaling"
    NOT_ENTITLED = "niet_klachtgerechtigd"
    ANONYMOUS = "anoniem"
    OLDER_THAN_YEAR = "ouder_dan_jaar"
    OTHER_BODY = "andere_instantie"
    OTHER = "anders"

    @property
    def label(self) -> str:
        return {
            NotAdmissibleReason.NOT_DISCUSSED: "Niet eerst besproken met de medewerker",
            NotAdmissibleReason.REPEAT: "Eerder behandeld, geen nieuwe feiten",
            NotAdmissibleReason.NOT_ENTITLED: "Klager is niet klachtgerechtigd",
            NotAdmissibleReason.ANONYMOUS: "Anonieme klacht",
            NotAdmissibleReason.OLDER_THAN_YEAR: "Gedraging langer dan een jaar geleden",
            NotAdmissibleReason.OTHER_BODY: "Zaak voor de Huurcommissie of de rechter",
            NotAdmissibleReason.OTHER: "Andere reden",
        }[self]


class Relation(StrEnum):
    """The complainant's relation to the home or building the complaint is about."""

    HUURDER = "huurder"
    BEWONER = "bewoner"
    EIGENAAR = "eigenaar"
    ANDERS = "anders"

    @property
    def label(self) -> str:
        return {
            Relation.HUURDER: "Huurder",
            Relation.BEWONER: "Bewoner",
            Relation.EIGENAAR: "Eigenaar",
            Relation.ANDERS: "Anders (bijvoorbeeld buurtbewoner of bezoeker)",
        }[self]


def case_reference(year: int, sequence: int) -> str:
    """'KD-2026-0042': year of receipt and the sequence number within that year."""
    return f"KD-{year}-{sequence:04d}"
