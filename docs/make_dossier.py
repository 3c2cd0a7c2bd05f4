"""Render the case dossier of one realistic case into docs/letters/zaakdossier-<n>.png.

A fresh demo database gets one more case, handled through the services from the first
phone call to the Geschillencommissie (with letters, a photo and a scanned letter), and a
coordinator makes its dossier.

python docs/make_dossier.py [--keep FOLDER]     (needs pdftoppm from poppler-utils)
"""

import argparse
import io
import subprocess
import tempfile
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services import demo
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import attachments, case_activities, cases, dossier
from klachtdesk.services.letters import letters

OUT = Path(__file__).resolve().parent / "letters"
PASSWORD = "demo-koffie-fiets"
PAGES = (1, 3, 4)  # cover, timeline, decisions (shown in the README)


def at(ctx, day: date, hour: int = 10, minute: int = 0):
    moment = datetime.combine(day, time(hour, minute))
    return replace(ctx, today=lambda: day, now=lambda: moment)


def photo() -> bytes:
    """A stand-in for a phone photo of a water stain on a ceiling."""
    image = Image.new("RGB", (1600, 1200), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    for radius, colour in ((420, (214, 200, 170)), (300, (196, 176, 140)), (150, (170, 146, 110))):
        draw.ellipse((800 - radius, 520 - radius, 800 + radius, 520 + radius * 0.8), fill=colour)
    draw.rectangle((0, 1040, 1600, 1200), fill=(250, 250, 250))
    image = image.filter(ImageFilter.GaussianBlur(18))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def scanned_letter() -> bytes:
    """A stand-in for the complainant's own letter, scanned as PDF."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setFont("Helvetica", 11)
    lines = [
        "Utrecht, 3 september 2026",
        "",
        "Aan Woonstichting De Linde",
        "",
        "Geachte heer, mevrouw,",
        "",
        "Sinds juli lekt er water door het plafond van mijn badkamer. Ik heb dit op",
        "14 juli en 2 augustus gemeld. Er is één keer iemand geweest, maar de lekkage",
        "is niet verholpen. Het plafond is nu verkleurd en er komt schimmel op.",
        "",
        "Ik wil dat de lekkage wordt verholpen en dat het plafond wordt hersteld.",
        "",
        "Met vriendelijke groet,",
        "",
        "J. de Vries",
    ]
    y = A4[1] - 90
    for line in lines:
        canvas.drawString(80, y, line)
        y -= 16
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def build_case(path: Path, today: date) -> str:
    users = {name: setup.unlock(path, name, PASSWORD) for name in demo_users()}
    clerk, coord = users["balie"], users["coordinator"]
    manager, director = users["manager"], users["directeur"]
    received = today - timedelta(days=84)
    while received.weekday() >= 5:
        received -= timedelta(days=1)
    day = lambda n: received + timedelta(days=n)  # noqa: E731
    complaint = ComplaintInput.validated(
        {
            "received": received.isoformat(),
            "channel": "telefoon",
            "complainant": {
                "name": "Jan de Vries",
                "salutation": "heer",
                "street": "Kastanjelaan 12",
                "postcode": "3514 BK",
                "city": "Utrecht",
                "phone": "06 41234567",
                "email": "jan.devries@voorbeeld.nl",
                "member_number": "H-204817",
            },
            "subject": "Lekkage badkamer niet verholpen",
            "description": "Sinds juli lekt er water door het plafond van de badkamer. De "
            "klager heeft dit twee keer gemeld (14 juli en 2 augustus). Er is één keer een "
            "monteur geweest, maar de lekkage is niet verholpen. Het plafond is verkleurd en "
            "er komt schimmel op.",
            "category": "Onderhoud en reparaties",
            "employee": "Erik Hoekstra",
            "discussed_with_employee": True,
            "expectation": "De lekkage wordt binnen twee weken verholpen en het plafond "
            "wordt hersteld.",
        },
        received,
    )
    ref = cases.register(at(clerk, received, 9, 40), complaint)
    draft = letters.draft(at(clerk, day(1), 11), ref, "ontvangstbevestiging")
    letters.finalise(at(clerk, day(1), 11, 5), ref, draft, "post")
    attachments.add_attachment(at(clerk, day(2), 9, 15), ref, "brief-klager.pdf", scanned_letter())
    cases.perform(at(coord, day(2), 14), ref, Action.TRIAGE_KLACHT, handler="coordinator")
    attachments.add_attachment(at(coord, day(3), 10), ref, "foto-plafond.jpg", photo())
    attachments.add_attachment(
        at(coord, day(3), 10, 2), ref, "offerte-schilder.docx", b"PK\x03\x04"
    )
    draft = letters.draft(at(coord, day(3), 11), ref, "uitnodiging_hoorgesprek")
    letters.finalise(at(coord, day(3), 11, 10), ref, draft, "email")
    case_activities.record(
        at(coord, day(10), 15, 30),
        ref,
        Activity.HOORGESPREK,
        "Gesprek op kantoor met de heer De Vries. Hij vertelt dat de monteur op 8 augustus "
        "alleen de kitrand van het bad heeft vervangen. Sindsdien lekt het minder, maar na "
        "elke douchebeurt komt er nog water door het plafond. Hij is vooral teleurgesteld "
        "dat niemand hem heeft teruggebeld.",
        held_on=day(10),
    )
    case_activities.record(
        at(coord, day(13), 9, 20),
        ref,
        Activity.VERKLARING_MEDEWERKER,
        "Erik Hoekstra (Vastgoed en onderhoud): de opdracht is op 8 augustus afgemeld als "
        "gereed omdat de monteur dacht dat de kitrand de oorzaak was. De tweede melding is "
        "door een vakantie niet opgepakt.",
    )
    cases.perform(
        at(manager, day(24), 16),
        ref,
        Action.UITSPRAAK,
        outcome="deels_gegrond",
        motivation="De lekkage is na de eerste melding niet goed onderzocht en de tweede "
        "melding is blijven liggen. Dat had niet mogen gebeuren. De schimmel is volgens "
        "onze opzichter vooral het gevolg van onvoldoende ventilatie.",
        solution="Wij laten de leiding onder het bad deze week vervangen, herstellen het "
        "plafond en vergoeden € 75,00 voor het ongemak.",
        decided_on=day(24),
    )
    draft = letters.draft(at(manager, day(25), 10), ref, "uitspraak")
    letters.finalise(at(manager, day(25), 10, 15), ref, draft, "post")
    cases.perform(
        at(coord, day(31), 11),
        ref,
        Action.BEROEP,
        received=day(31),
        grounds="De klager vindt dat de schimmel wel door de lekkage komt en wil dat ook "
        "de badkamerkast wordt vergoed.",
    )
    cases.perform(
        at(director, day(40), 14),
        ref,
        Action.UITSPRAAK_DIRECTEUR,
        outcome="deels_gegrond",
        motivation="Ik heb de foto's en het rapport van de opzichter opnieuw bekeken. De "
        "schimmel is ook door de lekkage ontstaan. Wij vergoeden daarom ook de "
        "badkamerkast.",
        decided_on=day(40),
    )
    draft = letters.draft(at(director, day(41), 9), ref, "reactie_directeur")
    letters.finalise(at(director, day(41), 9, 30), ref, draft, "post")
    cases.perform(at(coord, day(55), 10), ref, Action.GESCHIL, submitted=day(55))
    for ctx in users.values():
        ctx.db.dispose()
    return ref


def demo_users() -> tuple[str, ...]:
    return ("balie", "coordinator", "manager", "directeur")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the database and the PDF here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo.kdb"
    today = date.today()
    demo.create_demo_database(path, "beheer", PASSWORD, cases=60, today=today)
    ref = build_case(path, today)
    coordinator = setup.unlock(path, "coordinator", PASSWORD)
    target = folder / dossier.suggested_name(ref)
    made = dossier.save_case_dossier(coordinator, ref, target)
    coordinator.db.dispose()
    for number in PAGES:
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                str(number),
                "-l",
                str(number),
                "-singlefile",
                str(target),
                str(OUT / f"zaakdossier-{PAGES.index(number) + 1}"),
            ],
            check=True,
        )
    print(f"{target}: {made.pages} pagina's; PNGs in {OUT}")


if __name__ == "__main__":
    main()
