#!/usr/bin/env bash
# SAMP client throughput: voagent's Go client against an astropy client,
# through the same JSAMP hub (private lockfile), in the same run.
#   * synchronous callAndWait round trips (sender -> hub -> echo client -> hub -> sender)
#   * notifications per second, timed until the receiver has handled them all
# Each side uses its own echo receiver: Go connector vs astropy (/usr/bin/python3).
# Prints both rates and the ratios (target: voagent >= 3x astropy). astropy's
# figure is the better of two runs, one before and one after voagent's.
# Usage: scripts/bench-samp-client.sh [N]   (N messages per measure, default 500)
# HUB=voagent runs the same measures through voagent's own hub (bin/voagent hub)
# instead of the JSAMP hub.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-500}
py=/usr/bin/python3
jar=/usr/share/java/jsamp.jar
script=samp/connection/conntest/astropy_samp.py
for need in java "$py"; do command -v "$need" > /dev/null || { echo "missing $need" >&2; exit 1; }; done
[ -f "$jar" ] || { echo "missing $jar (apt-get install jsamp)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
	wait 2> /dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
export SAMP_HUB="std-lockurl:file://$work/samp.lock"

hubname=${HUB:-jsamp}
if [ "$hubname" = voagent ]; then
	go build -o "$work/voagent" ./cmd/voagent
	"$work/voagent" hub --lockfile "$work/samp.lock" > "$work/hub.log" 2>&1 &
else
	java -classpath "$jar" org.astrogrid.samp.JSamp hub -mode no-gui -profiles std > "$work/hub.log" 2>&1 &
fi
pids+=($!)
for _ in $(seq 1 300); do [ -s "$work/samp.lock" ] && break; sleep 0.05; done
[ -s "$work/samp.lock" ] || { echo "$hubname hub did not start" >&2; cat "$work/hub.log" >&2; exit 1; }
echo "$hubname hub up; N=$n; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"

# The JVM hub gets faster for its first thousand calls or so (JIT): warm it
# up first with an untimed Go run, then measure astropy, voagent, astropy
# again, and keep astropy's better run.
go test -c -o "$work/connector.test" ./samp/connector
gobench() { VOAGENT_BENCH_EXTERNAL_HUB=1 timeout 900 "$work/connector.test" -test.run '^$' -test.benchtime "$1" -test.bench "$2"; }
VOAGENT_BENCH_WARMUP=1500 gobench 10x 'BenchmarkCallAndWait' > /dev/null
echo "hub warmed up; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"

# The peer runs until its stdin closes: give it a FIFO this script holds
# open (not /dev/zero, which it would read forever, burning a core).
mkfifo "$work/peer.in"
exec 3<> "$work/peer.in"
"$py" "$script" peer bench-pyecho < "$work/peer.in" > "$work/peer.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do grep -q '"id"' "$work/peer.log" 2> /dev/null && break; sleep 0.1; done
astropy1=$(timeout 900 "$py" "$script" bench bench-pyecho "$n")
echo "astropy run 1: $astropy1"
gobench=$(gobench "${n}x" 'BenchmarkCallAndWait|BenchmarkCall$|BenchmarkNotify|BenchmarkHubPing')
echo "$gobench" | grep '^Benchmark'
astropy2=$(timeout 900 "$py" "$script" bench bench-pyecho "$n")
echo "astropy run 2: $astropy2"

metric() { echo "$gobench" | awk -v b="$1" -v u="$2" '$1 ~ "^"b"(-[0-9]+)?$" { for (i = 1; i < NF; i++) if ($(i+1) == u) print $i }'; }
go_caw=$(metric BenchmarkCallAndWait calls/s)
go_call=$(metric BenchmarkCall calls/s)
go_notify=$(metric BenchmarkNotify notify/s)
go_ping=$(metric BenchmarkHubPing pings/s)
best() { printf '%s\n%s\n' "$astropy1" "$astropy2" | "$py" -c 'import json,sys; print(max(json.loads(l)[sys.argv[1]] for l in sys.stdin if l.strip()))' "$1"; }
py_caw=$(best call_per_s)
py_notify=$(best notify_per_s)
py_ping=$(best ping_per_s)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
echo
printf '%-34s %12s %12s %8s\n' measure voagent astropy ratio
printf '%-34s %12s %12s %8s\n' "callAndWait round trips /s" "$go_caw" "$py_caw" "$(ratio "$go_caw" "$py_caw")"
printf '%-34s %12s %12s %8s\n' "call (async, own deadline) /s" "$go_call" "$py_caw" "$(ratio "$go_call" "$py_caw")"
printf '%-34s %12s %12s %8s\n' "notifications delivered /s" "$go_notify" "$py_notify" "$(ratio "$go_notify" "$py_notify")"
printf '%-34s %12s %12s %8s\n' "hub pings /s (hub's floor)" "$go_ping" "$py_ping" "$(ratio "$go_ping" "$py_ping")"
# What the hub itself allows: a callAndWait is a request to the hub
# (callAndWait), a callback from the hub (receiveCall) and another request
# (reply). The fastest client's ping gives the cost of a request, its
# notify rate that of a request plus a callback (the JSAMP hub delivers a
# notification inside the sender's request; voagent's hub delivers in the
# background, which makes this a looser bound).
awk -v p="$go_ping" -v q="$go_notify" -v a="$py_caw" 'BEGIN { if (p > 0 && q > 0 && a > 0) { c = 1 / (1 / p + 1 / q); printf "estimated ceiling for any client through this hub: about %.0f callAndWait round trips/s (%.1fx astropy)\n", c, c / a } }'
echo "loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
# The machine's floor: round trips over loopback with nothing but the
# transport (samp/xmlrpc floor_test.go). A callAndWait is at least three
# HTTP round trips, so a third of the HTTP floor bounds any client and hub.
go test -c -o "$work/xmlrpc.test" ./samp/xmlrpc
floor=$("$work/xmlrpc.test" -test.run '^$' -test.benchtime 20000x -test.bench 'BenchmarkLoopback' | grep '^Benchmark')
echo "$floor"
tcp_floor=$(echo "$floor" | awk '$1 ~ /^BenchmarkLoopbackTCP/ { for (i = 1; i < NF; i++) if ($(i+1) == "trips/s") print $i }')
http_floor=$(echo "$floor" | awk '$1 ~ /^BenchmarkLoopbackHTTP/ { for (i = 1; i < NF; i++) if ($(i+1) == "trips/s") print $i }')
caw_floor=$(awk -v h="$http_floor" 'BEGIN { printf "%.0f", h / 3 }')
printf 'floor: loopback TCP 1-byte round trips %s/s, HTTP POST round trips (net/http, kept alive) %s/s; a callAndWait (3 HTTP round trips) at most %s/s\n' "$tcp_floor" "$http_floor" "$caw_floor"
# Rows for scripts/bench.sh's table.
BENCH=bench-samp-client
. scripts/bench-lib.sh
table_row "client callAndWait/s via $hubname hub" "$go_caw" "astropy client" "$py_caw" "$(ratio "$go_caw" "$py_caw")" "floor $caw_floor/s (3 loopback HTTP trips)"
table_row "client notifications/s via $hubname hub" "$go_notify" "astropy client" "$py_notify" "$(ratio "$go_notify" "$py_notify")" ""
echo
echo "For scale, the Go client with voagent's own hub in one process (no JVM, no Python):"
timeout 300 "$work/connector.test" -test.run '^$' -test.benchtime "$((n * 4))x" -test.bench 'BenchmarkOwnHubCall' | grep '^Benchmark' || true
