"""Issue 14: the login window rehearses the first screen's reads while the user types.

SQLAlchemy compiles each statement once per engine. The rehearsal (services/admin/
rehearsal.py) runs the main window's first reads against an in-memory database on the
engine that then opens the real file, so after "Aanmelden" nothing of the first screen is
compiled again. What the users see must be the real file's data, never the rehearsal's.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from klachtdesk.services.admin import rehearsal, setup
from klachtdesk.services.cases import agenda, case_view
from klachtdesk.services.demo import DEMO_USERS, create_demo_database
from klachtdesk.ui.main_window import TAB_CASES, MainWindow
from klachtdesk.ui.start.login import LoginDialog

PASSWORD = "repetitie-wachtwoord-1"
USERS = ["beheer", *(name for name, *_ in DEMO_USERS)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("repetitie") / "demo.kdb"
    create_demo_database(path, "beheer", PASSWORD, cases=120)
    return path


def compiled_statements(engine) -> list[tuple[str, object]]:
    """(SQL, cache outcome) of every statement SQLAlchemy runs on ``engine`` from now on."""
    seen = []

    @event.listens_for(engine, "after_cursor_execute")
    def after(_conn, _cursor, statement, _params, context, _many):
        if context is not None and context.compiled is not None:
            seen.append((" ".join(statement.split())[:120], context.cache_hit))

    return seen


@pytest.mark.parametrize("username", USERS)
def test_the_first_screen_compiles_nothing_after_logging_in(qtbot, demo, username):
    ctx = setup.unlock(demo, username, PASSWORD, rehearsal.rehearse())
    seen = compiled_statements(ctx.db.engine)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    if window.tabs.currentWidget() is window.today:
        qtbot.waitUntil(lambda: window.today.overview is not None, timeout=5000)
    window.tabs.setCurrentIndex(TAB_CASES)
    qtbot.waitUntil(lambda: window.cases.model.complete, timeout=5000)
    hit = ctx.db.engine.dialect.CACHE_HIT
    assert seen, "the first screen read nothing"
    assert [sql for sql, outcome in seen if outcome != hit] == []
    ctx.db.dispose()


def test_the_rehearsal_leaves_nothing_in_what_the_users_see(qtbot, demo):
    ctx = setup.unlock(demo, "coordinator", PASSWORD, rehearsal.rehearse())
    rows = case_view.case_page(ctx, limit=1000)
    assert len(rows) == case_view.case_count(ctx) == 120
    assert not [row for row in rows if row.ref.startswith("KD-2000-")]
    assert "Repetitie" not in {row.complainant for row in rows}
    overview = agenda.today_overview(ctx, shown=None)
    shown = [item for key in overview.order for item in overview.rows(key)]
    assert shown and not [item for item in shown if item.ref.startswith("KD-2000-")]
    ctx.db.dispose()


def test_a_wrong_password_first_then_the_right_one(qtbot, demo):
    dialog = LoginDialog(demo)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.preloaded, timeout=20000)
    dialog.username.setText("balie")
    dialog.password.setText("niet-het-wachtwoord")
    dialog.try_login()
    assert dialog.context is None
    assert "wachtwoord" in dialog.message.text().lower()
    dialog._wait = 0  # the growing wait after a mistake is tested elsewhere
    dialog.username.setText("balie")
    dialog.password.setText(PASSWORD)
    dialog.try_login()
    ctx = dialog.context
    assert ctx is not None and ctx.actor.username == "balie"
    assert case_view.case_count(ctx) == 120
    ctx.db.dispose()
