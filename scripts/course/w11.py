# 11. Show the SEDs of the clusters of workflow 10 (its pyvo output),
#     plotted and sent to TOPCAT as a table (mag against wavelength), for
#     the user to pick sources there.
import os
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from astropy.table import Table
from samphelp import samp_accessible, send_table
from tb import OUT
# Effective wavelengths (um), SVO Filter Profile Service WavelengthEff.
WL = {"j_m": 1.235, "h_m": 1.662, "k_m": 2.159, "w1mpro": 3.3526, "w2mpro": 4.6028, "w3mpro": 11.5608,
      "w4mpro": 22.0883, "u": 0.3608, "g": 0.46718, "r": 0.61411, "i": 0.74579, "z": 0.89228}
W10 = os.path.join(OUT, "..", "..", "10", "pyvo")
clusters = Table.read(os.path.join(W10, "clusters.csv"), format="ascii.csv")
cats = [(Table.read(os.path.join(W10, n + ".xml")), k, c) for n, k, c in
        [("twomass", "designation", "designation_1"), ("allwise", "designation", "designation_2"), ("sdss", "objid", "objid")]]
rows = [{str(r[key]): r for r in t} for t, key, _ in cats]
sed = Table(names=("source", "column", "wavelength", "mag"), dtype=("i8", "U10", "f8", "f8"))
for n, cl in enumerate(clusters, 1):
    for (t, _, col), byid in zip(cats, rows):
        r = byid.get(str(cl[col]))
        for c in t.colnames if r is not None else []:
            if c in WL and r[c] is not None and str(r[c]) != "--":
                sed.add_row((n, c, WL[c], float(str(r[c]))))  # as the catalogue wrote it
for n in sorted(set(sed["source"]))[:20]:
    s = sed[sed["source"] == n]
    s.sort("wavelength")
    plt.plot(s["wavelength"], s["mag"], marker="o")
plt.xscale("log"); plt.gca().invert_yaxis(); plt.xlabel("wavelength (um)"); plt.ylabel("mag")
plt.savefig(os.path.join(OUT, "seds.png"))
with samp_accessible() as conn:
    send_table(conn, sed, "seds", os.path.join(OUT, "seds.xml"), to="topcat")
