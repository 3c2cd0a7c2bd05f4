"""How strong a password must be: long enough, and not easy to guess (zxcvbn), counting the
Dutch words and names an attacker tries first."""

from __future__ import annotations

from klachtdesk.domain.errors import ValidationError

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10^8 guesses and more
# zxcvbn's dictionaries are English; these are what Dutch offices choose and attackers try.
DUTCH_WORDS = [
    "wachtwoord",
    "welkom",
    "welkom01",
    "geheim",
    "klacht",
    "klachten",
    "klachtdesk",
    "beheer",
    "beheerder",
    "balie",
    "coordinator",
    "manager",
    "directeur",
    "woning",
    "woonstichting",
    "wonen",
    "huurder",
    "huur",
    "vereniging",
    "zomer",
    "winter",
    "lente",
    "herfst",
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "hallo",
    "doei",
    "liefde",
    "schat",
    "schatje",
    "prinses",
    "konijn",
    "hond",
    "kat",
    "poes",
    "paard",
    "voetbal",
    "ajax",
    "feyenoord",
    "psv",
    "oranje",
    "nederland",
    "holland",
    "amsterdam",
    "rotterdam",
    "utrecht",
    "denhaag",
    "eindhoven",
    "groningen",
    "tilburg",
    "almere",
    "breda",
    "nijmegen",
    "amersfoort",
    "zwolle",
    "haarlem",
    "leiden",
    "kantoor",
    "computer",
    "laptop",
    "koffie",
    "fiets",
    "kaas",
    "tulp",
    "molen",
    "vakantie",
    "verjaardag",
    "familie",
    "kinderen",
]


def check_password(password: str, *personal: str) -> str:
    """The password, if it is strong enough; a Dutch ValidationError saying why not.
    ``personal``: the user name, the person's name, the organisation (guessed first)."""
    if not password or len(password) < MIN_LENGTH:
        raise ValidationError(
            "wachtwoord",
            f"kies een wachtwoord van ten minste {MIN_LENGTH} tekens. Een zin van een paar "
            "woorden is makkelijk te onthouden en moeilijk te raden, bijvoorbeeld "
            "'fiets-regen-koffie-dinsdag'.",
        )
    if password.strip() != password:
        raise ValidationError("wachtwoord", "begint of eindigt met een spatie; klopt dat niet?")
    words = [*DUTCH_WORDS]
    for text in personal:
        words.extend(part for part in str(text or "").lower().split() if len(part) > 2)
    from zxcvbn import zxcvbn  # its dictionaries take 14 MiB: loaded when a password is set

    if zxcvbn(password[:100], user_inputs=words)["score"] < MIN_SCORE:
        raise ValidationError(
            "wachtwoord",
            "is te makkelijk te raden (bijvoorbeeld een bekend woord met een jaartal, of uw "
            "naam). Kies een langere zin van een paar losse woorden, bijvoorbeeld "
            "'fiets-regen-koffie-dinsdag'.",
        )
    return password
