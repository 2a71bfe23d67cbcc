# 7. Several TAP queries on several catalogues with MAXREC, each result
#    sent to TOPCAT by SAMP under a short name.
import os
import pyvo
from samphelp import samp_accessible, send_table
from tb import TAP, OUT
svc = pyvo.dal.TAPService(TAP)
with samp_accessible(optional=True) as conn:
    for name, table in [("2mass", "twomass.psc"), ("allwise", "allwise.source"), ("sdss", "sdss.photoobj")]:
        q = "SELECT * FROM %s WHERE 1=CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 150, 2, 0.05))" % table
        t = svc.search(q, maxrec=100).to_table()
        send_table(conn, t, name, os.path.join(OUT, name + ".xml"), to="topcat")
