#!/usr/bin/env bash
# All-services cone search benchmark on the testbed (testbed/setup.sh): the
# PyVO course's "ask the Registry for every cone search and run the same
# query on each" (recipe 3), timed for voagent (one process, fan-out) and for
# pyvo (registry.search, then a loop of conesearch calls), same query, same
# run; also one single cone search each. Prints the figures and the ratios;
# exits 0 without measuring when the testbed or pyvo is missing (1 under
# VOAGENT_REQUIRE_PEERS=1).
#
# Env: REG (RegTAP endpoint), RA DEC SR (the cone), N (repetitions, default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
REG=${REG:-http://127.0.0.1:8080/tap}
SCS=${SCS:-http://127.0.0.1:8080/twomass/q/cone/scs.xml?}
RA=${RA:-150} DEC=${DEC:-2} SR=${SR:-0.05}
N=${N:-10}
PY=/usr/bin/python3
BENCH=bench-fanout
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

curl -s --max-time 10 "$REG/availability" | grep -q 'available>true<' || skip "no testbed at $REG (run testbed/setup.sh)"
$PY -c 'import pyvo' 2>/dev/null || skip "python3-pyvo is missing"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/voagent" ./cmd/voagent

cat >"$tmp/allcone.py" <<PYEOF
import os, sys, time, pyvo
os.environ["IVOA_REGISTRY"] = "$REG"
n = 0
for r in pyvo.registry.search(servicetype="scs"):
    try:
        n += len(r.search(pos=($RA, $DEC), radius=$SR))
    except Exception as e:
        print("failed:", r.ivoid, e, file=sys.stderr)
print(n)
PYEOF
cat >"$tmp/onecone.py" <<PYEOF
import pyvo
print(len(pyvo.dal.SCSService("$SCS").search(pos=($RA, $DEC), radius=$SR)))
PYEOF

# IVOA_REGISTRY is read by pyvo at import; set it for both.
export IVOA_REGISTRY=$REG
va=$(best "voagent all" "$tmp/voagent" cone --all --registry "$REG" --ra "$RA" --dec "$DEC" --sr "$SR")
pa=$(best "pyvo all" "$PY" "$tmp/allcone.py")
v1=$(best "voagent one" "$tmp/voagent" cone --url "$SCS" --ra "$RA" --dec "$DEC" --sr "$SR" --format csv)
p1=$(best "pyvo one" "$PY" "$tmp/onecone.py")
echo "best of $N runs, wall ms (process start included)"
printf '%-34s %8s %8s %8s\n' "task" voagent pyvo "pyvo/voagent"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '%-34s %8d %8d %8s\n' "all cone searches in the registry" "$va" "$pa" "$(ratio "$pa" "$va")"
printf '%-34s %8d %8d %8s\n' "one cone search" "$v1" "$p1" "$(ratio "$p1" "$v1")"
