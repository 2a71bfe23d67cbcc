#!/usr/bin/env bash
# SAMP benchmarks (issue 3), in one run:
#  1. client rates, voagent's client against an astropy client, through the
#     same JSAMP hub, then through the same voagent hub;
#  2. calcstorm (sync, async, notify) on voagent's hub against the JSAMP hub.
# Usage: scripts/bench-samp.sh [N]   (messages per client measure, default 500)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-500}
echo "== client rates through the JSAMP hub"
HUB=jsamp scripts/bench-samp-client.sh "$n"
echo "== client rates through voagent's hub"
HUB=voagent scripts/bench-samp-client.sh "$n"
echo "== calcstorm: voagent hub vs JSAMP hub"
scripts/bench-samp-hub.sh 10 100 1
