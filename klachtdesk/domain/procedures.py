"""Complaint procedures (reglementen) as data, with the two shipped presets (SPEC §3)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from klachtdesk.domain.calendar import Term, TermUnit
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.states import ProcedureFlags


@dataclass(frozen=True)
class Procedure:
    """One version of an organisation's complaints procedure."""

    key: str
    name: str
    must_discuss_with_employee_first: bool
    refuse_repeat_without_new_facts: bool
    refuse_older_than_one_year: bool
    acknowledgement_term: Term
    decision_term: Term
    extension_allowed: bool
    appeal: bool
    appeal_term: Term | None
    external_body: str
    satisfaction_check: bool
    evaluations_per_year: int
    apply_atw: bool
    mention_huurcommissie: bool

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValidationError("naam", "de klachtenregeling heeft een naam nodig.")
        for name, label in (
            ("acknowledgement_term", "termijn ontvangstbevestiging"),
            ("decision_term", "termijn uitspraak"),
        ):
            if not isinstance(getattr(self, name), Term):
                raise ValidationError(label, "is verplicht.")
        if self.appeal and self.appeal_term is None:
            raise ValidationError("termijn heroverweging", "geef de termijn voor heroverweging op.")
        if not 1 <= self.evaluations_per_year <= 12:
            raise ValidationError("evaluaties per jaar", "kies een aantal van 1 tot en met 12.")

    @property
    def flags(self) -> ProcedureFlags:
        return ProcedureFlags(appeal=self.appeal)

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        for name in ("acknowledgement_term", "decision_term", "appeal_term"):
            term = getattr(self, name)
            data[name] = term.to_dict() if term else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> Procedure:
        values = dict(data)
        for name in ("acknowledgement_term", "decision_term", "appeal_term"):
            values[name] = Term.from_dict(values[name]) if values.get(name) else None
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def changed(self, **changes) -> Procedure:
        return dataclasses.replace(self, **changes)


PRESETS: dict[str, Procedure] = {
    "woonpartners": Procedure(
        key="woonpartners",
        name="Klachtenprocedure (model Woonpartners)",
        must_discuss_with_employee_first=True,
        refuse_repeat_without_new_facts=False,
        refuse_older_than_one_year=False,
        acknowledgement_term=Term(5, TermUnit.WERKDAGEN),
        decision_term=Term(4, TermUnit.WEKEN),
        extension_allowed=True,
        appeal=True,
        appeal_term=Term(2, TermUnit.WEKEN),
        external_body="de Regionale Geschillencommissie",
        satisfaction_check=False,
        evaluations_per_year=2,
        apply_atw=True,
        mention_huurcommissie=True,
    ),
    "livable": Procedure(
        key="livable",
        name="Klachtenreglement (model Livable)",
        must_discuss_with_employee_first=False,
        refuse_repeat_without_new_facts=True,
        refuse_older_than_one_year=False,
        acknowledgement_term=Term(7, TermUnit.WERKDAGEN),
        decision_term=Term(6, TermUnit.WEKEN),
        extension_allowed=True,
        appeal=False,
        appeal_term=None,
        external_body="een andere daartoe geëigende externe instantie",
        satisfaction_check=True,
        evaluations_per_year=2,
        apply_atw=True,
        mention_huurcommissie=False,
    ),
}


def preset(key: str) -> Procedure:
    try:
        return PRESETS[key]
    except KeyError:
        raise ValidationError(
            "procedure",
            f"'{key}' is geen bekende klachtenregeling (kies uit: woonpartners, livable).",
        ) from None
