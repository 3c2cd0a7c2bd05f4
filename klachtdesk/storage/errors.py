"""Storage errors, each with a Dutch message for the user."""

from klachtdesk.domain.errors import KlachtDeskError


class WrongPassword(KlachtDeskError):
    wait = 0  # seconds the next try must wait (set by the login guard)

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or "De gebruikersnaam of het wachtwoord klopt niet. Let op hoofdletters en "
            "de Caps Lock-toets, en probeer het opnieuw."
        )


class DatabaseMissing(KlachtDeskError):
    def __init__(self, path):
        super().__init__(
            f"Het databasebestand '{path}' bestaat niet. Controleer de map (is de USB-stick "
            "of netwerkschijf aangesloten?) of maak een nieuwe database met 'klachtdesk init'."
        )


class KeyFileMissing(KlachtDeskError):
    def __init__(self, path):
        super().__init__(
            f"Het sleutelbestand '{path}' ontbreekt. Dit bestand hoort naast de database te "
            "staan; zonder dit bestand kan de database niet worden geopend. Zet het terug "
            "vanuit een back-up."
        )


class NotADatabase(KlachtDeskError):
    def __init__(self, path, detail: str = ""):
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"'{path}' is geen KlachtDesk-database of het bestand is beschadigd{extra}. "
            "Er is niets gewijzigd. Zet zo nodig de nieuwste back-up terug."
        )


class DamagedDatabase(KlachtDeskError):
    def __init__(self, path, detail: str = ""):
        extra = f": {detail}" if detail else ""
        super().__init__(
            f"De database '{path}' is beschadigd{extra}. Er is niets gewijzigd. "
            "Zet de nieuwste back-up terug of neem contact op met uw beheerder."
        )


class NewerDatabase(KlachtDeskError):
    def __init__(self, path):
        super().__init__(
            f"De database '{path}' is gemaakt met een nieuwere versie van KlachtDesk. "
            "Installeer de nieuwste versie van KlachtDesk om deze database te openen."
        )


class DatabaseExists(KlachtDeskError):
    exit_code = 2

    def __init__(self, path):
        super().__init__(
            f"Er bestaat al een bestand '{path}'. KlachtDesk overschrijft geen bestaande "
            "database; kies een andere bestandsnaam."
        )


class DatabaseBusy(KlachtDeskError):
    def __init__(self):
        super().__init__(
            "De database is bezet door een andere computer. Probeer het over enkele "
            "ogenblikken opnieuw; er is niets verloren gegaan."
        )


class DiskFull(KlachtDeskError):
    def __init__(self):
        super().__init__(
            "De schijf is vol; de laatste wijziging is niet opgeslagen. Alles wat eerder was "
            "opgeslagen is bewaard. Maak ruimte vrij en probeer het opnieuw."
        )


class DiskWriteFailed(KlachtDeskError):
    def __init__(self):
        super().__init__(
            "Schrijven naar de schijf is mislukt: is de schijf vol, of is de USB-stick of "
            "netwerkschijf weggevallen? De laatste wijziging is niet opgeslagen. Alles wat eerder "
            "was opgeslagen is bewaard. Los het op en probeer het opnieuw."
        )


class CloudFolder(KlachtDeskError):
    exit_code = 2

    def __init__(self, path, client: str):
        super().__init__(
            f"'{path}' staat in een map die {client} synchroniseert. Daar kan KlachtDesk zijn "
            "database niet bewaren: als twee computers via de cloud in hetzelfde bestand "
            "schrijven, maakt de synchronisatie conflictkopieën en gaat werk verloren. Kies een "
            "map op deze computer of op een netwerkschijf van uw organisatie (een gedeelde map "
            "op de server, bijvoorbeeld S:\\Klachten); dat werkt wel, ook met meerdere "
            "computers tegelijk. Staat de database al in zo'n map? Verplaats dan het "
            "databasebestand en het sleutelbestand (.keys) samen naar een andere map."
        )


class AccessRevoked(KlachtDeskError):
    """The key file no longer holds a key for this session: the account was deactivated or
    its password reset on another PC while this one was logged in."""

    def __init__(self):
        super().__init__(
            "Uw toegang tot deze database is ingetrokken: de beheerder heeft uw account "
            "gedeactiveerd of uw wachtwoord opnieuw ingesteld. KlachtDesk sluit de database. "
            "Vraag de beheerder om een nieuw wachtwoord als dat niet klopt."
        )


class KeyChanged(KlachtDeskError):
    """The database was re-encrypted by another PC in the middle of this action."""

    def __init__(self):
        super().__init__(
            "De beheerder heeft zojuist de sleutel van de database vervangen (bijvoorbeeld na "
            "het deactiveren van een gebruiker). Uw laatste handeling is niet opgeslagen; "
            "probeer het nog een keer."
        )


class KeyFileTampered(KlachtDeskError):
    """A slot whose public keys do not carry the database's own seal."""

    def __init__(self, path):
        super().__init__(
            f"Het sleutelbestand '{path}' is buiten KlachtDesk gewijzigd: een sleutel erin is "
            "niet door KlachtDesk gemaakt. Er is niets gewijzigd. Zet het sleutelbestand "
            "terug uit een back-up en laat de beheerder de wachtwoorden controleren."
        )


class KeyFileWriteFailed(KlachtDeskError):
    def __init__(self, path, error: OSError):
        from klachtdesk.domain.errors import os_reason

        super().__init__(
            f"Het sleutelbestand '{path}' kon niet worden opgeslagen ({os_reason(error)}). "
            "Er is niets gewijzigd. Controleer of u in deze map mag schrijven en probeer het "
            "opnieuw."
        )


class TooManyAttempts(KlachtDeskError):
    """Guessing is slowed down: the next try is allowed after ``seconds``."""

    def __init__(self, seconds: int):
        self.seconds = seconds
        super().__init__(
            f"Te vaak een onjuist wachtwoord of een onjuiste herstelcode. Wacht nog {seconds} "
            f"{'seconde' if seconds == 1 else 'seconden'} en probeer het dan opnieuw."
        )


class ReadOnlyDatabase(KlachtDeskError):
    """Logged in to read only: the file or its folder cannot be written (a read-only share,
    a full disk). Every change is refused with this message; reading goes on."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(
            f"KlachtDesk kan de database nu alleen lezen: {reason}. Er kan niets worden "
            "gewijzigd of toegevoegd; alles wat al was opgeslagen is er nog. Los het op, sluit "
            "KlachtDesk en start het opnieuw."
        )


class OlderServerSchema(KlachtDeskError):
    def __init__(self, where):
        super().__init__(
            f"De database op {where} is gemaakt met een oudere KlachtDesk en moet eerst worden "
            "bijgewerkt. Vraag uw IT-beheerder om als eigenaar van de database "
            "'klachtdesk server-setup --db <adres>' uit te voeren. Er is niets gewijzigd."
        )
