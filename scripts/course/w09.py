# 9. SEDs from UCDs: map the photometry UCDs to effective wavelengths
#    (SVO Filter Profile Service WavelengthEff) and collect per source
#    (wavelength, magnitude).
import os
import pyvo
from astropy.table import Table
from tb import SCS, OUT
WL = {"em.opt.u": 0.36080, "em.opt.b": 0.46718, "em.opt.r": 0.61411, "em.opt.i": 0.74579}  # SDSS u g r i
Z = 0.89228  # SDSS z shares em.opt.I
res = pyvo.dal.SCSService(SCS["sdss"]).search(pos=(150, 2), radius=0.01)
fields = res.votable.get_first_table().fields
out = Table(names=("source", "column", "wavelength", "mag"), dtype=("U40", "U10", "f8", "f8"))
idf = [f.name for f in fields if (f.ucd or "").lower() in ("meta.id;meta.main", "id_main")][0]
for f in fields:
    words = (f.ucd or "").lower().split(";")
    if words[0] != "phot.mag" or len(words) < 2:
        continue
    wl = Z if f.name == "z" else WL.get(words[1])
    for r in res.to_table():
        if r[f.name] is not None and str(r[f.name]) != "--":
            out.add_row((str(r[idf]), f.name, wl, r[f.name]))
out.write(os.path.join(OUT, "sed.xml"), format="votable", overwrite=True)
