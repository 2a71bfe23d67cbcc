#!/usr/bin/env bash
# Spectra-for-positions benchmark on the testbed (testbed/setup.sh): the PyVO
# course's recipe 12 (every ObsCore service of the Registry, positions
# uploaded and joined; plus the SSA services, one query per position), timed
# for `voagent spectra` and for the same steps written with pyvo, on the same
# positions, in the same run. Prints wall times, the distinct spectra each
# found, and the ratio; exits 0 without measuring when the testbed or pyvo
# is missing (1 under VOAGENT_REQUIRE_PEERS=1).
#
# Env: REG (RegTAP endpoint), NPOS (positions, default 50), RADIUS (arcsec,
# default 60), N (repetitions, default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
REG=${REG:-http://127.0.0.1:8080/tap}
NPOS=${NPOS:-50} RADIUS=${RADIUS:-60} N=${N:-3}
PY=/usr/bin/python3
BENCH=bench-spectra
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

curl -s --max-time 10 "$REG/availability" | grep -q 'available>true<' || skip "no testbed at $REG (run testbed/setup.sh)"
$PY -c 'import pyvo' 2>/dev/null || skip "python3-pyvo is missing"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/voagent" ./cmd/voagent

# NPOS positions around the testbed's spectra (150, 2), deterministic.
$PY - "$tmp/pos.vot" "$NPOS" <<'PYEOF'
import sys, random
from astropy.table import Table
random.seed(7)
n = int(sys.argv[2])
ra = [150 + random.uniform(-0.3, 0.3) for _ in range(n)]
dec = [2 + random.uniform(-0.3, 0.3) for _ in range(n)]
ra[0], dec[0] = 150.0, 2.0
t = Table([list(range(n)), ra, dec], names=("pos_id", "ra", "dec"))
t["ra"].unit = t["dec"].unit = "deg"
t["ra"].meta["ucd"] = "pos.eq.ra;meta.main"
t["dec"].meta["ucd"] = "pos.eq.dec;meta.main"
t.write(sys.argv[1], format="votable", overwrite=True)
PYEOF
# astropy does not write column UCDs from meta: add them.
sed -i 's|<FIELD ID="ra" datatype="double" name="ra" unit="deg"/>|<FIELD ID="ra" datatype="double" name="ra" ucd="pos.eq.ra;meta.main" unit="deg"/>|; s|<FIELD ID="dec" datatype="double" name="dec" unit="deg"/>|<FIELD ID="dec" datatype="double" name="dec" ucd="pos.eq.dec;meta.main" unit="deg"/>|' "$tmp/pos.vot"

cat >"$tmp/spectra.py" <<PYEOF
import os, sys, warnings
warnings.simplefilter("ignore")
os.environ["IVOA_REGISTRY"] = "$REG"
import pyvo
from astropy.table import Table
pos = Table.read("$tmp/pos.vot")
r = $RADIUS / 3600
urls = set()
q = ("SELECT u.pos_id, o.obs_publisher_did, o.access_url FROM ivoa.obscore AS o JOIN TAP_UPLOAD.pos AS u"
     " ON 1=CONTAINS(POINT('ICRS', o.s_ra, o.s_dec), CIRCLE('ICRS', u.ra, u.dec, %r))"
     " WHERE o.dataproduct_type = 'spectrum'" % r)
for res in pyvo.registry.search(servicetype="tap", datamodel="obscore"):
    try:
        svc = pyvo.dal.TAPService(res.access_url)
        for row in svc.run_sync(q, uploads={"pos": pos}):
            urls.add(str(row["access_url"]))
    except Exception as e:
        print("failed:", res.ivoid, e, file=sys.stderr)
for res in pyvo.registry.search(servicetype="ssa"):
    try:
        svc = pyvo.dal.SSAService(res.access_url)
        for p in pos:
            for row in svc.search(pos=(p["ra"], p["dec"]), diameter=2 * r):
                urls.add(str(row.getdataurl()))
    except Exception as e:
        print("failed:", res.ivoid, e, file=sys.stderr)
print(len(urls))
PYEOF

va=$(best voagent "$tmp/voagent" spectra --table "$tmp/pos.vot" --registry "$REG" --radius "$RADIUS")
pa=$(best pyvo "$PY" "$tmp/spectra.py")
vn=$(grep -c '/getproduct/' "$tmp/voagent.out" || true)
pn=$(cat "$tmp/pyvo.out")
echo "$NPOS positions, radius ${RADIUS}\", best of $N runs, wall ms (process start included); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %8s %10s\n' "" "ms" "spectra"
printf '%-10s %8d %10s\n' voagent "$va" "$vn" pyvo "$pa" "$pn"
awk -v a="$pa" -v b="$va" 'BEGIN { printf "pyvo/voagent: %.2f\n", a / b }'
echo "note: pyvo counts distinct access URLs; SSA answers are not filtered to the radius there (DaCHS reads SIZE as a radius), so it may count more."
