# 2. Own logic between queries: several positions, keep the images taken
#    in a date window, download those.
import os
import pyvo
from astropy.table import vstack
from tb import SIA1, OUT
svc = pyvo.dal.SIAService(SIA1)
kept = []
for ra, dec in [(150, 2), (150.2, 2.1)]:
    t = svc.search(pos=(ra, dec), size=0.2).to_table()
    kept.append(t[(t["dateObs"] >= 58788) & (t["dateObs"] < 58789)])
t = vstack(kept)
t[["accref", "dateObs"]].write(os.path.join(OUT, "selected.xml"), format="votable", overwrite=True)
