"""The intake of a complaint, page by page, without Qt: what is asked, valid and meant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.deadlines import DeadlineKind
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.procedures import Procedure
from klachtdesk.domain.states import Activity
from klachtdesk.domain.validation import (
    MAX_LINE,
    MAX_NAME,
    MAX_SUBJECT,
    MAX_TEXT,
    ComplainantInput,
    ComplaintInput,
    check_received,
    clean_text,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    required_text,
)
from klachtdesk.domain.values import Channel, Salutation
from klachtdesk.services.admin.procedures import VersionInfo, current_procedure
from klachtdesk.services.cases import attachments, case_activities, case_view, cases, independence
from klachtdesk.services.cases.case_view import ComplainantMatch, ListRow
from klachtdesk.services.context import Context
from klachtdesk.services.intake import intake_admissibility
from klachtdesk.services.intake.intake_admissibility import NO, YES, Question
from klachtdesk.services.intake.intake_read import (
    DeadlinePreview,
    IntakeChoices,
    expected_deadlines,
    intake_choices,
    registered_deadline,
)


class Page(StrEnum):
    KANAAL = "kanaal"
    KLAGER = "klager"
    KLACHT = "klacht"
    ONTVANKELIJKHEID = "ontvankelijkheid"
    BIJLAGEN = "bijlagen"
    SAMENVATTING = "samenvatting"

    @property
    def title(self) -> str:
        return PAGE_TITLES[self]


PAGE_TITLES = {
    Page.KANAAL: "Kanaal en datum van ontvangst",
    Page.KLAGER: "Klager",
    Page.KLACHT: "De klacht",
    Page.ONTVANKELIJKHEID: "Ontvankelijkheid",
    Page.BIJLAGEN: "Bijlagen",
    Page.SAMENVATTING: "Samenvatting",
}


@dataclass(frozen=True)
class PendingFile:
    name: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


# Field names of domain errors (Dutch) → the flow's field key, and its label in a sentence.
_DOMAIN_FIELDS = {
    "naam": ("name", "Naam"),
    "straat": ("street", "Straat en huisnummer"),
    "adres": ("street", "Adres"),
    "postcode": ("postcode", "Postcode"),
    "plaats": ("city", "Plaats"),
    "telefoon": ("phone", "Telefoon"),
    "e-mail": ("email", "E-mailadres"),
    "aanhef": ("salutation", "Aanhef"),
    "huurdernummer": ("member_number", "Huurdernummer"),
    "ontvangen": ("received", "Datum van ontvangst"),
    "kanaal": ("channel", "Kanaal"),
    "onderwerp": ("subject", "Onderwerp"),
    "omschrijving": ("description", "Omschrijving"),
    "categorie": ("category", "Categorie"),
    "afdeling": ("department", "Afdeling"),
    "medewerker": ("employee", "Medewerker"),
    "verwachting": ("expectation", "Verwachting"),
    "nieuwe feiten": ("new_facts_text", "De beschrijving van de nieuwe feiten"),
}


def field_message(error: ValidationError) -> tuple[str, str]:
    """(field key, a whole Dutch sentence) for a domain ValidationError."""
    key, label = _DOMAIN_FIELDS.get(error.field, (error.field, error.field.capitalize()))
    text = error.message
    if text.startswith(("is ", "bevat ", "verwacht ")):
        text = f"{label} {text}"
    return key, text[:1].upper() + text[1:]


def normalised(func, value: str) -> str:
    """``func(value)``, or '' when the value is empty or not valid (yet)."""
    try:
        return func(value) if str(value).strip() else ""
    except ValidationError:
        return ""


def _clean_name(value: str) -> str:
    return clean_text(value, "naam", max_length=MAX_NAME)


def _yes_no(value: str | None) -> bool | None:
    return {YES: True, NO: False}.get(value or "")


class IntakeFlow:
    """The answers of one intake, page by page, and what they mean under the procedure."""

    def __init__(
        self,
        ctx: Context,
        procedure: VersionInfo | Procedure | None = None,
        choices: IntakeChoices | None = None,
    ):
        self.ctx = ctx
        if procedure is None:
            procedure = current_procedure(ctx)
        self.procedure: Procedure = (
            procedure.procedure if isinstance(procedure, VersionInfo) else procedure
        )
        self.choices = choices if choices is not None else intake_choices(ctx)
        self.answers: dict[Page, dict[str, Any]] = {page: {} for page in Page}
        self.answers[Page.KANAAL] = {"channel": Channel.TELEFOON.value, "received": ctx.today()}
        self.answers[Page.KLAGER] = {"salutation": Salutation.ONBEKEND.value}
        self.known: ComplainantMatch | None = None
        self.known_cases: list[ListRow] = []
        self.files: list[PendingFile] = []
        self.ref: str | None = None
        self._stored_files = 0
        self._note_done = False

    # -- pages --------------------------------------------------------------------------------
    @property
    def pages(self) -> tuple[Page, ...]:
        return tuple(Page)

    def next_page(self, page: Page) -> Page | None:
        order = self.pages
        index = order.index(page)
        return order[index + 1] if index + 1 < len(order) else None

    def set_answers(self, page: Page, **values: Any) -> None:
        self.answers[page].update(values)

    def answer(self, page: Page, key: str, default: Any = "") -> Any:
        value = self.answers[page].get(key)
        return default if value is None else value

    # -- validation ---------------------------------------------------------------------------
    def validate(self, page: Page) -> dict[str, str]:
        """Dutch messages per field for ``page``; empty when the page may be left."""
        check = {
            Page.KANAAL: self._check_kanaal,
            Page.KLAGER: self._check_klager,
            Page.KLACHT: self._check_klacht,
            Page.ONTVANKELIJKHEID: self._check_ontvankelijkheid,
            Page.BIJLAGEN: lambda: {},
            Page.SAMENVATTING: self._check_all,
        }[page]
        return check()

    def _collect(self, errors: dict[str, str], func, *args, **kwargs) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as error:
            key, text = field_message(error)
            errors.setdefault(key, text)
            return None

    def _check_kanaal(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        channel = self.answer(Page.KANAAL, "channel")
        if channel not in {c.value for c in Channel}:
            errors["channel"] = "Kies het kanaal waarlangs de klacht binnenkwam."
        received = self.answers[Page.KANAAL].get("received")
        if not isinstance(received, date):
            errors["received"] = "Vul de datum van ontvangst in."
        elif received > self.ctx.today():
            errors["received"] = (
                f"De datum van ontvangst ({long_date(received)}) ligt in de toekomst; "
                "kies vandaag of een eerdere dag."
            )
        else:
            self._collect(errors, check_received, received, self.ctx.today())
        return errors

    def complainant_data(self) -> dict[str, Any]:
        a = self.answers[Page.KLAGER]
        keys = ("name", "street", "postcode", "city", "phone", "email", "salutation")
        data = {key: a.get(key, "") for key in keys}
        data["member_number"] = a.get("member_number", "")
        data["prefers_email"] = bool(a.get("prefers_email"))
        return data

    def _check_klager(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        data = self.complainant_data()
        self._collect(errors, required_text, data["name"], "naam", max_length=MAX_NAME)
        for key, label in (("street", "straat"), ("city", "plaats")):
            self._collect(errors, clean_text, data[key], label, max_length=MAX_LINE)
        self._collect(errors, clean_text, data["member_number"], "huurdernummer", max_length=40)
        for key, normalise in (
            ("postcode", normalise_postcode),
            ("phone", normalise_phone),
            ("email", normalise_email),
        ):
            if str(data[key]).strip():
                self._collect(errors, normalise, data[key])
        if data["prefers_email"] and not str(data["email"]).strip():
            errors.setdefault(
                "email", "Vul een e-mailadres in als de klager brieven per e-mail wil ontvangen."
            )
        if not errors:
            self._collect(errors, ComplainantInput.validated, data)
        return errors

    def _check_klacht(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        a = self.answers[Page.KLACHT]
        self._collect(errors, required_text, a.get("subject"), "onderwerp", max_length=MAX_SUBJECT)
        self._collect(
            errors,
            required_text,
            a.get("description"),
            "omschrijving",
            max_length=MAX_TEXT,
            multiline=True,
        )
        category = a.get("category") or ""
        if not category:
            errors["category"] = "Kies een categorie."
        elif category not in self.choices.categories:
            errors["category"] = f"'{category}' is geen bekende categorie; kies uit de lijst."
        department = a.get("department") or ""
        if department and department not in self.choices.departments:
            errors["department"] = f"'{department}' is geen bekende afdeling."
        self._collect(errors, clean_text, a.get("employee"), "medewerker", max_length=MAX_NAME)
        self._collect(
            errors,
            clean_text,
            a.get("expectation"),
            "verwachting",
            max_length=MAX_TEXT,
            multiline=True,
        )
        return errors

    def employee_warning(self, employee: str) -> str:
        """A warning when the named employee is probably a colleague who handles complaints
        (SPEC §2: they may not handle or decide this one); '' otherwise."""
        return independence.warning(employee, independence.colleagues_named_by(self.ctx, employee))

    def department_of(self, employee: str) -> str:
        """The department of a known employee ('' for a name not in the list)."""
        for choice in self.choices.employees:
            if choice.name.lower() == employee.strip().lower():
                return choice.department
        return ""

    # -- admissibility --------------------------------------------------------------------------
    def all_questions(self) -> list[Question]:
        """Every admissibility question this procedure can ask."""
        return intake_admissibility.all_questions(
            self.procedure, self.answer(Page.KLACHT, "employee")
        )

    def questions(self) -> list[Question]:
        """The questions that apply now, given the answers so far."""
        return intake_admissibility.questions(
            self.procedure,
            self.answers[Page.ONTVANKELIJKHEID],
            self.answer(Page.KLACHT, "employee"),
        )

    def consequences(self) -> dict[str, str]:
        """Question key → what the answer means under this procedure (only the refusals)."""
        return intake_admissibility.consequences(
            self.procedure, self.answers[Page.ONTVANKELIJKHEID]
        )

    def _check_ontvankelijkheid(self) -> dict[str, str]:
        a = self.answers[Page.ONTVANKELIJKHEID]
        errors = {}
        for question in self.questions():
            value = a.get(question.key)
            if question.kind == "text" and not str(value or "").strip():
                errors[question.key] = "Beschrijf de nieuwe feiten of omstandigheden."
            elif question.kind == "text":
                self._collect(errors, clean_text, value, "nieuwe feiten", max_length=MAX_TEXT)
            elif question.required and value not in question.options:
                errors[question.key] = "Kies een antwoord."
        return errors

    # -- complainant search -------------------------------------------------------------------
    def search(self, text: str) -> list[ComplainantMatch]:
        return case_view.find_complainants(self.ctx, text)

    def earlier_cases_of(self, match: ComplainantMatch) -> list[ListRow]:
        return case_view.earlier_cases(self.ctx, match.id)

    def use_complainant(self, match: ComplainantMatch) -> list[ListRow]:
        """Take over a known complainant's data (registering then reuses them); returns
        their earlier cases."""
        self.known = match
        self.known_cases = self.earlier_cases_of(match)
        self.answers[Page.KLAGER] = dict(
            name=match.name,
            street=match.street,
            postcode=match.postcode,
            city=match.city,
            phone=match.phone,
            email=match.email,
            salutation=match.salutation or Salutation.ONBEKEND.value,
            member_number=match.member_number,
            prefers_email=match.prefers_email,
        )
        return self.known_cases

    def new_complainant(self) -> None:
        self.known, self.known_cases = None, []
        self.answers[Page.KLAGER] = {"salutation": Salutation.ONBEKEND.value}

    def is_known_complainant(self) -> bool:
        """Whether registering will reuse ``self.known`` (same name and postcode or e-mail)."""
        if self.known is None:
            return False
        data = self.complainant_data()
        name = normalised(_clean_name, data["name"])
        if name.lower() != self.known.name.lower():
            return False
        postcode = normalised(normalise_postcode, data["postcode"])
        email = normalised(normalise_email, data["email"])
        # The same test as cases._find_or_add_complainant makes when registering.
        return bool(
            (postcode and postcode == self.known.postcode) or (email and email == self.known.email)
        )

    def recognise_complainant(self) -> None:
        """Find a known complainant the clerk did not pick, so a repeat still shows."""
        if self.is_known_complainant():
            return
        self.known, self.known_cases = None, []
        name = self.complainant_data()["name"].strip()
        for match in self.search(name):
            self.known = match
            if self.is_known_complainant():
                self.known_cases = self.earlier_cases_of(match)
                return
        self.known = None

    # -- attachments ----------------------------------------------------------------------------
    @staticmethod
    def file_problem(name: str, size: int) -> str | None:
        """A Dutch message when a file cannot be attached, else None."""
        if size <= 0:
            return f"'{name}' is leeg en kan niet worden toegevoegd."
        if size > attachments.MAX_ATTACHMENT_BYTES:
            limit = attachments.MAX_ATTACHMENT_BYTES // (1024 * 1024)
            return (
                f"'{name}' is {file_size(size)}; een bijlage mag ten hoogste "
                f"{limit} MB zijn. Scan het document met een lagere resolutie of als PDF."
            )
        return None

    def add_file(self, name: str, data: bytes) -> str | None:
        """Hold a file for the case; returns a Dutch message when it is refused."""
        problem = self.file_problem(name, len(data))
        if problem:
            return problem
        if any(f.name == name and f.data == data for f in self.files):
            return f"'{name}' is al toegevoegd."
        self.files.append(PendingFile(name, data))
        return None

    def remove_file(self, index: int) -> None:
        del self.files[index]

    # -- summary and registering ------------------------------------------------------------
    def complaint_data(self) -> dict[str, Any]:
        k, c = self.answers[Page.KANAAL], self.answers[Page.KLACHT]
        received = k.get("received")
        return {
            "received": received.isoformat() if isinstance(received, date) else received,
            "channel": k.get("channel"),
            "complainant": self.complainant_data(),
            "subject": c.get("subject", ""),
            "description": c.get("description", ""),
            "category": c.get("category", ""),
            "department": c.get("department", ""),
            "employee": c.get("employee", ""),
            "discussed_with_employee": _yes_no(
                self.answers[Page.ONTVANKELIJKHEID].get("discussed")
            ),
            "expectation": c.get("expectation", ""),
            **intake_admissibility.complaint_fields(self.answers[Page.ONTVANKELIJKHEID]),
        }

    def _check_all(self) -> dict[str, str]:
        """The first page with errors decides (the summary page itself asks nothing)."""
        for page in self.pages[:-1]:
            if errors := self.validate(page):
                return errors
        return {}

    def complaint(self) -> ComplaintInput:
        return ComplaintInput.validated(self.complaint_data(), self.ctx.today())

    def deadlines(self) -> list[DeadlinePreview]:
        received = self.answers[Page.KANAAL].get("received")
        return expected_deadlines(self.ctx, received) if isinstance(received, date) else []

    def admissibility_note(self) -> str:
        """What the clerk learnt about admissibility beyond the 'discussed' flag, for the
        coordinator's triage (a note on the timeline); '' when there is nothing to note."""
        return intake_admissibility.note(self.procedure, self.answers[Page.ONTVANKELIJKHEID])

    def register(self) -> str:
        """Register the complaint, then store its files and the admissibility note.

        Safe to call again after a failure: what was stored is not stored twice.
        """
        if self.ref is None:
            self.ref = cases.register(self.ctx, self.complaint())
        while self._stored_files < len(self.files):
            pending = self.files[self._stored_files]
            attachments.add_attachment(self.ctx, self.ref, pending.name, pending.data)
            self._stored_files += 1
        if not self._note_done:
            note = self.admissibility_note()
            if note:
                case_activities.record(self.ctx, self.ref, Activity.NOTITIE, note)
            self._note_done = True
        return self.ref

    def acknowledgement_due(self) -> date | None:
        if self.ref is None:
            return None
        return registered_deadline(self.ctx, self.ref, DeadlineKind.ONTVANGSTBEVESTIGING)


def file_size(size: int) -> str:
    """'850 kB', '2,4 MB' (Dutch decimal comma)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")
