#!/usr/bin/python3
"""astropy side of the VOTable oracle tests (vo/votable/oracle_test.go).

Reads a JSON job on stdin:
  {"write": [{"src": PATH, "out": PATH, "format": "tabledata|binary|binary2"}],
   "dump":  [{"file": PATH, "strict": BOOL}]}
writes the files with astropy, then prints one JSON document on stdout:
  {"dumps": [{"file": PATH, "error": MSG} |
             {"file": PATH, "warnings": [MSG], "tables": [TABLE]}]}
TABLE = {"name", "fields": [{"name", "datatype", "arraysize"}], "columns": [[CELL]]}.
A CELL is null when astropy masks it (a fixed array with every element
masked counts as null); numbers are JSON numbers (integers exact), except a
NaN, which is null, and infinities, "inf" / "-inf"; a complex is [re, im];
an array is the flat list of its elements (first dimension fastest, as in
VOTable), a masked element null.
strict: parse with verify="exception" and report every warning, so that a
file astropy has anything to say about fails the test.
"""
import json
import math
import sys
import warnings

import numpy as np
from astropy.io.votable import parse


def number(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (complex, np.complexfloating)):
        return [number(v.real), number(v.imag)]
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return None
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return f
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, str):
        return v
    raise TypeError(f"unexpected cell element {v!r} ({type(v)})")


def elements(value, mask):
    data = np.asarray(value).ravel(order="C")
    m = np.broadcast_to(np.asarray(mask, dtype=bool), np.shape(value)).ravel(order="C") \
        if mask is not None and np.ndim(mask) else np.zeros(data.shape, dtype=bool)
    return [None if mk else number(x) for x, mk in zip(data, m)]


def cell(col, mask, i):
    v = col[i]
    mk = mask[i] if mask is not None else False
    if isinstance(v, (str, bytes)):
        return None if bool(np.all(mk)) else number(v)
    if isinstance(v, np.ma.MaskedArray):   # variable-length array
        if np.ndim(mk) == 0 and bool(mk):
            return None
        return elements(v.data, np.ma.getmaskarray(v))
    if isinstance(v, np.ndarray):
        if v.dtype == object:
            return None if bool(np.all(mk)) else elements(v, None)
        mk = np.asarray(mk, dtype=bool)
        if v.size and mk.shape == v.shape and mk.all():
            return None
        return elements(v, mk)
    if np.ndim(mk) == 0 and bool(mk):
        return None
    return number(v)


def dump(path, strict):
    out = {"file": path, "warnings": []}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            vot = parse(path, verify="exception" if strict else "ignore")
        out["warnings"] = [str(w.message) for w in caught]
        tables = []
        for t in vot.iter_tables():
            a = t.array
            cols = []
            for k, f in enumerate(t.fields):
                name = a.dtype.names[k]
                data = a.data[name]
                mask = a.mask[name] if a.mask is not np.ma.nomask else None
                cols.append([cell(data, mask, i) for i in range(len(a))])
            tables.append({"name": t.name, "columns": cols,
                           "fields": [{"name": f.name, "datatype": f.datatype,
                                       "arraysize": f.arraysize} for f in t.fields]})
        out["tables"] = tables
    except Exception as e:  # reported to the Go test, which fails on it
        return {"file": path, "error": f"{type(e).__name__}: {e}"}
    return out


def main():
    job = json.load(sys.stdin)
    for w in job.get("write", []):
        with warnings.catch_warnings():
            # W39 "Bit values can not be masked": BINARY has no null bit.
            warnings.simplefilter("ignore")
            vot = parse(w["src"], verify="exception")
            for t in vot.iter_tables():
                t.format = w["format"]
            vot.to_xml(w["out"])
    dumps = [dump(d["file"], d.get("strict", False)) for d in job.get("dump", [])]
    json.dump({"dumps": dumps}, sys.stdout)


if __name__ == "__main__":
    main()
