#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a bounded time each (default 10s).
#
# Go 1.26's fuzz coordinator can report "context deadline exceeded" when
# -fuzztime runs out while a worker is mid-execution (golang/go#75804, fixed
# in Go 1.27): a run that fails that way with no failing input written is
# retried once, and tolerated with a warning if it happens again. A real
# finding always writes its input to testdata/fuzz/ and fails the script.
set -uo pipefail
cd "$(dirname "$0")/.."
t=${1:-10s}
status=0
run_one() { # pkg target -> 0 ok, 1 real failure, 2 deadline flake
	local out rc
	out=$(go test -run='^$' -fuzz="^$2\$" -fuzztime="$t" -fuzzminimizetime=1s "$1" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	[ $rc -eq 0 ] && return 0
	if grep -q "context deadline exceeded" <<< "$out" && ! grep -qE "Failing input written|panic:" <<< "$out"; then
		return 2
	fi
	return 1
}
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "== $pkg $f ($t)"
		run_one "$pkg" "$f"
		rc=$?
		if [ $rc -eq 2 ]; then
			echo "-- $f: fuzz coordinator deadline race (golang/go#75804), no failing input; retrying once"
			run_one "$pkg" "$f"
			rc=$?
			if [ $rc -eq 2 ]; then
				echo "WARNING: $f hit the deadline race twice with no failing input; not counted as a failure"
				rc=0
			fi
		fi
		[ $rc -eq 0 ] || status=1
	done
done
exit $status
