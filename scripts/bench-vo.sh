#!/usr/bin/env bash
# TAP streaming benchmark: voagent against pyvo on the testbed's 1M-row table
# (bigcat.main, testbed/setup.sh), same query, same run. Prints the figures
# and the ratios; exits 0 without measuring when the big table is missing
# (1 under VOAGENT_REQUIRE_PEERS=1).
#
#   voagent copy    voagent tap ... -o FILE    raw VOTable to a file, status checked
#   voagent csv     voagent tap ... --format csv   decoded while streaming
#   go decode       BenchmarkTestbedBig/decode: time to first row, rows/s
#   pyvo            TAPService.run_sync(q, maxrec=N).to_table()
#
# Each measurement is the best of BENCH_REPEAT runs (default 2; the service's
# own time varies with its caches and the machine's load), every run bounded
# by BENCH_TIMEOUT seconds (default 600).
set -euo pipefail
cd "$(dirname "$0")/.."
TAP=${TAP:-http://127.0.0.1:8080/tap}
TABLE=${TABLE:-bigcat.main}
ROWS=${ROWS:-1000000}
LIMIT_MB=${LIMIT_MB:-150}
T=${BENCH_TIMEOUT:-600}
REPEAT=${BENCH_REPEAT:-2}
PY=/usr/bin/python3
BENCH=bench-vo
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
QUERY="SELECT * FROM $TABLE"

n=$(curl -s --max-time 60 "$TAP/sync" -d REQUEST=doQuery -d LANG=ADQL -d RESPONSEFORMAT=csv \
	--data-urlencode "QUERY=SELECT COUNT(*) AS n FROM $TABLE" 2>/dev/null | tail -n 1 | tr -d '\r') || true
[ "$n" = "$ROWS" ] || skip "$TABLE at $TAP has '${n:-no answer}' rows, not $ROWS (run testbed/setup.sh with the big table)"
[ -x /usr/bin/time ] || skip "/usr/bin/time (Debian package time) is missing"
$PY -c 'import pyvo' 2>/dev/null || skip "python3-pyvo is missing"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/voagent" ./cmd/voagent

# measure NAME CMD...: wall seconds and peak RSS (MB) of a command, the
# fastest of REPEAT runs (and the largest RSS seen).
measure() {
	local name=$1 best="" rss=0 secs kb
	shift
	for _ in $(seq "$REPEAT"); do
		if ! timeout "$T" /usr/bin/time -f '%e %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
			echo "bench-vo: $name failed:"; tail -n 5 "$tmp/$name.err"; exit 1
		fi
		read -r secs kb <"$tmp/$name.time"
		if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$secs; fi
		[ "$kb" -gt "$rss" ] && rss=$kb
	done
	eval "${name}_s=$best; ${name}_mb=$((rss / 1024))"
}

echo "bench-vo: $QUERY ($ROWS rows) at $TAP"
measure copy "$tmp/voagent" tap "$TAP" "$QUERY" --maxrec "$ROWS" -o "$tmp/big.vot"
size_mb=$(($(stat -c %s "$tmp/big.vot") / 1000000))
rm -f "$tmp/big.vot"
measure csv "$tmp/voagent" tap "$TAP" "$QUERY" --maxrec "$ROWS" --format csv -o /dev/null

cat >"$tmp/pyvo_bench.py" <<'PYEOF'
import resource, sys, time
import pyvo
tap, query, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
t0 = time.perf_counter()
table = pyvo.dal.TAPService(tap).run_sync(query, maxrec=rows).to_table()
dt = time.perf_counter() - t0
assert len(table) == rows, len(table)
print("%.2f" % dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
PYEOF
pyvo_s="" pyvo_mb=0
for _ in $(seq "$REPEAT"); do
	timeout "$T" $PY "$tmp/pyvo_bench.py" "$TAP" "$QUERY" "$ROWS" >"$tmp/pyvo.out" 2>"$tmp/pyvo.err" ||
		{ echo "bench-vo: pyvo failed:"; tail -n 5 "$tmp/pyvo.err"; exit 1; }
	read -r s mb <"$tmp/pyvo.out"
	if [ -z "$pyvo_s" ] || awk -v a="$s" -v b="$pyvo_s" 'BEGIN { exit !(a < b) }'; then pyvo_s=$s; fi
	[ "$mb" -gt "$pyvo_mb" ] && pyvo_mb=$mb
done

timeout "$T" go test -run '^$' -bench 'BenchmarkTestbedBig/decode' -benchtime "${REPEAT}x" ./vo/tap >"$tmp/go.out" 2>&1 ||
	{ echo "bench-vo: go benchmark failed:"; tail -n 5 "$tmp/go.out"; exit 1; }
first=$(awk '/decode/ { for (i = 1; i <= NF; i++) if ($(i+1) == "s-first-row") print $i }' "$tmp/go.out")
rate=$(awk '/decode/ { for (i = 1; i <= NF; i++) if ($(i+1) == "rows/s") print $i }' "$tmp/go.out")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
printf '%-28s %10s %10s\n' "" "seconds" "peak MB"
printf '%-28s %10s %10s\n' "voagent copy to file" "$copy_s" "$copy_mb"
printf '%-28s %10s %10s\n' "voagent decode to CSV" "$csv_s" "$csv_mb"
printf '%-28s %10s %10s\n' "pyvo run_sync().to_table()" "$pyvo_s" "$pyvo_mb"
echo "VOTable size: ${size_mb} MB; voagent time to first row: ${first} s (pyvo: ${pyvo_s} s, it reads the whole document first); voagent decode rate: ${rate} rows/s"
echo "ratios (pyvo / voagent): time copy $(ratio "$pyvo_s" "$copy_s")x, time decode $(ratio "$pyvo_s" "$csv_s")x, first row $(ratio "$pyvo_s" "$first")x, memory $(ratio "$pyvo_mb" "$copy_mb")x (copy) $(ratio "$pyvo_mb" "$csv_mb")x (decode)"
ok=PASS
[ "$copy_mb" -lt "$LIMIT_MB" ] && [ "$csv_mb" -lt "$LIMIT_MB" ] || ok=FAIL
echo "flat memory (peak RSS under $LIMIT_MB MB): $ok"
[ "$ok" = PASS ]
