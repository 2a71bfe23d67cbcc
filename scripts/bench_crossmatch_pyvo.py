"""The pyvo reference of scripts/bench-crossmatch.sh: the 2,000-row table
uploaded to the testbed's TAP service, joined with a catalogue by
CONTAINS(POINT, CIRCLE), and each row's best match (nearest) picked with
astropy, as an astronomer would write it with pyvo 1.2.1.

usage: bench_crossmatch_pyvo.py TAPURL TABLE SAMPLE.vot RADIUS_ARCSEC OUT.csv
Prints: RESULT {"t": seconds, "matched": rows with a match}
"""
import json
import sys
import time

import numpy as np
import pyvo
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.table import Table


def main():
    tapurl, table, sample, radius, out = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
    t0 = time.time()
    t = Table.read(sample, format="votable")
    svc = pyvo.dal.TAPService(tapurl)
    q = ("SELECT u.id AS in_id, u.ra AS in_ra, u.dec AS in_dec, c.* FROM TAP_UPLOAD.t1 AS u JOIN %s AS c "
         "ON 1=CONTAINS(POINT('ICRS', c.ra, c.dec), CIRCLE('ICRS', u.ra, u.dec, %r))" % (table, radius / 3600))
    res = svc.run_sync(q, uploads={"t1": t}, maxrec=1000000).to_table()
    sep = SkyCoord(res["in_ra"], res["in_dec"], unit="deg").separation(
        SkyCoord(res["ra"], res["dec"], unit="deg")).to(u.arcsec).value
    res["sep_arcsec"] = sep
    res.sort(["in_id", "sep_arcsec"])
    # The first (nearest) candidate of each input row.
    _, first = np.unique(np.asarray(res["in_id"]), return_index=True)
    best = res[first]
    best.write(out, format="csv", overwrite=True)
    print("RESULT " + json.dumps({"t": time.time() - t0, "matched": len(best)}))


if __name__ == "__main__":
    main()
