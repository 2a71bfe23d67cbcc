# 5. Custom parameters: what the SSA service takes (FORMAT=METADATA), then
#    a query with BAND as an old-style interval a/b.
import os
import pyvo
import requests
from astropy.io.votable import parse
from io import BytesIO
from tb import SSA, OUT
meta = parse(BytesIO(requests.get(SSA, params={"FORMAT": "METADATA"}).content))
names = sorted({p.name.replace("INPUT:", "") for r in meta.resources for p in r.params if p.name.startswith("INPUT:")})
with open(os.path.join(OUT, "params.txt"), "w") as f:
    f.write("\n".join(names) + "\n")
res = pyvo.dal.SSAService(SSA).search(pos=(150, 2), diameter=2, band=(5e-7, 6e-7))
res.to_table().write(os.path.join(OUT, "spectra.xml"), format="votable", overwrite=True)
