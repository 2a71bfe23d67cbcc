#!/usr/bin/env bash
# Shows voagent's tray icon under Xvfb in xfce4-panel (whose systray plugin
# hosts StatusNotifier items and owns org.kde.StatusNotifierWatcher), opens
# its menu with a click, and writes a screenshot to OUT (default
# /work/notes/tray.png). Everything is private: a temporary HOME, its own
# X display, session bus (dbus-run-session) and SAMP hub lockfile.
# Needs: xvfb, dbus, xfce4-panel, xdotool, imagemagick (scripts/debian-packages.txt).
# Run it under `flock /tmp/voagent-gui.lock` on a shared machine.
set -euo pipefail
out=$(realpath -m "${1:-/work/notes/tray.png}")
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/voagent" ./cmd/voagent)

export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_CACHE_HOME=$tmp/home/.cache \
  XDG_STATE_HOME=$tmp/home/.state XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# One panel on top holding only the systray plugin.
cat > "$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml/xfce4-panel.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=8;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="32"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray">
      <property name="square-icons" type="bool" value="true"/>
    </property>
  </property>
</channel>
XML
# The agent's configuration: no remote service (catalogues and images off).
cat > "$tmp/voagent.toml" <<'TOML'
# voagent for the tray screenshot: no services.
catalog = []
images = []
TOML
export SAMP_HUB=std-lockurl:file://$tmp/samp.lock

disp=:$((90 + RANDOM % 9))
Xvfb "$disp" -screen 0 800x560x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
export DISPLAY=$disp
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

dbus-run-session -- bash -s "$tmp" "$out" <<'INNER'
set -euo pipefail
tmp=$1 out=$2
xfce4-panel --disable-wm-check >"$tmp/panel.log" 2>&1 &
for _ in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.kde.StatusNotifierWatcher 2>/dev/null | grep -q true && break
  sleep 0.1
done
"$tmp/voagent" run --config "$tmp/voagent.toml" >"$tmp/voagent.log" 2>&1 &
sleep 4
# The icon is the systray plugin's only item, at the left end of the bottom panel.
xdotool mousemove 16 544 click 1
sleep 1.5
import -window root "$out"
"$tmp/voagent" status >"$tmp/status.txt" 2>&1 || true
kill %2 2>/dev/null || true
sleep 1
INNER
echo "wrote $out"
