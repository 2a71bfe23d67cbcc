# 7. Several TAP queries on several catalogues with MAXREC (each result
#    would go to TOPCAT under a short name).
import os
import pyvo
from tb import TAP, OUT
svc = pyvo.dal.TAPService(TAP)
for name, table in [("2mass", "twomass.psc"), ("allwise", "allwise.source"), ("sdss", "sdss.photoobj")]:
    q = "SELECT * FROM %s WHERE 1=CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 150, 2, 0.05))" % table
    svc.search(q, maxrec=100).to_table().write(os.path.join(OUT, name + ".xml"), format="votable", overwrite=True)
