# 1. SIA: search around a position, save the answer, download each dataset.
import os
import pyvo
from tb import SIA1, OUT
svc = pyvo.dal.SIAService(SIA1)
res = svc.search(pos=(150, 2), size=0.5)
res.to_table().write(os.path.join(OUT, "images.xml"), format="votable", overwrite=True)
os.makedirs(os.path.join(OUT, "img"), exist_ok=True)
for rec in res:
    rec.cachedataset(dir=os.path.join(OUT, "img"))
