#!/usr/bin/python3
"""Canonical text of a result, for comparing voagent's with pyvo's.

canon.py table GLOB COLS   sorted rows of the columns (comma list, * for all)
                           of VOTable or CSV files; floats to 9 significant
                           digits, nulls as "null"
canon.py sha DIR           sorted SHA-256 sums of the files in DIR
canon.py counts DIR        sorted row counts of the VOTables in DIR
"""
import hashlib
import math
import os
import sys
import warnings

warnings.simplefilter("ignore")


def read(path):
    from astropy.table import Table
    if path.endswith(".csv"):
        return Table.read(path, format="ascii.csv")
    from astropy.io.votable import parse
    return parse(path).get_first_table().to_table()


def cell(v):
    import numpy as np
    if v is None or v is np.ma.masked:
        return "null"
    if isinstance(v, bytes):
        v = v.decode()
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return "null"
        return "%.9g" % v
    if isinstance(v, np.ndarray):
        return " ".join(cell(x) for x in v.ravel())
    return str(v).strip()


def table(pattern, cols):
    import glob
    rows, names = [], None
    for path in sorted(glob.glob(pattern)) or [pattern]:
        t = read(path)
        names = t.colnames if cols == "*" else cols.split(",")
        rows += ["|".join(cell(r[n]) for n in names) for r in t]
    rows.sort()
    print("|".join(names))
    print("\n".join(rows))


def sha(d):
    out = []
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            out.append(hashlib.sha256(f.read()).hexdigest())
    print("\n".join(sorted(out)))


def counts(d):
    print("\n".join(sorted(str(len(read(os.path.join(d, n)))) for n in os.listdir(d))))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "table":
        table(sys.argv[2], sys.argv[3])
    elif mode == "sha":
        sha(sys.argv[2])
    elif mode == "counts":
        counts(sys.argv[2])
    else:
        sys.exit(__doc__)
