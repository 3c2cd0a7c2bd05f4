#!/bin/sh
# KlachtDesk voor Linux installeren voor de huidige gebruiker (zonder beheerdersrechten):
#
#     ./install.sh              installeren of bijwerken
#     ./install.sh --verwijder  het programma verwijderen (uw gegevens blijven staan)
#
# Het programma komt in ~/.local/bin, de snelkoppeling in het menu en het pictogram in
# ~/.local/share. Uw database (standaard ~/.local/share/KlachtDesk) raakt dit script niet aan.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin_dir="${XDG_BIN_HOME:-$HOME/.local/bin}"
data_dir="${XDG_DATA_HOME:-$HOME/.local/share}"
apps_dir="$data_dir/applications"
icon_dir="$data_dir/icons/hicolor/256x256/apps"

if [ "${1:-}" = "--verwijder" ]; then
    rm -f "$bin_dir/klachtdesk" "$apps_dir/klachtdesk.desktop" "$icon_dir/klachtdesk.png"
    update-desktop-database "$apps_dir" >/dev/null 2>&1 || true
    echo "KlachtDesk is verwijderd. Uw gegevens in $data_dir/KlachtDesk zijn blijven staan."
    exit 0
fi

mkdir -p "$bin_dir" "$apps_dir" "$icon_dir"
install -m 755 "$here/klachtdesk" "$bin_dir/klachtdesk"
install -m 644 "$here/klachtdesk.png" "$icon_dir/klachtdesk.png"
sed -e "s|^Exec=.*|Exec=\"$bin_dir/klachtdesk\"|" -e "s|^TryExec=.*|TryExec=$bin_dir/klachtdesk|" \
    "$here/klachtdesk.desktop" >"$apps_dir/klachtdesk.desktop"
chmod 644 "$apps_dir/klachtdesk.desktop"
update-desktop-database "$apps_dir" >/dev/null 2>&1 || true
gtk-update-icon-cache -q "$data_dir/icons/hicolor" >/dev/null 2>&1 || true

echo "KlachtDesk is geïnstalleerd: $bin_dir/klachtdesk"
echo "U vindt het in het menu onder Kantoor (Office). Controleren of alles werkt:"
echo "    \"$bin_dir/klachtdesk\" --self-test"
