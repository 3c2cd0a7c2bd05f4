"""Roles of SPEC §1 and their Dutch names."""

from enum import StrEnum

from klachtdesk.domain.errors import ValidationError


class Role(StrEnum):
    BALIE = "balie"
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    DIRECTEUR = "directeur"
    BEHEER = "beheer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.BALIE: "Baliemedewerker",
    Role.COORDINATOR: "Klachtencoördinator",
    Role.MANAGER: "Manager / behandelaar",
    Role.DIRECTEUR: "Directeur-bestuurder",
    Role.BEHEER: "Beheerder",
}


def parse_roles(text: str) -> frozenset[Role]:
    """Roles from a comma-separated text such as 'coordinator,beheer'."""
    roles = set()
    for part in text.split(","):
        part = part.strip().lower()
        if not part:
            continue
        try:
            roles.add(Role(part))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ValidationError(
                "rol", f"'{part}' is geen bekende rol (kies uit: {known})."
            ) from None
    if not roles:
        raise ValidationError("rol", "geef ten minste één rol op.")
    return frozenset(roles)
