# 13. Registry survey: for every ObsCore service, which collections it holds.
import os
import pyvo
from tb import OUT, use_testbed_registry
use_testbed_registry()
lines = []
for r in pyvo.regsearch(datamodel="obscore", servicetype="tap"):
    try:
        t = r.service.search("SELECT DISTINCT obs_collection FROM ivoa.obscore").to_table()
    except Exception as e:
        print("failed:", r.ivoid, e)
        continue
    lines += ["%s %s" % (r.ivoid, c) for c in t["obs_collection"]]
with open(os.path.join(OUT, "collections.txt"), "w") as f:
    f.write("\n".join(sorted(lines)) + "\n")
