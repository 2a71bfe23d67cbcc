# 15. EPN-TAP: the services whose tables end in epn_core (from the Registry's
#     tables), each queried for a target name.
import os
import pyvo
from astropy.table import vstack
from tb import TAP, OUT
reg = pyvo.dal.TAPService(TAP)
q = ("SELECT DISTINCT i.access_url, t.table_name FROM rr.res_table AS t"
     " JOIN rr.capability AS c ON t.ivoid = c.ivoid"
     " JOIN rr.interface AS i ON c.ivoid = i.ivoid AND c.cap_index = i.cap_index"
     " WHERE t.table_name LIKE '%epn_core' AND c.standard_id LIKE 'ivo://ivoa.net/std/tap%'")
found = []
for svc in reg.search(q).to_table():
    t = pyvo.dal.TAPService(svc["access_url"]).search(
        "SELECT * FROM %s WHERE target_name = 'Mars'" % svc["table_name"]).to_table()
    found.append(t)
vstack(found).write(os.path.join(OUT, "mars.xml"), format="votable", overwrite=True)
