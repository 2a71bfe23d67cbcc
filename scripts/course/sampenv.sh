# Sourced by scripts/course.sh: a private SAMP desktop for the SAMP
# workflows. samp_up DIR starts Xvfb, a JSAMP hub (lockfile DIR/home/.samp,
# exported as SAMP_HUB), the real TOPCAT and Aladin (Debian packages) and a
# recorder registered as "splat" (SPLAT-VO is not packaged: the stand-in
# writes what it receives to DIR/splat.jsonl); it waits until each has
# registered. samp_down stops what samp_up started, by PID, the hub last.
# Nothing touches ~/.samp: Aladin reads only ${user.home}/.samp, so it runs
# with -Duser.home=DIR/home.
SAMP_PIDS=()
SAMPKIT="/usr/bin/python3 $(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/sampkit.py"

# samp_missing: what the SAMP workflows need and is not installed ("" when
# all is there).
samp_missing() {
	local m="" c
	for c in Xvfb xdpyinfo jsamp topcat java; do command -v "$c" >/dev/null || m="$m $c"; done
	[ -f /usr/share/java/aladin.jar ] || m="$m aladin"
	/usr/bin/python3 -c 'import astropy.samp' 2>/dev/null || m="$m python3-astropy"
	echo "$m"
}

samp_up() {
	local dir=$1 i disp
	SAMP_DIR=$dir
	mkdir -p "$dir/home"
	for i in $(seq 1 50); do
		disp=$((200 + RANDOM % 500))
		[ -e "/tmp/.X$disp-lock" ] || [ -e "/tmp/.X11-unix/X$disp" ] || break
	done
	Xvfb ":$disp" -screen 0 1280x1024x24 -nolisten tcp >"$dir/xvfb.log" 2>&1 &
	SAMP_PIDS+=($!)
	export DISPLAY=:$disp
	for i in $(seq 1 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
	xdpyinfo >/dev/null 2>&1 || { echo "Xvfb did not start (see $dir/xvfb.log)"; return 1; }
	export SAMP_HUB=std-lockurl:file://$dir/home/.samp
	jsamp hub -mode no-gui -profiles std >"$dir/hub.log" 2>&1 &
	SAMP_HUB_PID=$!
	for i in $(seq 1 200); do [ -s "$dir/home/.samp" ] && break; sleep 0.05; done
	[ -s "$dir/home/.samp" ] || { echo "the JSAMP hub did not start (see $dir/hub.log)"; return 1; }
	# /usr/bin/topcat runs java as a child: its PID is the one to stop.
	topcat -nohub >"$dir/topcat.log" 2>&1 &
	local tw=$!
	java -Xmx1024m -Duser.home="$dir/home" -jar /usr/share/java/aladin.jar \
		-local -nolog -noreleasetest -noplugin >"$dir/aladin.log" 2>&1 &
	SAMP_PIDS+=($!)
	$SAMPKIT record splat "$dir/splat.jsonl" spectrum.load.ssa-generic >"$dir/splat.log" 2>&1 &
	SAMP_PIDS+=($!)
	$SAMPKIT wait topcat 120 && $SAMPKIT wait aladin 120 && $SAMPKIT wait splat 60 || return 1
	SAMP_PIDS+=($(pgrep -P "$tw"))
	# Aladin 12 never answers a table.load.votable that comes before any
	# image: the course's first message to it is an image anyway.
	echo "SAMP desktop up: DISPLAY=$DISPLAY SAMP_HUB=$SAMP_HUB"
}

samp_down() {
	local p
	for p in "${SAMP_PIDS[@]:1}"; do kill "$p" 2>/dev/null; done
	sleep 0.5
	[ -n "${SAMP_HUB_PID:-}" ] && kill -TERM "$SAMP_HUB_PID" 2>/dev/null
	sleep 0.5
	[ ${#SAMP_PIDS[@]} -gt 0 ] && kill "${SAMP_PIDS[0]}" 2>/dev/null
	SAMP_PIDS=() SAMP_HUB_PID=
}
