#!/usr/bin/python3
"""Writes offline stand-ins for the IVOA vocabularies GAVO DaCHS downloads
from www.ivoa.net (subjects from the UAT, datalink semantics) into DaCHS'
cache directory, so that publishing and validation work without internet.
Only the terms the testbed uses are included; existing files are kept.

Usage: make_vocab_stubs.py CACHEDIR
"""
import json
import os
import sys


def term(label, wider=(), narrower=()):
    return {"label": label, "description": label,
            "wider": list(wider), "narrower": list(narrower)}


VOCABULARIES = {
    "uat": {"flavour": "RDF Class", "terms": {
        k: term(v) for k, v in {
            "catalogs": "Catalogs",
            "infrared-photometry": "Infrared photometry",
            "optical-astronomy": "Optical astronomy",
            "spectroscopy": "Spectroscopy",
            "stars": "Stars",
            "planetary-science": "Planetary science",
            "solar-system-astronomy": "Solar system astronomy",
            "astronomical-object-identification":
                "Astronomical object identification",
        }.items()}},
    "datalink/core": {"flavour": "RDF Property", "terms": {
        "this": term("The primary data"),
        "preview": term("Preview"),
        "progenitor": term("Progenitor"),
        "auxiliary": term("Auxiliary"),
        "calibration": term("Calibration", narrower=["bias", "dark", "flat"]),
        "bias": term("Bias", wider=["calibration"]),
        "dark": term("Dark", wider=["calibration"]),
        "flat": term("Flat", wider=["calibration"]),
        "cutout": term("Cutout"),
        "proc": term("Processed"),
        "documentation": term("Documentation"),
        "coderived": term("Coderived"),
        "derivation": term("Derivation"),
        "counterpart": term("Counterpart"),
    }},
}


def defuse(url):
    # the file name DaCHS uses for a cached URL (gavo.utils.defuseFileName)
    return url.replace("=", "=3D").replace("/", "=2F")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_vocab_stubs.py CACHEDIR")
    cache = sys.argv[1]
    os.makedirs(cache, exist_ok=True)
    for name, voc in VOCABULARIES.items():
        url = "http://www.ivoa.net/rdf/" + name
        dest = os.path.join(cache, defuse(url))
        if os.path.exists(dest):
            continue
        with open(dest, "w", encoding="utf-8") as f:
            json.dump(dict(voc, uri=url), f)


if __name__ == "__main__":
    main()
