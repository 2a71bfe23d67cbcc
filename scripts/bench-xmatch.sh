#!/usr/bin/env bash
# make bench-xmatch: voagent xmatch/cluster against astropy, scipy and STILTS on
# the same generated catalogues, in one run, with ratios and the issue's checks.
# Knobs: SIZES (default 100k,1M; empty: no two-table case), REPEATS (3), CLUSTER_SIZES (100k,1M; the
# 3 x 1M anchors take about a minute each and run once), BIG (e.g. 10M,
# voagent only, for the N log N growth), DATA (catalogue cache), SKIP
# (astropy-wall,stilts,cluster), XMATCH_RECORDED=1 (report the recorded
# figures of the slow 3 x 1M anchors instead of running them, marked as
# recorded). Needs /usr/bin/python3 with numpy, scipy, astropy, and stilts
# on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/voagent}
[ -x "$BIN" ] || go build -o "$BIN" ./cmd/voagent
args=(--bin "$BIN" --sizes "${SIZES-100k,1M}" --repeats "${REPEATS:-3}" --cluster-sizes "${CLUSTER_SIZES:-${CLUSTER_SIZE:-100k,1M}}")
[ -n "${BIG:-}" ] && args+=(--big "$BIG")
[ -n "${DATA:-}" ] && args+=(--data "$DATA")
[ -n "${SKIP:-}" ] && args+=(--skip "$SKIP")
exec /usr/bin/python3 scripts/bench_xmatch.py "${args[@]}"
