# 8. Async TAP: submit every job, run them in parallel, poll their phases,
#    fetch each result when done, delete the job.
import os
import time
import pyvo
from tb import TAP, OUT
svc = pyvo.dal.TAPService(TAP)
jobs = {}
for name, table in [("2mass", "twomass.psc"), ("allwise", "allwise.source"), ("sdss", "sdss.photoobj")]:
    q = "SELECT * FROM %s WHERE 1=CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 150, 2, 0.1))" % table
    jobs[name] = svc.submit_job(q, maxrec=5000)
    jobs[name].run()
while jobs:
    for name, job in list(jobs.items()):
        if job.phase in ("COMPLETED", "ERROR", "ABORTED"):
            if job.phase == "COMPLETED":
                job.fetch_result().to_table().write(os.path.join(OUT, name + ".xml"), format="votable", overwrite=True)
            else:
                print(name, job.phase)
            job.delete()
            del jobs[name]
    time.sleep(0.2)
