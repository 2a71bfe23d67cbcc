#!/usr/bin/env bash
# Agent benchmark on the testbed (testbed/setup.sh): start-up time to SAMP
# registration, highlight -> first result table latency, the agent's own
# overhead in that path (from its event stream) and a flood of highlights,
# measured by internal/benchagent in a private SAMP environment (its own
# hub, lockfile, control socket and TMPDIR in a temporary directory). Exits
# 0 without measuring when the testbed is down (1 under
# VOAGENT_REQUIRE_PEERS=1).
#
# When astropy and pyvo are at /usr/bin/python3, scripts/bench-agent-ref.py
# (the same highlight -> cone -> send path written with astropy.samp and
# pyvo) is timed on REFN highlights as a reference.
#
# Env: RUNS (start-up repetitions, default 5), ROWS (latency highlights,
# default 200), FLOOD (flood highlights, default 1000), REFN (reference
# highlights, default 20; 0: none).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=bench-agent
RUNS=${RUNS:-5} ROWS=${ROWS:-200} FLOOD=${FLOOD:-1000} REFN=${REFN:-20}
PY=/usr/bin/python3
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

curl -s --max-time 10 http://127.0.0.1:8080/tap/availability | grep -q 'available>true<' ||
	skip "no testbed at 127.0.0.1:8080 (run testbed/setup.sh)"

go build -o bin/voagent ./cmd/voagent
go build -o /dev/null ./internal/benchagent # fail early, before the hub starts

dir=$(mktemp -d)
hub="" pyref=""
cleanup() {
	if [ -n "$pyref" ]; then
		kill -TERM "$pyref" 2>/dev/null || true
		wait "$pyref" 2>/dev/null || true
	fi
	if [ -n "$hub" ]; then
		kill -TERM "$hub" 2>/dev/null || true
		wait "$hub" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
export SAMP_HUB="std-lockurl:file://$dir/samp.lock"
export VOAGENT_CONTROL_SOCKET="$dir/control.sock"
export TMPDIR="$dir"

bin/voagent hub --lockfile "$dir/samp.lock" >"$dir/hub.log" 2>&1 &
hub=$!
for _ in $(seq 500); do
	[ -s "$dir/samp.lock" ] && break
	sleep 0.01
done
[ -s "$dir/samp.lock" ] || { cat "$dir/hub.log" >&2; echo "$BENCH: the hub did not start" >&2; exit 1; }

refargs=()
if [ "$REFN" -gt 0 ] && $PY -c 'import astropy.samp, pyvo' 2>/dev/null; then
	$PY scripts/bench-agent-ref.py http://127.0.0.1:8080/twomass/q/cone/scs.xml http://127.0.0.1:8080/tap \
		allwise.source 60 "$dir" >"$dir/pyref.log" 2>&1 &
	pyref=$!
	refargs=(-ref pyref -refn "$REFN")
else
	echo "$BENCH: no reference (REFN=0, or astropy/pyvo missing at $PY)"
fi

echo "$BENCH: voagent agent against the testbed (private hub, 2MASS SCS + AllWISE TAP, radius 60\")"
rc=0
go run ./internal/benchagent -dir "$dir" -bin bin/voagent -runs "$RUNS" -rows "$ROWS" -flood "$FLOOD" "${refargs[@]}" || rc=$?
if [ "$rc" != 0 ]; then
	echo "--- agent log (tail)" >&2
	tail -n 30 "$dir/agent.log" >&2 || true
	[ -z "$pyref" ] || { echo "--- reference log (tail)" >&2; tail -n 30 "$dir/pyref.log" >&2 || true; }
fi
echo "No anchor for the agent-internal figures (start-up, overhead, flood): pyvo/astropy have no agent."
echo "The reference rows time the same highlight -> cone -> send path written with astropy.samp + pyvo."
exit "$rc"
