"""The admissibility questions of the intake, and what the answers mean under a procedure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from klachtdesk.domain.procedures import Procedure
from klachtdesk.domain.validation import MAX_TEXT, clean_text
from klachtdesk.domain.values import Relation

YES, NO, UNKNOWN = "ja", "nee", "onbekend"
ANSWER_LABELS = {
    YES: "Ja",
    NO: "Nee",
    UNKNOWN: "Niet bekend",
    **{r.value: r.label for r in Relation},
}

CONSEQUENCE_NOT_DISCUSSED = (
    "Volgens de klachtenregeling wordt een klacht die niet eerst met de medewerker is besproken "
    "niet in behandeling genomen; de klager krijgt het advies dit eerst met de medewerker te "
    "bespreken."
)
CONSEQUENCE_REPEAT = (
    "Volgens de klachtenregeling wordt een klacht die al eerder is behandeld niet opnieuw in "
    "behandeling genomen als de klager geen nieuwe feiten of omstandigheden aandraagt."
)
CONSEQUENCE_OLDER = (
    "Volgens de klachtenregeling wordt een klacht over een gedraging die langer dan een jaar "
    "vóór het indienen van de klacht plaatsvond niet in behandeling genomen."
)
CONSEQUENCE_NOT_ENTITLED = (
    "Volgens de klachtenregeling kan alleen een {who} een klacht indienen; de klacht wordt "
    "niet in behandeling genomen, tenzij de klachtencoördinator een reden vastlegt."
)
REGISTER_ANYWAY = (
    "U kunt de klacht toch registreren; de klachtencoördinator beslist over de ontvankelijkheid."
)

Answers = Mapping[str, Any]  # question key → answer (the admissibility page's answers)


@dataclass(frozen=True)
class Question:
    """One admissibility question; ``kind`` is 'choice', 'case' (an earlier case) or 'text'."""

    key: str
    text: str
    kind: str = "choice"
    options: tuple[str, ...] = (YES, NO)
    required: bool = True
    hint: str = ""


def all_questions(procedure: Procedure, employee: str) -> list[Question]:
    """Every admissibility question this procedure can ask (``employee``: the one concerned)."""
    p = procedure
    employee = employee.strip()
    who = f"de medewerker ({employee})" if employee else "de medewerker om wie het gaat"
    asked = [
        Question(
            "discussed",
            f"Heeft de klager dit eerst besproken met {who}?",
            options=(YES, NO, UNKNOWN),
            required=p.must_discuss_with_employee_first,
            hint=""
            if p.must_discuss_with_employee_first
            else "Deze klachtenregeling stelt dit niet als voorwaarde; het antwoord helpt "
            "bij de behandeling.",
        )
    ]
    if p.entitled_relations:
        asked.append(
            Question(
                "relation",
                "Wat is de relatie van de klager tot de woning of het pand?",
                options=tuple(r.value for r in Relation),
                hint="Volgens de klachtenregeling kan alleen een "
                + _who(p)
                + " een klacht indienen.",
            )
        )
    if p.refuse_repeat_without_new_facts:
        asked += [
            Question("repeat", "Is deze klacht eerder behandeld?"),
            Question("earlier_ref", "Welke zaak was dat?", kind="case", required=False),
            Question("new_facts", "Brengt de klager nieuwe feiten of omstandigheden aan?"),
            Question("new_facts_text", "Welke nieuwe feiten of omstandigheden?", kind="text"),
        ]
    if p.refuse_older_than_one_year:
        asked.append(
            Question(
                "older_than_year",
                "Vond de gedraging waarover de klacht gaat langer dan een jaar geleden plaats?",
            )
        )
    return asked


def _who(procedure: Procedure) -> str:
    return procedure.entitled_words()


def complaint_fields(answers: Answers) -> dict[str, Any]:
    """The answers that become part of the registered complaint (ComplaintInput fields)."""
    a = answers
    repeat = {YES: True, NO: False}.get(a.get("repeat"))
    return {
        "relation": a.get("relation") or None,
        "repeat": repeat,
        "earlier_ref": str(a.get("earlier_ref") or "") if repeat else "",
        "new_facts": str(a.get("new_facts_text") or "")
        if repeat and a.get("new_facts") == YES
        else "",
    }


def questions(procedure: Procedure, answers: Answers, employee: str) -> list[Question]:
    """The questions that apply now, given the answers so far."""
    a = answers
    shown = []
    for question in all_questions(procedure, employee):
        if question.key in ("earlier_ref", "new_facts") and a.get("repeat") != YES:
            continue
        if question.key == "new_facts_text" and (
            a.get("repeat") != YES or a.get("new_facts") != YES
        ):
            continue
        shown.append(question)
    return shown


def consequences(procedure: Procedure, answers: Answers) -> dict[str, str]:
    """Question key → what the answer means under this procedure (only the refusals)."""
    a = answers
    p = procedure
    result = {}
    if p.must_discuss_with_employee_first and a.get("discussed") == NO:
        result["discussed"] = CONSEQUENCE_NOT_DISCUSSED
    relation = a.get("relation")
    if p.entitled_relations and relation and Relation(relation) not in p.entitled_relations:
        result["relation"] = CONSEQUENCE_NOT_ENTITLED.format(who=_who(p))
    repeat = a.get("repeat") == YES and a.get("new_facts") == NO
    if p.refuse_repeat_without_new_facts and repeat:
        result["new_facts"] = CONSEQUENCE_REPEAT
    if p.refuse_older_than_one_year and a.get("older_than_year") == YES:
        result["older_than_year"] = CONSEQUENCE_OLDER
    return result


def note(procedure: Procedure, answers: Answers) -> str:
    """What the clerk learnt about admissibility beyond the 'discussed' flag, for the
    coordinator's triage (a note on the timeline); '' when there is nothing to note."""
    a = answers
    lines = []
    if a.get("repeat") == YES:
        which = f" ({a['earlier_ref']})" if a.get("earlier_ref") else ""
        lines.append(f"Volgens de klager is deze klacht eerder behandeld{which}.")
        if a.get("new_facts") == YES:
            facts = clean_text(a.get("new_facts_text"), "nieuwe feiten", max_length=MAX_TEXT)
            lines.append(f"Nieuwe feiten of omstandigheden: {facts}")
        elif a.get("new_facts") == NO:
            lines.append("De klager brengt geen nieuwe feiten of omstandigheden aan.")
    elif a.get("repeat") == NO and procedure.refuse_repeat_without_new_facts:
        lines.append("Volgens de klager is deze klacht niet eerder behandeld.")
    if a.get("older_than_year") == YES:
        lines.append("De gedraging vond volgens de klager langer dan een jaar geleden plaats.")
    lines += [v for k, v in consequences(procedure, answers).items() if k != "discussed"]
    if not lines:
        return ""
    return "Ontvankelijkheid bij de intake:\n" + "\n".join(lines)
