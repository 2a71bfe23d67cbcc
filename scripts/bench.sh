#!/usr/bin/env bash
# make bench: every benchmark in one run, then ONE table: case, voagent, the
# anchor (astropy, STILTS, JSAMP, pyvo...), its figure, the ratio (anchor /
# voagent for times, voagent / anchor for rates) and the known limit (the
# performance issue's aims).
#
# Each benchmark runs under flock /tmp/voagent-gui.lock (one benchmark or
# GUI test at a time on the shared machine) and appends its rows to the
# table through table_row (scripts/bench-lib.sh; bench_xmatch.py writes the
# same TSV); its full output stays in $OUT/NAME.log.
#
# Env: BENCHES (default "votable xmatch samp agent startup"; also vo,
# fanout, spectra, crossmatch, whose figures stay in their logs), OUT (logs
# and table, default a new directory under /tmp), STARTUP_RUNS (20), and
# every knob of the scripts it runs (N, SIZES, CLUSTER_SIZE, FLOOD, ...).
set -uo pipefail
cd "$(dirname "$0")/.."
BENCH=bench
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
BENCHES=${BENCHES:-votable xmatch samp agent startup}
OUT=${OUT:-$(mktemp -d /tmp/voagent-bench.XXXXXX)}
LOCK=/tmp/voagent-gui.lock
mkdir -p "$OUT"
export BENCH_TABLE=$OUT/table.tsv
: >"$BENCH_TABLE"
load() { cut -d' ' -f1-3 /proc/loadavg; }

go build -o bin/voagent ./cmd/voagent || exit 1
failed=()

# agent: internal/benchagent prints "case  value  target" lines; each becomes
# a row with no anchor (pyvo's reference rows are in the log).
agent_rows() {
	awk '/^-+  +-+/{on=1; next} on && !NF {on=0} on && NF {
		n = split($0, f, /  +/); if (n >= 2) printf "agent: %s\t%s\t\t\t\t%s\n", f[1], f[2], (n >= 3 ? f[3] : "")
	}' "$OUT/agent.log" >>"$BENCH_TABLE"
}

for b in $BENCHES; do
	echo "== $b ($(date -u +%T), load $(load)) -> $OUT/$b.log"
	rc=0
	case $b in
	samp) flock "$LOCK" scripts/bench-samp.sh >"$OUT/$b.log" 2>&1 || rc=$? ;;
	agent)
		flock "$LOCK" scripts/bench-agent.sh >"$OUT/$b.log" 2>&1 || rc=$?
		agent_rows
		;;
	*)
		if [ ! -x "scripts/bench-$b.sh" ]; then
			echo "   no scripts/bench-$b.sh"
			failed+=("$b")
			continue
		fi
		flock "$LOCK" "scripts/bench-$b.sh" >"$OUT/$b.log" 2>&1 || rc=$?
		;;
	esac
	if [ "$rc" != 0 ]; then
		echo "   $b exited $rc (see $OUT/$b.log)"
		failed+=("$b")
	fi
	grep -m1 SKIPPED "$OUT/$b.log" | sed 's/^/   /' || true
done

echo
echo "### voagent benchmarks ($(date -u +%FT%TZ), $(nproc) cores, load $(load))"
echo
echo "| case | voagent | anchor | anchor's | ratio | limit |"
echo "|---|---|---|---|---|---|"
awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$BENCH_TABLE"
echo
echo "Ratios: anchor / voagent for times, voagent / anchor for rates (> 1: voagent is better)."
echo "Logs: $OUT/*.log"
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed: ${failed[*]}"
	exit 1
fi
