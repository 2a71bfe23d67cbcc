#!/usr/bin/env bash
# make bench-startup: start-up time of `voagent --version` and of
# `voagent votable info` on a small file, against the 20 ms aim: hyperfine's
# minimum when it is installed (Debian's hyperfine), else the best of RUNS
# wall times; then the largest package initialisers (GODEBUG=inittrace=1).
# Env: RUNS (default 20), BIN (default bin/voagent, built).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=bench-startup
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
N=${RUNS:-20}
BIN=${BIN:-bin/voagent}
[ -n "${BIN_BUILT:-}" ] || go build -o "$BIN" ./cmd/voagent
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
small=vo/votable/testdata/oracle_bits.xml
# Until --version exists (the desktop issue adds it), --help stands in:
# both parse flags and print without touching the network.
ver="$BIN --version"
"$BIN" --version >/dev/null 2>&1 || ver="$BIN --help"
names=("startup: voagent ${ver#"$BIN "} (ms)" "startup: votable info small file (ms)")
cmds=("$ver" "$BIN votable info $small")
for k in 0 1; do
	if command -v hyperfine >/dev/null; then
		hyperfine -N -w 3 -r "$N" --export-json "$tmp/h.json" "${cmds[$k]}" >/dev/null 2>&1
		ms=$(/usr/bin/python3 -c 'import json,sys; print("%.1f" % (1000 * json.load(open(sys.argv[1]))["results"][0]["min"]))' "$tmp/h.json")
		how="hyperfine min of $N"
	else
		# shellcheck disable=SC2086
		ms=$(best startup ${cmds[$k]})
		how="best of $N wall times (no hyperfine)"
	fi
	echo "${names[$k]}: $ms ($how, load $(cut -d' ' -f1-3 /proc/loadavg))"
	table_row "${names[$k]}" "$ms" "" "" "" "20 ms"
done
echo "largest package initialisers of ${ver#"$BIN "} (GODEBUG=inittrace=1; clock ms, then bytes):"
# shellcheck disable=SC2086
GODEBUG=inittrace=1 $ver 2>&1 >/dev/null | sort -k5 -g -r | head -8
