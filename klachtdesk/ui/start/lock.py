"""The idle lock: after the configured quiet time every window hides behind a password prompt.

Before the windows hide, ``locked`` lets them drop what they read from the database (lists,
overviews, case windows without unsaved changes); ``unlocked`` lets them read it again. A
window with unsaved input is hidden, not closed, so that input survives the lock.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.services.admin import setup
from klachtdesk.services.context import Context
from klachtdesk.storage.errors import TooManyAttempts
from klachtdesk.ui.common import wait_of

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Emits ``idle`` when no key or mouse input arrived for ``minutes``."""

    idle = Signal()

    def __init__(self, minutes: int, parent=None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.set_minutes(minutes)
        self.timer.timeout.connect(self.idle)
        QApplication.instance().installEventFilter(self)
        self.timer.start()

    def set_minutes(self, minutes: int) -> None:
        self.timer.setInterval(max(1, int(minutes)) * 60_000)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False

    def pause(self) -> None:
        self.timer.stop()

    def resume(self) -> None:
        self.timer.start()


class LockDialog(QDialog):
    """Asks the logged-in user's password again; the throttle slows down guessing."""

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("lockDialog")
        self.setWindowTitle("KlachtDesk is vergrendeld")
        self.setModal(True)
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setObjectName("lockMessage")
        self.message.setStyleSheet("color: #842029;")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.unlock_button = buttons.addButton("&Ontgrendelen", QDialogButtonBox.AcceptRole)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        buttons.accepted.connect(self.try_unlock)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"<h3>KlachtDesk is vergrendeld</h3>Aangemeld als "
                f"<b>{ctx.actor.display_name}</b>. Vul uw wachtwoord in om verder te gaan; "
                "wat u aan het invullen was, staat er nog."
            )
        )
        layout.addWidget(self.password)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._wait = QTimer(self)
        self._wait.setSingleShot(True)
        self._wait.setTimerType(Qt.TimerType.PreciseTimer)  # never before the service allows
        self._wait.timeout.connect(lambda: self.unlock_button.setEnabled(True))

    def try_unlock(self) -> None:
        try:
            setup.verify_password(self._ctx, self.password.text())
        except KlachtDeskError as error:
            self.password.clear()
            delay = wait_of(error)
            extra = f" Wacht {delay} seconden voor de volgende poging." if delay else ""
            self.message.setText(str(error) + ("" if isinstance(error, TooManyAttempts) else extra))
            if delay:
                self.unlock_button.setEnabled(False)
                self._wait.start(delay * 1000)
            return
        self.accept()

    def reject(self) -> None:
        """Escape does not unlock."""


class Locker(QObject):
    """Hides the application's windows while locked and shows them again afterwards."""

    locked = Signal()
    unlocked = Signal()

    def __init__(self, ctx: Context, minutes: int, parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self.watcher = IdleWatcher(minutes, self)
        self.watcher.idle.connect(self.lock)
        self.is_locked = False
        self.dialog: LockDialog | None = None

    def lock(self) -> None:
        if self.is_locked:
            return
        self.is_locked = True
        self.watcher.pause()
        self.locked.emit()  # first, so windows can clear and close themselves
        hidden = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        for window in hidden:
            window.hide()
        self.dialog = LockDialog(self._ctx)
        self.dialog.accepted.connect(lambda: self._unlock(hidden))
        self.dialog.show()
        self.dialog.password.setFocus()

    def _unlock(self, hidden: list[QWidget]) -> None:
        for window in hidden:
            window.show()
        self.is_locked = False
        self.dialog = None
        self.watcher.resume()
        self.unlocked.emit()
