"""Complaint procedures (reglementen) as data, with the two shipped presets (SPEC §3)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from klachtdesk.domain.calendar import Term, TermUnit
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.states import ProcedureFlags
from klachtdesk.domain.values import NotAdmissibleReason, Relation

# Fields added after the first release: a stored version without them gets these values
# (what the shipped presets and the law said before the field existed).
_LATER_FIELDS = {
    "max_extension": {"amount": 4, "unit": "weken"},
    "entitled_relations": (),
    "acknowledgement_names_handler": False,
}
_TERMS = ("acknowledgement_term", "decision_term", "appeal_term", "max_extension")


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
    # The longest an extension may add to the first decision deadline without the
    # complainant's recorded consent (Awb 9:11 lid 2: "ten hoogste vier weken").
    max_extension: Term = Term(4, TermUnit.WEKEN)
    # Who may complain (Livable: "een bewoner of pand eigenaar"); empty: anyone.
    entitled_relations: tuple[Relation, ...] = ()
    # The acknowledgement says who handles the complaint (Livable §4: "ook wie uw klacht in
    # behandeling neemt"): a handler is assigned before it can be made.
    acknowledgement_names_handler: bool = False

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
        try:
            relations = tuple(Relation(r) for r in self.entitled_relations)
        except ValueError:
            raise ValidationError(
                "klachtgerechtigd", "kies uit: " + ", ".join(r.value for r in Relation)
            ) from None
        object.__setattr__(self, "entitled_relations", relations)

    def entitled_words(self) -> str:
        """'huurder, bewoner of eigenaar' ('' when anyone may complain)."""
        names = [r.label.lower() for r in self.entitled_relations]
        if len(names) <= 1:
            return "".join(names)
        return ", ".join(names[:-1]) + " of " + names[-1]

    @property
    def refusal_grounds(self) -> tuple[NotAdmissibleReason, ...]:
        """The grounds on which this procedure refuses a complaint: only these are offered,
        accepted by the services and cited in letters."""
        grounds = []
        if self.must_discuss_with_employee_first:
            grounds.append(NotAdmissibleReason.NOT_DISCUSSED)
        if self.refuse_repeat_without_new_facts:
            grounds.append(NotAdmissibleReason.REPEAT)
        if self.entitled_relations:
            grounds.append(NotAdmissibleReason.NOT_ENTITLED)
        grounds.append(NotAdmissibleReason.ANONYMOUS)
        if self.refuse_older_than_one_year:
            grounds.append(NotAdmissibleReason.OLDER_THAN_YEAR)
        if self.mention_huurcommissie:
            grounds.append(NotAdmissibleReason.OTHER_BODY)
        grounds.append(NotAdmissibleReason.OTHER)
        return tuple(grounds)

    @property
    def flags(self) -> ProcedureFlags:
        return ProcedureFlags(appeal=self.appeal)

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        for name in _TERMS:
            term = getattr(self, name)
            data[name] = term.to_dict() if term else None
        data["entitled_relations"] = [r.value for r in self.entitled_relations]
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> Procedure:
        values = {**_LATER_FIELDS, **data}
        for name in _TERMS:
            values[name] = Term.from_dict(values[name]) if values.get(name) else None
        values["entitled_relations"] = tuple(values.get("entitled_relations") or ())
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
        entitled_relations=(Relation.HUURDER, Relation.BEWONER, Relation.EIGENAAR),
        acknowledgement_names_handler=True,
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
