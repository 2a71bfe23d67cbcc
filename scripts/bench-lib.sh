# Shared by the benchmark scripts (source it after setting BENCH to the
# script's name and, for best, tmp to a scratch directory).

# The binary is built as `make build` builds it: static, without cgo (see
# docs/decisions.md, "Static binary").
export CGO_ENABLED=${CGO_ENABLED:-0}

# skip WHY: report that the benchmark cannot run here; exit 0, or 1 under
# VOAGENT_REQUIRE_PEERS=1.
skip() {
	echo "$BENCH: SKIPPED: $*"
	[ "${VOAGENT_REQUIRE_PEERS:-}" = 1 ] && exit 1
	exit 0
}

# best NAME CMD...: the best wall time (ms) of N runs of CMD; the last run's
# output is kept in $tmp/NAME.out and .err.
best() {
	local name=$1 b=""
	shift
	for _ in $(seq "$N"); do
		local t0 t1 s
		t0=$(date +%s%N)
		"$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || {
			echo "$BENCH: $name failed:" >&2
			cat "$tmp/$name.err" >&2
			return 1
		}
		t1=$(date +%s%N)
		s=$(((t1 - t0) / 1000000))
		if [ -z "$b" ] || [ "$s" -lt "$b" ]; then b=$s; fi
	done
	echo "$b"
}

# table_row CASE VOAGENT ANCHOR ANCHOR_VALUE RATIO [LIMIT]: one row of the
# single table `make bench` prints (scripts/bench.sh), appended to
# $BENCH_TABLE when it is set; a no-op otherwise.
table_row() {
	[ -n "${BENCH_TABLE:-}" ] || return 0
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6:-}" >>"$BENCH_TABLE"
}
