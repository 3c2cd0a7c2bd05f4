"""Render one letter of every type from a fresh demo database into docs/letters/<type>.png.

python docs/make_letters.py        (needs pdftoppm from poppler-utils)
"""

import subprocess
import tempfile
from pathlib import Path

from klachtdesk.letters.templates import LETTER_TYPES
from klachtdesk.services import demo
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import case_view
from klachtdesk.services.letters import letters

OUT = Path(__file__).resolve().parent / "letters"
PASSWORD = "demo-koffie-fiets"


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    path = folder / "demo.kdb"
    demo.create_demo_database(path, "beheer", PASSWORD)
    users = {name: setup.unlock(path, name, PASSWORD) for name in ("coordinator", "directeur")}
    wanted = set(LETTER_TYPES)
    for ref in [
        row.ref
        for row in case_view.list_rows(
            users["coordinator"], case_view.case_ids(users["coordinator"])
        )
    ]:
        if not wanted:
            break
        for user in users.values():
            try:
                detail = case_view.case_detail(user, ref)
            except Exception:  # noqa: BLE001 - the director may not see every case
                continue
            for kind in letters.types_for(detail, user):
                if kind in wanted:
                    draft = letters.draft(user, ref, kind)
                    letter_id = letters.finalise(user, ref, draft, draft.default_via)
                    pdf = letters.letter_pdf(user, letter_id)
                    target = folder / f"{kind}.pdf"
                    target.write_bytes(pdf)
                    subprocess.run(
                        [
                            "pdftoppm",
                            "-png",
                            "-r",
                            "60",
                            "-singlefile",
                            str(target),
                            str(OUT / kind),
                        ],
                        check=True,
                    )
                    wanted.discard(kind)
    print(f"letters in {OUT}; not found in the demo: {sorted(wanted) or 'none'}")


if __name__ == "__main__":
    main()
