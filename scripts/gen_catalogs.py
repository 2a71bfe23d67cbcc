#!/usr/bin/python3
"""Deterministic synthetic catalogues for the cross-match tests and benchmarks.

  /usr/bin/python3 scripts/gen_catalogs.py --n 1M --outdir DIR [--ncat 3]
        [--field sky|box] [--formats binary2,binary,csv] [--tag TAG]

Catalogue a: N sources uniform on the sphere (or in a box --size degrees
wide around --ra0 --dec0). Catalogues b (and c): a random 70% of a, moved
by a Gaussian of 0.3 arcsec per axis on the tangent plane, plus 30%
unrelated sources, rows shuffled. Columns: id (long, meta.id;meta.main),
ra/dec (double, deg, pos.eq.ra/dec;meta.main) and three magnitudes (float,
phot.mag;em...). Positions are rounded to 1e-10 deg and magnitudes to
1e-4, so CSV and VOTable files hold the same values.

With the default seed the data are the same, value for value, as those of
the reference benchmarks (../shared/bench, numpy's generator called in the
same order), so their figures apply: 1M x 1M at 1 arcsec gives 697336 best
matches and 697345 pairs. The VOTables (BINARY2 or BINARY) are encoded here
with numpy, which takes seconds where astropy's writer takes half a minute
per million rows. Needs numpy only.

Outputs in --outdir: {a,b,c}_TAG.binary2.vot (.binary.vot), {a,b,c}_TAG.csv,
gen_TAG.json (parameters, and true pairs within 1 arcsec).
"""
import argparse
import base64
import json
import os
import time

import numpy as np

ARCSEC = np.pi / 180 / 3600
MAGS = {
    "a": [("jmag", "phot.mag;em.IR.J"), ("hmag", "phot.mag;em.IR.H"),
          ("kmag", "phot.mag;em.IR.K")],
    "b": [("w1mag", "phot.mag;em.IR.3-4um"), ("w2mag", "phot.mag;em.IR.4-8um"),
          ("w3mag", "phot.mag;em.IR.8-15um")],
    "c": [("bmag", "phot.mag;em.opt.B"), ("vmag", "phot.mag;em.opt.V"),
          ("rmag", "phot.mag;em.opt.R")],
}
ID_OFFSET = {"a": 0, "b": 10_000_000_000, "c": 20_000_000_000}
DESCR = {"a": "synthetic base catalogue (NIR-like)",
         "b": "synthetic derived catalogue (MIR-like)",
         "c": "synthetic derived catalogue (optical-like)"}


def parse_size(s):
    s = s.strip()
    mult = {"k": 1000, "m": 1_000_000}.get(s[-1].lower(), 1)
    return int(float(s[:-1] if mult > 1 else s) * mult)


def size_tag(n):
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def positions(rng, n, args):
    if args.field == "sky":
        ra = rng.uniform(0.0, 360.0, n)
        dec = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
        return ra, dec
    h = args.size / 2.0
    s1, s2 = np.sin(np.radians(args.dec0 - h)), np.sin(np.radians(args.dec0 + h))
    dec = np.degrees(np.arcsin(rng.uniform(s1, s2, n)))
    ra = (args.ra0 + rng.uniform(-h, h, n) / np.cos(np.radians(args.dec0))) % 360.0
    return ra, dec


def perturb(rng, ra, dec, sigma):
    """Gaussian tangent-plane offsets of sigma arcsec per axis."""
    a, d = np.radians(ra), np.radians(dec)
    ca, sa, cd, sd = np.cos(a), np.sin(a), np.cos(d), np.sin(d)
    p = np.stack([cd * ca, cd * sa, sd])
    east = np.stack([-sa, ca, np.zeros_like(a)])
    north = np.stack([-sd * ca, -sd * sa, cd])
    g = rng.normal(0.0, sigma * ARCSEC, (2, ra.size))
    q = p + g[0] * east + g[1] * north
    q /= np.linalg.norm(q, axis=0)
    sep = np.degrees(2 * np.arcsin(np.linalg.norm(q - p, axis=0) / 2)) * 3600
    return (np.degrees(np.arctan2(q[1], q[0])) % 360.0,
            np.degrees(np.arctan2(q[2], np.hypot(q[0], q[1]))), sep)


def base_catalogue(rng, n, args):
    ra, dec = positions(rng, n, args)
    j = 12.0 + 8.0 * rng.beta(3.0, 1.2, n)
    h = j - 0.45 + rng.normal(0, 0.15, n)
    k = h - 0.20 + rng.normal(0, 0.10, n)
    return dict(ra=ra, dec=dec, m=[j, h, k])


def derived_catalogue(rng, base, n, args, which):
    nm = int(round(args.match_frac * n))
    nu = n - nm
    src = np.sort(rng.choice(n, nm, replace=False))
    ra_m, dec_m, sep = perturb(rng, base["ra"][src], base["dec"][src], args.sigma)
    ra_u, dec_u = positions(rng, nu, args)
    if which == "b":
        m1 = base["m"][2][src] - 0.3 + rng.normal(0, 0.1, nm)
        m2 = m1 - 0.1 + rng.normal(0, 0.1, nm)
        m3 = m2 - 0.5 + rng.normal(0, 0.3, nm)
    else:
        m2 = base["m"][0][src] + 1.6 + rng.normal(0, 0.2, nm)
        m1 = m2 + 0.6 + rng.normal(0, 0.2, nm)
        m3 = m2 - 0.4 + rng.normal(0, 0.1, nm)
    mu = 13.0 + 8.0 * rng.beta(3.0, 1.2, nu)
    mags = [np.concatenate([m, mu + off + rng.normal(0, 0.2, nu)])
            for m, off in zip((m1, m2, m3), (0.0, -0.1, -0.6))]
    perm = rng.permutation(n)
    return dict(ra=np.concatenate([ra_m, ra_u])[perm],
                dec=np.concatenate([dec_m, dec_u])[perm],
                m=[x[perm] for x in mags],
                sep=np.concatenate([sep, np.full(nu, np.nan)])[perm])


def columns(cat, which, n):
    cols = [("id", np.arange(1, n + 1, dtype=np.int64) + ID_OFFSET[which]),
            ("ra", np.round(cat["ra"], 10)), ("dec", np.round(cat["dec"], 10))]
    for (name, _), v in zip(MAGS[which], cat["m"]):
        cols.append((name, np.round(v, 4).astype(np.float32)))
    return cols


def write_csv(cols, path):
    fmt = ",".join(["%d", "%.10f", "%.10f"] + ["%.4f"] * (len(cols) - 3))
    data = np.column_stack([np.asarray(v, dtype=np.float64) for _, v in cols])
    with open(path, "w") as f:
        f.write(",".join(name for name, _ in cols) + "\n")
        np.savetxt(f, data, fmt=fmt)


def write_votable(cols, which, path, ser):
    ucds = {"id": "meta.id;meta.main", "ra": "pos.eq.ra;meta.main",
            "dec": "pos.eq.dec;meta.main"}
    ucds.update(dict(MAGS[which]))
    units = {"ra": "deg", "dec": "deg"}
    fields = []
    for name, v in cols:
        dt = {np.dtype(np.int64): "long", np.dtype(np.float64): "double",
              np.dtype(np.float32): "float"}[v.dtype]
        unit = units.get(name, "mag" if name.endswith("mag") else "")
        extra = f' unit="{unit}"' if unit else ""
        desc = "<DESCRIPTION>source identifier</DESCRIPTION>" if name == "id" else ""
        fields.append(f'   <FIELD name="{name}" datatype="{dt}" ucd="{ucds[name]}"{extra}>'
                      f'{desc}</FIELD>' if desc else
                      f'   <FIELD name="{name}" datatype="{dt}" ucd="{ucds[name]}"{extra}/>')
    tag = "BINARY2" if ser == "binary2" else "BINARY"
    head = (f'<?xml version="1.0" encoding="utf-8"?>\n'
            f'<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">\n'
            f' <RESOURCE type="results">\n'
            f'  <TABLE name="cat_{which}">\n'
            f'   <DESCRIPTION>{DESCR[which]}</DESCRIPTION>\n'
            + "\n".join(fields) + "\n"
            f'   <DATA>\n    <{tag}>\n     <STREAM encoding="base64">\n')
    tail = f'\n     </STREAM>\n    </{tag}>\n   </DATA>\n  </TABLE>\n </RESOURCE>\n</VOTABLE>\n'
    dtype = ([("flags", "u1")] if ser == "binary2" else []) + \
        [(name, v.dtype.newbyteorder(">")) for name, v in cols]
    n = len(cols[0][1])
    chunk = 3 * 19 * 1024  # a multiple of 3 rows keeps the base64 chunks joinable
    with open(path, "w") as f:
        f.write(head)
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            rec = np.zeros(e - s, dtype=dtype)
            for name, v in cols:
                rec[name] = v[s:e]
            f.write(base64.b64encode(rec.tobytes()).decode("ascii"))
        f.write(tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", default="100k", help="rows per catalogue, e.g. 10k, 1M")
    ap.add_argument("--field", choices=["sky", "box"], default="sky")
    ap.add_argument("--ra0", type=float, default=150.0)
    ap.add_argument("--dec0", type=float, default=2.0)
    ap.add_argument("--size", type=float, default=10.0, help="box side (deg)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--ncat", type=int, default=3, choices=[2, 3])
    ap.add_argument("--match-frac", type=float, default=0.7)
    ap.add_argument("--sigma", type=float, default=0.3, help="arcsec per axis")
    ap.add_argument("--formats", default="binary2,csv")
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--tag", default=None)
    args = ap.parse_args()

    n = parse_size(args.n)
    tag = args.tag or (size_tag(n) + ("" if args.field == "sky" else "box"))
    formats = [f for f in args.formats.split(",") if f]
    for f in formats:
        if f not in ("binary2", "binary", "csv"):
            raise SystemExit(f"unknown format {f!r} (binary2, binary, csv)")
    os.makedirs(args.outdir, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    cats = {"a": base_catalogue(rng, n, args)}
    info = dict(n=n, tag=tag, field=args.field, seed=args.seed, sigma_arcsec=args.sigma,
                match_frac=args.match_frac, files={})
    for which in ["b", "c"][: args.ncat - 1]:
        cats[which] = derived_catalogue(rng, cats["a"], n, args, which)
        info[f"{which}_true_pairs_within_1as"] = int(np.sum(cats[which]["sep"] < 1.0))
    for which, cat in cats.items():
        cols = columns(cat, which, n)
        for fmt in formats:
            path = os.path.join(args.outdir, f"{which}_{tag}.csv" if fmt == "csv"
                                else f"{which}_{tag}.{fmt}.vot")
            if fmt == "csv":
                write_csv(cols, path)
            else:
                write_votable(cols, which, path, fmt)
            info["files"][os.path.basename(path)] = os.path.getsize(path)
    info["seconds"] = round(time.perf_counter() - t0, 2)
    with open(os.path.join(args.outdir, f"gen_{tag}.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(json.dumps({k: v for k, v in info.items() if k != "files"}))


if __name__ == "__main__":
    main()
