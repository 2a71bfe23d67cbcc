# 10. Clusters across three catalogues: pairwise best sky matches (asymmetric,
#     so six matches for three catalogues) within 1 arcsec, then the pair
#     graph walked to gather clusters; per cluster and catalogue the member
#     nearest the cluster's mean position.
import os
import numpy as np
import pyvo
import astropy.units as u
from astropy.coordinates import SkyCoord
from astropy.table import Table
from tb import SCS, OUT
cats, ids = [], []
for name, idcol in [("twomass", "designation"), ("allwise", "designation"), ("sdss", "objid")]:
    t = pyvo.dal.SCSService(SCS[name]).search(pos=(150, 2), radius=0.05).to_table()
    t.write(os.path.join(OUT, name + ".xml"), format="votable", overwrite=True)  # for workflow 11
    cats.append(SkyCoord(np.asarray(t["ra"]) * u.deg, np.asarray(t["dec"]) * u.deg))
    ids.append([str(x) for x in t[idcol]])
nodes = [(c, i) for c in range(3) for i in range(len(cats[c]))]
parent = {n: n for n in nodes}
def find(n):
    while parent[n] != n:
        parent[n] = parent[parent[n]]
        n = parent[n]
    return n
for a in range(3):
    for b in range(3):
        if a != b:
            idx, sep, _ = cats[a].match_to_catalog_sky(cats[b])
            for i, (j, s) in enumerate(zip(idx, sep)):
                if s <= 1 * u.arcsec:
                    parent[find((a, i))] = find((b, int(j)))
groups = {}
for n in nodes:
    groups.setdefault(find(n), []).append(n)
out = Table(names=("designation_1", "designation_2", "objid"), dtype=("U40", "U40", "U40"))
for members in groups.values():
    ra = np.mean([cats[c][i].ra.deg for c, i in members])
    dec = np.mean([cats[c][i].dec.deg for c, i in members])
    centre = SkyCoord(ra * u.deg, dec * u.deg)
    row = []
    for c in range(3):
        mine = [i for cc, i in members if cc == c]
        if not mine:
            row.append("null")
            continue
        best = min(mine, key=lambda i: cats[c][i].separation(centre).deg)
        row.append(ids[c][best])
    out.add_row(row)
out.write(os.path.join(OUT, "clusters.csv"), format="ascii.csv", overwrite=True)
