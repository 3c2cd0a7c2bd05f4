"""Fuzzing the letter placeholder engine and letter rendering (issue 5 point 8, SPEC §5).

Any template text (stray and nested braces, unknown placeholders, format-string attacks
such as "{__class__}" or "{0.__globals__}", "%s", "${x}", very long texts) is either
accepted or refused with a Dutch message; filling substitutes the known placeholders and
nothing else, and a value that itself looks like a placeholder is never expanded again.
Odd Unicode (RTL, emoji, combining marks, a 5,000-character name) still makes a PDF.

Set KLACHTDESK_FUZZ=deep for a long run (many more examples per property).
"""

from __future__ import annotations

import re
import time
from datetime import date

import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.validation import MAX_SUBJECT, MAX_TEXT, ComplaintInput, required_text
from klachtdesk.letters.placeholders import (
    PLACEHOLDERS,
    check_template,
    fill,
    placeholders_in,
    render_text,
    split_paragraphs,
)
from klachtdesk.letters.render import LetterDocument, Letterhead, Recipient, render_letter
from klachtdesk.services.cases import cases
from klachtdesk.services.letters import letter_templates, letters
from tests.conftest import TODAY, complaint_data
from tests.fuzzing import fuzz_settings

FUZZ = fuzz_settings(
    100,
    3000,
    HealthCheck.function_scoped_fixture,  # the services test checks state per example
)
FUZZ_DB = settings(FUZZ, max_examples=max(15, FUZZ.max_examples // 6))

NAMES = sorted(PLACEHOLDERS)
ATTACKS = [
    "{__class__}",
    "{0.__globals__}",
    "{zaak.__class__}",
    "{zaak.__init__.__globals__[os]}",
    "{zaak!r}",
    "{zaak:>1000000}",
    "{0}",
    "{}",
    "{ zaak }",
    "{ZAAK}",
    "%s",
    "%(zaak)s",
    "${x}",
    "${zaak}",
    "{{",
    "}}",
    "{{zaak}}",
    "{{{zaak}}}",
    "{zaak{zaak}}",
    "{{}",
    "{",
    "}",
    "\\{zaak\\}",
]
TOKENS = [
    *ATTACKS,
    *(f"{{{name}}}" for name in NAMES[:8]),
    "{onbekend}",
    "\n\n",
    "\n",
    " ",
    "  ",
    "\t",
    ".",
    ",",
    "tekst",
    "שלום",
    "😀",
    "e\u0301",
    "\u202e",
    "\x00",
]
template_text = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=5)), max_size=30).map("".join),
)
value_text = st.one_of(
    st.text(),
    st.lists(st.sampled_from(TOKENS), max_size=8).map("".join),
    st.sampled_from(["'; DROP TABLE cases; --", "Robert'); DELETE FROM complainants;--"]),
)
values_map = st.dictionaries(
    st.one_of(st.sampled_from(NAMES), st.text(max_size=8)), value_text, max_size=12
)
_CC = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_DUTCH = re.compile(r"\b(invulveld|invulvelden|accolade|gebruik|typ|is|te)\b", re.IGNORECASE)


def escape(text: str) -> str:
    """Literal text as template text: every brace doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def assert_dutch_error(error: ValidationError, field: str) -> None:
    text = str(error)
    assert error.field == field
    assert text.startswith(f"Veld '{field}': ")
    assert _DUTCH.search(error.message), text
    assert len(text) <= 600, f"a message of {len(text)} characters"
    assert not _CC.search(text), f"control character in the message: {text!r}"


# -- the engine ---------------------------------------------------------------------------------


@FUZZ
@given(template=template_text, values=values_map)
@example(template="{__class__}{0.__globals__}", values={})
@example(template="{zaak:>1000000}", values={"zaak": "KD"})
def test_fill_never_fails_and_never_evaluates(template, values):
    result = fill(template, values)
    assert isinstance(result, str)
    # Only values and the template's own characters come out: nothing is computed or padded.
    longest = max((len(v) for v in values.values()), default=0)
    assert len(result) <= len(template) + longest * template.count("{")
    if "{" not in template and "}" not in template:
        assert result == template  # "%s", "${x}" and the like are plain text


@st.composite
def template_parts(draw) -> list[tuple[str, str]]:
    return draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("text"), st.one_of(st.text(), st.sampled_from(TOKENS))),
                st.tuples(st.just("field"), st.sampled_from(NAMES)),
            ),
            max_size=20,
        )
    )


@FUZZ
@given(parts=template_parts(), values=st.fixed_dictionaries({n: value_text for n in NAMES}))
@example(parts=[("field", "klager_naam"), ("text", " {zaak}")], values={n: "{zaak}" for n in NAMES})
def test_values_are_inserted_verbatim_and_never_expanded_again(parts, values):
    template = "".join(escape(v) if kind == "text" else "{" + v + "}" for kind, v in parts)
    check_template(template)  # built from known names and escaped text: accepted
    assert placeholders_in(template) == list(dict.fromkeys(v for k, v in parts if k == "field"))
    expected = "".join(v if kind == "text" else values[v] for kind, v in parts)
    assert fill(template, values) == expected


@FUZZ
@given(text=st.one_of(st.text(), st.lists(st.sampled_from(TOKENS)).map("".join)))
def test_doubled_braces_give_the_text_back(text):
    check_template(escape(text))
    assert fill(escape(text), {n: "X" for n in NAMES}) == text
    assert placeholders_in(escape(text)) == []


@FUZZ
@given(template=template_text)
@example(template="".join(f"{{onbekend_{i}}}" for i in range(5000)))  # 5,000 unknown names
@example(template="{" + "x" * 10_000 + "}")  # one unknown name of 10,000 characters
@example(template="{\x00\u202e\x1b[31m}")  # control characters inside the braces
@example(template="{{" * 5000 + "{")
def test_check_template_accepts_or_explains_in_dutch(template):
    try:
        check_template(template, "tekst")
    except ValidationError as error:
        assert_dutch_error(error, "tekst")
        return
    # Accepted: every placeholder is known and every brace is part of one or doubled.
    assert set(placeholders_in(template)) <= set(PLACEHOLDERS)
    filled = fill(template, {n: "" for n in NAMES})
    assert filled.count("{") <= template.count("{{") and filled.count("}") <= template.count("}}")


ACCEPTED = {  # template → the text it gives for {zaak} = KD-2026-0001
    "%s": "%s",
    "%(zaak)s": "%(zaak)s",
    "${zaak}": "$KD-2026-0001",
    "{{": "{",
    "}}": "}",
    "{{zaak}}": "{zaak}",
    "{{{zaak}}}": "{KD-2026-0001}",
}


@FUZZ
@given(name=st.text(st.characters(blacklist_characters="{}"), max_size=30))
@example(name=" zaak ")  # shown as typed: "{zaak}" would name a valid placeholder
@example(name="ZAAK")
def test_an_unknown_placeholder_is_quoted_as_typed(name):
    if name in PLACEHOLDERS:
        return
    with pytest.raises(ValidationError) as info:
        check_template(f"Beste {{{name}}},", "tekst")
    assert_dutch_error(info.value, "tekst")
    if name.isprintable():
        assert f"{{{name}}}" in info.value.message


@pytest.mark.parametrize("attack", ATTACKS)
def test_format_string_attacks_are_plain_text_or_refused(attack):
    values = {"zaak": "KD-2026-0001", "klager_naam": "Jan"}
    if attack in ACCEPTED:
        check_template(attack)
        assert fill(attack, values) == ACCEPTED[attack]
        return
    with pytest.raises(ValidationError) as info:
        check_template(attack, "tekst")
    assert_dutch_error(info.value, "tekst")
    # Even unchecked, filling never reaches into the program: what is not a known
    # placeholder stays as it was typed.
    if "{{" not in attack and "}}" not in attack and "{zaak}" not in attack:
        assert fill(attack, values) == attack


@FUZZ
@given(subject=template_text, body=template_text, values=values_map)
def test_render_text_always_gives_clean_paragraphs(subject, body, values):
    filled_subject, paragraphs = render_text(subject, body, values)
    assert "\n" not in filled_subject and filled_subject == filled_subject.strip()
    for paragraph in paragraphs:
        assert paragraph and paragraph == paragraph.strip()
        assert not re.search(r"\n[ \t]*\n", paragraph)
    assert split_paragraphs("\n\n".join(paragraphs)) == paragraphs


_WORD = st.text(
    st.characters(blacklist_categories=["Cc", "Cs", "Zs", "Zl", "Zp"]), min_size=1, max_size=12
).filter(lambda w: w[0] not in ".,;:?!")
tidy_value = st.one_of(
    st.lists(_WORD, min_size=1, max_size=5).map(" ".join),
    st.sampled_from([*ATTACKS, "'; DROP TABLE cases; --", "שלום עליכם", "👨‍👩‍👧 e\u0301"]),
).filter(lambda v: v == " ".join(v.split()))


@FUZZ
@given(name=tidy_value, subject=tidy_value, ref=tidy_value)
@example(name="{zaak}", subject="{klager_naam} %s ${x}", ref="{{}}")
def test_rendered_letter_text_holds_the_values_verbatim(name, subject, ref):
    values = {"klager_naam": name, "onderwerp_klacht": subject, "zaak": ref}
    filled_subject, paragraphs = render_text(
        "Uw klacht {zaak}",
        "Beste {klager_naam}, uw klacht {zaak} gaat over: {onderwerp_klacht}\n\n"
        "Met groet aan {klager_naam}",
        values,
    )
    assert filled_subject == f"Uw klacht {ref}"
    assert paragraphs[0] == f"Beste {name}, uw klacht {ref} gaat over: {subject}"
    assert paragraphs[1] == f"Met groet aan {name}"


def test_a_long_template_is_checked_and_filled_in_linear_time():
    """Before: every '{' searched the rest of the text for its '}', so a pasted text of
    200,000 characters took seconds to check; the settings page checks while one types."""
    template = "{a " * 200_000
    started = time.perf_counter()
    assert placeholders_in(template) == []
    fill(template, {})
    render_text("x", template + "\n\n" * 100_000, {})
    assert time.perf_counter() - started < 1.5


# -- saving templates through the service --------------------------------------------------------


@FUZZ_DB
@given(subject=template_text, body=template_text)
@example(subject="Uw klacht {zaak}", body="Beste {klager_naam},\n\n{{let op}} %s ${{x}}")
@example(subject="{__class__}", body="tekst")
@example(subject="Onderwerp", body="{0.__globals__}")
@example(subject="Onderwerp", body="x" * 25_000)
def test_saving_a_template_stores_it_exactly_or_changes_nothing(org, subject, body):
    before = {
        t.type: (t.subject, t.body, t.version) for t in letter_templates.templates(org.beheer)
    }
    try:
        version = letter_templates.save_template(org.beheer, "ontvangstbevestiging", subject, body)
    except ValidationError as error:
        assert error.field in {"onderwerp", "tekst"}
        assert len(str(error)) <= 600 and not _CC.search(str(error))
        after = {
            t.type: (t.subject, t.body, t.version) for t in letter_templates.templates(org.beheer)
        }
        assert after == before
        return
    saved = {t.type: t for t in letter_templates.templates(org.beheer)}["ontvangstbevestiging"]
    assert saved.version == version == before["ontvangstbevestiging"][2] + 1
    assert saved.subject == required_text(subject, "onderwerp", max_length=MAX_SUBJECT)
    assert saved.body == required_text(body, "tekst", max_length=MAX_TEXT, multiline=True)
    check_template(saved.subject)
    check_template(saved.body)


# -- letters of real cases, with values that look like templates ----------------------------------


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    return " ".join(" ".join(pages).split())


def register(org, **complainant) -> str:
    data = complaint_data()
    data["complainant"] = {**data["complainant"], **complainant.pop("person", {})}
    data.update(complainant)
    return cases.register(org.balie, ComplaintInput.validated(data, TODAY))


def test_case_text_that_looks_like_a_placeholder_is_printed_as_it_is(org):
    name = "Jan {zaak} de Vries %s ${x} {{"
    subject = "Lekkage {__class__} {0.__globals__} {klager_naam} }}"
    ref = register(org, person={"name": name}, subject=subject)
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    body = "\n\n".join(draft.paragraphs)
    assert f"ontvangen over: {subject}." in body
    assert body.count(ref) == 1  # only where the template itself says {zaak}
    text = pdf_text(letters.preview(org.balie, ref, draft))
    assert subject in text
    assert f"Geachte {name}," in text


ODD_NAMES = [
    "שרה כהן",  # Hebrew, right to left
    "محمد العلي",  # Arabic
    "Zoë 😀 👨‍👩‍👧 🇳🇱 de Vries",  # emoji, a ZWJ sequence, a flag
    "A\u0301\u0302\u0303\u0304nna Ba\u0308\u0308kker",  # a pile of combining marks
    "\u0301Jan",  # a combining mark with nothing to combine with
    "Jan\u200bde\u200dVries",  # zero-width characters
    "Ǆemal Ørsted-Ŀuis",
    "x" * 190,  # a long name without a space
    "x" * 200,  # the longest name a case can hold (the salutation allows for it)
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_letter_for_a_complainant_with_an_odd_name_is_made(org, name):
    ref = register(
        org,
        person={"name": name, "city": "Tel Aviv תל אביב", "street": "שדרות רוטשילד 1 😀"},
        subject=f"Over {name}"[:200],
    )
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    pdf = letters.preview(org.balie, ref, draft)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Ontvangstbevestiging van uw klacht" in text
    assert ref in text
    letter_id = letters.finalise(org.balie, ref, draft, "post")
    assert letters.letter_pdf(org.balie, letter_id).startswith(b"%PDF")


def test_a_5000_character_name_and_odd_unicode_still_make_a_pdf():
    """Longer than a case can hold: the renderer itself must not break on it."""
    name = ("Ǆemal שלום 👨‍👩‍👧 e\u0301\u0301 محمد " * 200)[:5000]
    document = LetterDocument(
        letterhead=Letterhead(
            name="Woonstichting De Linde 😀",
            street="Lindelaan 1",
            postcode="3511 AB",
            city="Utrecht",
        ),
        recipient=Recipient(
            name=name, salutation="mevrouw", street="مرحبا " * 40, postcode="1234 AB", city="ש😀"
        ),
        reference="KD-2026-0001",
        date=date(2026, 11, 25),
        subject="Onderwerp " + name[:200],
        salutation=f"Geachte {name},",
        paragraphs=(
            "Begin " + "x" * 5000,  # one word wider than the page
            "שלום עליכם " * 300,
            "\u202e omgekeerd? \u202c en <b>geen opmaak</b> &amp; {zaak} %s",
            "- één\n- twee 😀\n- \u0301drie",
            "Einde van de brief.",
        ),
        signature_name=name[:300],
        concept=True,
    )
    pdf = render_letter(document)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Begin" in text and "Einde van de brief." in text
    assert "<b>geen opmaak</b> &amp; {zaak} %s" in text
    assert "Met vriendelijke groet," in text
