#!/usr/bin/env bash
# make bench-crossmatch: the agent's cross-match (issue 15) of a 2,000-row
# table (internal/testbed/xmsample: positions near the testbed's sources)
# with the testbed's 2MASS, AllWISE and SDSS, against the same job done by
# STILTS tapskymatch (TAP upload in blocks, find=best) and by pyvo 1.2.1
# (TAP upload, best match picked with astropy), on the same data in the
# same run. voagent runs as the agent ('voagent run', private hub, control
# socket and TMPDIR), asked through its control API (POST /v1/crossmatch,
# the table already held, as when TOPCAT sent it); its catalogues are kind
# "tap" (upload in chunks). Each tool's matched count is checked against
# 'voagent xmatch --find best' on the catalogue downloaded whole.
# Knobs: N (runs per case, best kept; default 3), ROWS (2000), RADIUS
# (arcsec, 2). Exits 0 without measuring when the testbed is down (1 under
# VOAGENT_REQUIRE_PEERS=1). Run it under flock /tmp/voagent-gui.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=bench-crossmatch
N=${N:-3} ROWS=${ROWS:-2000} RADIUS=${RADIUS:-2}
PY=/usr/bin/python3
TAP=http://127.0.0.1:8080/tap
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

curl -s --max-time 10 $TAP/availability | grep -q 'available>true<' ||
	skip "no testbed at 127.0.0.1:8080 (run testbed/setup.sh)"
command -v stilts >/dev/null || skip "stilts is not installed"
$PY -c 'import pyvo, astropy' 2>/dev/null || skip "pyvo/astropy missing at $PY"

go build -o bin/voagent ./cmd/voagent
tmp=$(mktemp -d)
hub="" agentpid=""
cleanup() {
	for p in $agentpid $hub; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
export SAMP_HUB="std-lockurl:file://$tmp/samp.lock"
export VOAGENT_CONTROL_SOCKET="$tmp/control.sock"
export TMPDIR="$tmp"
go run ./internal/testbed/xmsample -n "$ROWS" -o "$tmp/sample.vot"

cats=(twomass:twomass.psc allwise:allwise.source sdss:sdss.photoobj)
{
	echo '[vicinity]'
	echo 'enabled = false'
	echo '[search]'
	echo 'timeout = "5m"'
	for c in "${cats[@]}"; do
		printf '[[catalog]]\nname = "%s"\nkind = "tap"\nurl = "%s"\ntable = "%s"\n' "${c%%:*}" "$TAP" "${c#*:}"
	done
} >"$tmp/voagent.toml"

bin/voagent hub --lockfile "$tmp/samp.lock" >"$tmp/hub.log" 2>&1 &
hub=$!
for _ in $(seq 500); do
	[ -s "$tmp/samp.lock" ] && break
	sleep 0.01
done
[ -s "$tmp/samp.lock" ] || { cat "$tmp/hub.log" >&2; echo "$BENCH: the hub did not start" >&2; exit 1; }
bin/voagent run --config "$tmp/voagent.toml" >"$tmp/agent.log" 2>&1 &
agentpid=$!
for _ in $(seq 500); do
	curl -s --unix-socket "$tmp/control.sock" http://voagent/v1/status >/dev/null 2>&1 && break
	sleep 0.02
done

# agent_xmatch CAT: one cross-match through the control API (the first
# call reads the table from its url; later ones find it held).
agent_xmatch() {
	curl -sf --unix-socket "$tmp/control.sock" -H 'Content-Type: application/json' \
		-d "{\"url\":\"file://$tmp/sample.vot\",\"catalog\":\"$1\",\"radius\":\"${RADIUS}arcsec\",\"join\":\"all1\"}" \
		http://voagent/v1/crossmatch
}
agent_xmatch twomass >"$tmp/warm.json" || { tail -20 "$tmp/agent.log" >&2; exit 1; }

matched_json() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["matched"])' "$1"; }
matched_result() { sed -n 's/^RESULT //p' "$1" | $PY -c 'import json,sys; print(json.load(sys.stdin)["matched"])'; }
stilts_matched() { $PY -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1]))))' "$1"; }

echo "$BENCH: $ROWS rows x testbed catalogue, radius ${RADIUS}\", best of $N, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
printf '%-9s %7s | %9s | %10s %10s %10s | %8s %8s | %s\n' catalogue rows server-ms voagent-ms stilts-ms pyvo-ms stilts/v pyvo/v "matched: voagent stilts pyvo whole"
rc=0
for c in "${cats[@]}"; do
	name=${c%%:*} table=${c#*:}
	# The floor: the same upload join, one request with curl, the answer discarded.
	tf=$(best floor-$name curl -sf $TAP/sync -F REQUEST=doQuery -F LANG=ADQL -F MAXREC=1000000 -F UPLOAD=t1,param:t1 \
		-F "t1=@$tmp/sample.vot" -F "QUERY=SELECT c.* FROM $table AS c JOIN TAP_UPLOAD.t1 AS u ON 1=CONTAINS(POINT('ICRS', c.ra, c.dec), CIRCLE('ICRS', u.ra, u.dec, $RADIUS/3600.))" -o /dev/null) || { rc=1; continue; }
	tv=$(best agent-$name agent_xmatch "$name") || { rc=1; continue; }
	mv=$(matched_json "$tmp/agent-$name.out")
	ts=$(best stilts-$name stilts tapskymatch in="$tmp/sample.vot" inlon=ra inlat=dec tapurl=$TAP taptable="$table" \
		taplon=ra taplat=dec sr="$RADIUS/3600." find=best blocksize=5000 ofmt=csv out="$tmp/stilts-$name.csv") || { rc=1; continue; }
	ms=$(stilts_matched "$tmp/stilts-$name.csv")
	tp=$(best pyvo-$name $PY scripts/bench_crossmatch_pyvo.py $TAP "$table" "$tmp/sample.vot" "$RADIUS" "$tmp/pyvo-$name.csv") || { rc=1; continue; }
	mp=$(matched_result "$tmp/pyvo-$name.out")
	# The check: voagent xmatch on the catalogue downloaded whole.
	bin/voagent tap $TAP "SELECT * FROM $table" --maxrec 1000000 -o "$tmp/whole-$name.vot" >/dev/null
	bin/voagent xmatch "$tmp/sample.vot" "$tmp/whole-$name.vot" --radius "${RADIUS}arcsec" --find best --join 1and2 -o "$tmp/whole-$name.csv" >/dev/null 2>&1
	mw=$(stilts_matched "$tmp/whole-$name.csv")
	printf '%-9s %7s | %9s | %10s %10s %10s | %8s %8s | %s %s %s %s\n' "$name" "$ROWS" "$tf" "$tv" "$ts" "$tp" \
		"$(awk -v a="$ts" -v b="$tv" 'BEGIN{printf "%.1fx", a/b}')" "$(awk -v a="$tp" -v b="$tv" 'BEGIN{printf "%.1fx", a/b}')" \
		"$mv" "$ms" "$mp" "$mw"
	if [ "$mv" != "$mw" ] || [ "$ms" != "$mw" ] || [ "$mp" != "$mw" ]; then
		echo "$BENCH: $name: matched counts differ" >&2
		rc=1
	fi
done
echo "server: the upload join alone (curl, one request, answer discarded): what the TAP service needs;"
echo "voagent: agent's control API, table held, TAP upload in chunks of 50000 joined server-side, best match picked locally;"
echo "stilts: tapskymatch find=best (JVM start included); pyvo: run_sync upload + astropy separation (Python start included)."
exit "$rc"
