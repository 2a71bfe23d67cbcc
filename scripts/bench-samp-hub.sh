#!/usr/bin/env bash
# Times jsamp calcstorm (JSAMP clients sending each other arithmetic queries
# through a hub, every answer checked) on voagent's hub and on the JSAMP hub,
# in the same run, and prints the ratios.
#
# Usage: scripts/bench-samp-hub.sh [NCLIENT] [NQUERY] [RUNS]   (default 10 100 1)
# Needs: java, /usr/share/java/jsamp.jar (Debian package jsamp), go.
# Every calcstorm run is bounded by a 300 s timeout; the hubs use private
# lockfiles in a temporary directory and are stopped by PID at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
nclient=${1:-10}
nquery=${2:-100}
runs=${3:-1}
jar=/usr/share/java/jsamp.jar
[ -r "$jar" ] || { echo "bench-samp-hub: $jar missing (apt-get install jsamp)" >&2; exit 1; }

work=$(mktemp -d /tmp/bench-samp-hub.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/voagent" ./cmd/voagent

wait_lock() { for _ in $(seq 1 300); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }

# start_hub NAME: starts a hub on $work/NAME.lock.
declare -A hub_pid
start_hub() {
	local lock=$work/$1.lock
	case $1 in
	voagent) SAMP_HUB=std-lockurl:file://$lock "$work/voagent" hub --lockfile "$lock" > "$work/$1.log" 2>&1 & ;;
	jsamp) SAMP_HUB=std-lockurl:file://$lock java -classpath "$jar" org.astrogrid.samp.JSamp \
		hub -mode no-gui -profiles std > "$work/$1.log" 2>&1 & ;;
	esac
	hub_pid[$1]=$!
	pids+=("$!")
	wait_lock "$lock" || { echo "$1 hub did not start:"; cat "$work/$1.log"; exit 1; }
}

# cpu_ms HUB: CPU time (user + system, ms) the HUB process has used so far.
cpu_ms() { awk -v t="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / t}' "/proc/${hub_pid[$1]}/stat"; }

# storm HUB MODE: prints the elapsed milliseconds of one calcstorm run on
# HUB, or FAIL with the reason.
storm() {
	local out ms
	if ! out=$(SAMP_HUB=std-lockurl:file://$work/$1.lock timeout 300 /usr/bin/time -f 'client-cpu %U %S' -o "$work/client.time" \
		java -classpath "$jar" org.astrogrid.samp.JSamp calcstorm -nclient "$nclient" -nquery "$nquery" -mode "$2" 2>&1); then
		echo "FAIL: $(echo "$out" | grep -v '^[[:space:]]*at ' | tail -3 | tr '\n' ' ')"
		return
	fi
	ms=$(echo "$out" | sed -n 's/^Elapsed time: \([0-9]*\) ms.*/\1/p' | tail -1)
	if [ -z "$ms" ] || echo "$out" | grep -q Exception; then
		echo "FAIL: $(echo "$out" | tail -3 | tr '\n' ' ')"
	else
		echo "$ms"
	fi
}

declare -A best cpu ccpu
echo "calcstorm -nclient $nclient -nquery $nquery ($((nclient * nquery)) messages), $runs run(s), loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
# Both hubs run side by side; runs alternate between them so that both see
# the same machine load.
start_hub voagent
start_hub jsamp
for mode in sync async notify; do
	for r in $(seq 1 "$runs"); do
		for hub in voagent jsamp; do
			c0=$(cpu_ms "$hub")
			ms=$(storm "$hub" "$mode")
			c1=$(cpu_ms "$hub")
			cc=$(awk '/^client-cpu/ {printf "%d", ($2 + $3) * 1000}' "$work/client.time" 2>/dev/null || echo 0)
			printf '%-8s %-6s run %d: %s ms, hub CPU %d ms, calcstorm client CPU %d ms\n' "$hub" "$mode" "$r" "${ms%% *}" "$((c1 - c0))" "$cc"
			case $ms in
			FAIL*) ;;
			*) if [ -z "${ccpu[$hub.$mode]:-}" ] || [ "$cc" -lt "${ccpu[$hub.$mode]}" ]; then ccpu[$hub.$mode]=$cc; fi ;;
			esac
			case $ms in
			FAIL*) ;;
			*) if [ -z "${cpu[$hub.$mode]:-}" ] || [ "$((c1 - c0))" -lt "${cpu[$hub.$mode]}" ]; then cpu[$hub.$mode]=$((c1 - c0)); fi ;;
			esac
			case $ms in
			FAIL*) best[$hub.$mode]=FAIL ;;
			*) if [ "${best[$hub.$mode]:-}" != FAIL ] && { [ -z "${best[$hub.$mode]:-}" ] || [ "$ms" -lt "${best[$hub.$mode]}" ]; }; then
				best[$hub.$mode]=$ms
			fi ;;
			esac
		done
	done
done
for hub in voagent jsamp; do
	echo "$hub hub CPU time, whole run (start-up and JIT included): $(cpu_ms "$hub") ms"
done

echo
printf '%-7s %12s %12s %14s %16s %16s\n' mode "voagent ms" "jsamp ms" "jsamp/voagent" "voagent CPU ms" "jsamp CPU ms"
status=0
for mode in sync async notify; do
	v=${best[voagent.$mode]} j=${best[jsamp.$mode]}
	if [ "$v" = FAIL ] || [ "$j" = FAIL ]; then
		printf '%-7s %12s %12s %14s %16s %16s\n' "$mode" "$v" "$j" - "${cpu[voagent.$mode]:--}" "${cpu[jsamp.$mode]:--}"
		[ "$v" = FAIL ] && status=1
		continue
	fi
	printf '%-7s %12s %12s %14s %16s %16s\n' "$mode" "$v" "$j" "$(awk -v a="$j" -v b="$v" 'BEGIN { printf "%.2f", a / b }')" \
		"${cpu[voagent.$mode]:--}" "${cpu[jsamp.$mode]:--}"
done
echo "(ratio > 1: voagent's hub is faster; best of $runs run(s); hub CPU: the hub process's user+system time during the run, least of $runs; loadavg $(cut -d' ' -f1-3 /proc/loadavg))"
# The client's own CPU bounds the ratio: on $(nproc) cores no hub can finish
# a storm sooner than the calcstorm JVM needs to do its part (its CPU with
# our hub, JVM start-up and JIT included, spread over every core).
echo
printf '%-7s %20s %26s\n' mode "client CPU ms" "ratio limit (zero-cost hub)"
for mode in sync async notify; do
	v=${best[voagent.$mode]} j=${best[jsamp.$mode]} c=${ccpu[voagent.$mode]:-0}
	[ "$j" = FAIL ] || [ "$c" = 0 ] && continue
	printf '%-7s %20s %26s\n' "$mode" "$c" "$(awk -v j="$j" -v c="$c" -v n="$(nproc)" 'BEGIN { printf "%.2fx", j / (c / n) }')"
done
# Rows for scripts/bench.sh's table.
BENCH=bench-samp-hub
. scripts/bench-lib.sh
for mode in sync async notify; do
	v=${best[voagent.$mode]} j=${best[jsamp.$mode]}
	r=-
	[ "$v" != FAIL ] && [ "$j" != FAIL ] && r="$(awk -v a="$j" -v b="$v" 'BEGIN { printf "%.2f", a / b }')x"
	lim="aim 3x"
	c=${ccpu[voagent.$mode]:-0}
	[ "$j" != FAIL ] && [ "$c" != 0 ] && lim="aim 3x; limit $(awk -v j="$j" -v c="$c" -v n="$(nproc)" 'BEGIN { printf "%.2fx", j / (c / n) }') (calcstorm client CPU $c ms on $(nproc) cores)"
	table_row "calcstorm $nclient x $nquery $mode (ms)" "$v" "JSAMP hub" "$j" "$r" "$lim"
	table_row "calcstorm $nclient x $nquery $mode hub CPU (ms)" "${cpu[voagent.$mode]:--}" "JSAMP hub" "${cpu[jsamp.$mode]:--}" "" ""
done
exit $status
