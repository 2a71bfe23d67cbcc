# 16. Datalink: for each ObsCore image row, its links document; the
#     #preview links downloaded.
import os
import pyvo
import requests
from tb import TAP, OUT
res = pyvo.dal.TAPService(TAP).search(
    "SELECT * FROM ivoa.obscore WHERE dataproduct_type='image'"
    " AND 1=CONTAINS(POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', 150, 2, 0.5))")
d = os.path.join(OUT, "previews")
os.makedirs(d, exist_ok=True)
n = 0
for dl in res.iter_datalinks():
    for link in dl.bysemantics("#preview"):
        n += 1
        with open(os.path.join(d, "%d" % n), "wb") as f:
            f.write(requests.get(link.access_url).content)
