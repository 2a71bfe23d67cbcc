"""Writes FITS binary tables with astropy.io.fits and dumps what astropy
reads back from them, as the oracle of vo/fits's tests.

usage: astropy_oracle.py OUTDIR   ->  OUTDIR/every.fits, OUTDIR/every.json
"""
import json
import math
import sys

import numpy as np
from astropy.io import fits

out = sys.argv[1]
rng = np.random.default_rng(15)
n = 7

cols = [
    fits.Column(name="flag", format="L", array=np.array([True, False] * 3 + [True])),
    fits.Column(name="flags3", format="3L", array=rng.integers(0, 2, (n, 3)).astype(bool)),
    fits.Column(name="bits", format="11X", array=rng.integers(0, 2, (n, 11)).astype(bool)),
    fits.Column(name="bit1", format="1X", array=np.array([[True], [False], [True], [True], [False], [False], [True]])),
    fits.Column(name="ub", format="B", null=255, array=np.array([0, 1, 254, 255, 7, 8, 9], dtype=np.uint8)),
    # signed bytes: astropy 5.2 writes int8 as L, so the raw bytes are
    # written and TZERO = -128 set afterwards
    fits.Column(name="sb", format="B", array=(np.array([-128, -1, 0, 1, 127, 5, -5]) + 128).astype(np.uint8)),
    fits.Column(name="i16", format="I", null=-32768, unit="adu", disp="I6",
                array=np.array([-32768, -1, 0, 1, 32767, 12, -12], dtype=np.int16)),
    fits.Column(name="u16", format="I", bzero=32768, array=np.array([0, 1, 32767, 32768, 65535, 3, 4], dtype=np.uint16)),
    fits.Column(name="i32", format="J", null=-999, array=np.array([-2**31, -999, 0, 1, 2**31 - 1, 5, 6], dtype=np.int32)),
    fits.Column(name="u32", format="J", bzero=2**31, array=np.array([0, 1, 2**31 - 1, 2**31, 2**32 - 1, 9, 10], dtype=np.uint32)),
    fits.Column(name="i64", format="K", null=-1, array=np.array([-2**63, -1, 0, 1, 2**63 - 1, 2**53 + 1, 3], dtype=np.int64)),
    fits.Column(name="u64", format="K", bzero=2**63, array=np.array([0, 1, 2**63 - 1, 2**63, 2**64 - 1, 2**53, 8], dtype=np.uint64)),
    fits.Column(name="e", format="E", unit="mag", disp="F8.3", array=np.array([1.5, -2.25, np.nan, np.inf, 3.4e38, 1e-30, 0], dtype=np.float32)),
    fits.Column(name="d", format="D", unit="deg", disp="E15.7", array=np.array([math.pi, -1e300, np.nan, -np.inf, 5e-324, 0, 2], dtype=np.float64)),
    # scaled integers: raw values written, TSCAL/TZERO set afterwards (astropy
    # 5.2 cannot write float arrays into scaled J columns)
    fits.Column(name="scaled", format="J", null=-2147483648,
                array=np.array([0, 1500, -1, -2147483648, 100000, 2, -49500], dtype=np.int32)),
    fits.Column(name="scaled16", format="I", array=np.array([0, 1, -2, 4, 3, 10, -1], dtype=np.int16)),
    fits.Column(name="c", format="C", array=np.array([1 + 2j, -1.5j, 0, 3, np.nan, 2 - 2j, 1j], dtype=np.complex64)),
    fits.Column(name="m", format="M", array=np.array([1 + 2j, -1e300j, 0, 3, 1j, 2 - 2j, 5], dtype=np.complex128)),
    fits.Column(name="s", format="8A", array=np.array(["abc", "", "12345678", "a b", "x", "yy", "zzz"])),
    fits.Column(name="e3", format="3E", array=rng.normal(size=(n, 3)).astype(np.float32)),
    fits.Column(name="j23", format="6J", dim="(2,3)", array=rng.integers(-100, 100, (n, 3, 2)).astype(np.int32)),
    fits.Column(name="k2", format="2K", null=0, array=rng.integers(-5, 5, (n, 2)).astype(np.int64)),
    fits.Column(name="vj", format="PJ()", array=np.array([np.arange(i, dtype=np.int32) * 3 - 2 for i in range(n)], dtype=object)),
    fits.Column(name="vd", format="QD()", array=np.array([rng.normal(size=(i * 2) % 5) for i in range(n)], dtype=object)),
    fits.Column(name="ve", format="PE()", array=np.array([np.arange(i % 3, dtype=np.float32) / 4 for i in range(n)], dtype=object)),
    fits.Column(name="vb", format="PB()", array=np.array([np.arange(i, dtype=np.uint8) for i in range(n)], dtype=object)),
    fits.Column(name="vi", format="PI()", array=np.array([np.arange(i, dtype=np.int16) - 3 for i in range(n)], dtype=object)),
    fits.Column(name="vk", format="QK()", array=np.array([np.arange(i, dtype=np.int64) * 10**12 for i in range(n)], dtype=object)),
    fits.Column(name="vc", format="PC()", array=np.array([np.arange(i % 3, dtype=np.complex64) * (1 + 1j) for i in range(n)], dtype=object)),
    fits.Column(name="vm", format="QM()", array=np.array([np.arange(i % 2 + 1, dtype=np.complex128) * 1j for i in range(n)], dtype=object)),
    fits.Column(name="vl", format="PL()", array=np.array([np.array([True, False, True][: i % 4]) for i in range(n)], dtype=object)),
    fits.Column(name="va", format="PA()", array=np.array(["", "a", "bc", "def", "long string here", "x", "end"], dtype=object)),
]
hdu = fits.BinTableHDU.from_columns(cols, name="EVERY")
hdu.header["TUCD1"] = "meta.code"
hdu.header["TCOMM5"] = "an unsigned byte with a null"
path = out + "/every.fits"
fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(np.zeros((3, 4), dtype=np.int16)), hdu]).writeto(path, overwrite=True)
with fits.open(path, mode="update") as hl:
    h = hl[2].header
    h["TZERO6"] = -128
    h["TSCAL15"], h["TZERO15"] = 0.001, 100.0
    h["TSCAL16"] = 2.5


def plain(v):
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("ascii")
    if isinstance(v, str):
        return v
    if isinstance(v, (np.ndarray, list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, (np.complexfloating, complex)):
        return [plain(float(v.real)), plain(float(v.imag))]
    f = float(v)
    if math.isnan(f) or math.isinf(f):
        return repr(f)
    return f


with fits.open(path) as hl:
    t = hl[2]
    data = t.data
    dump = {"extname": t.header.get("EXTNAME"), "rows": len(data), "columns": []}
    for i, c in enumerate(t.columns):
        vals = []
        raw = data.base[c.name] if c.null is not None else None
        for r in range(len(data)):
            v = data[c.name][r]
            null = c.null is not None and np.ndim(raw[r]) == 0 and raw[r] == c.null
            vals.append(None if null else plain(v))
        dump["columns"].append({"name": c.name, "format": str(c.format), "unit": c.unit or "",
                                "disp": c.disp or "", "null": None if c.null is None else int(c.null),
                                "ucd": t.header.get("TUCD%d" % (i + 1), ""), "values": vals})
with open(out + "/every.json", "w") as f:
    json.dump(dump, f)
