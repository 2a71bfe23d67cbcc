# 3. All-VO: every image service of the Registry, the same query on each;
#    a broken service is reported and skipped.
import os
import pyvo
from tb import OUT, use_testbed_registry
use_testbed_registry()
os.makedirs(os.path.join(OUT, "all"), exist_ok=True)
for i, r in enumerate(pyvo.regsearch(servicetype="sia")):
    try:
        t = r.search(pos=(150, 2), size=0.5).to_table()
    except Exception as e:
        print("failed:", r.res_title, e)
        continue
    t.write(os.path.join(OUT, "all", "%d.xml" % i), format="votable", overwrite=True)
