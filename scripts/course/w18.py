# 18. Splitting up a query: a longer execution duration, then the table
#     partitioned by its primary key (meta.id;meta.main) up to the maximum
#     identifier, the parts run as async jobs and concatenated.
import os
import pyvo
from astropy.table import vstack
from tb import TAP, OUT
svc = pyvo.dal.TAPService(TAP)
top = int(svc.search("SELECT MAX(id) AS m FROM bigcat.main").to_table()["m"][0])
parts, step = [], top // 4 + 1
for lo in range(0, top + 1, step):
    job = svc.submit_job("SELECT * FROM bigcat.main WHERE mag < 11 AND id >= %d AND id < %d" % (lo, lo + step), maxrec=2000000)
    job.execution_duration = 3600
    job.run()
    job.wait()
    parts.append(job.fetch_result().to_table())
    job.delete()
vstack(parts).write(os.path.join(OUT, "bright.xml"), format="votable", overwrite=True)
