"""Testbed URLs shared by the pyvo reference scripts (DaCHS on 127.0.0.1:8080)."""
import os
import sys
import warnings

warnings.simplefilter("ignore")
BASE = os.environ.get("TESTBED", "http://127.0.0.1:8080")
TAP = BASE + "/tap"
SIA1 = BASE + "/images/q/siap/siap.xml"
SIA2 = BASE + "/__system__/siap2/sitewide/siap2.xml"
SSA = BASE + "/spectra/q/ssa/ssap.xml"
SCS = {n: BASE + "/%s/q/cone/scs.xml" % n for n in ("twomass", "allwise", "sdss")}
IMAGES_DL = BASE + "/images/q/dl/dlmeta"
OUT = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(OUT, exist_ok=True)


def use_testbed_registry():
    import pyvo.registry.regtap as regtap
    regtap.REGISTRY_BASEURL = TAP


def offline_vocabularies():
    """pyvo fetches the DataLink core vocabulary from www.ivoa.net; loopback
    only here, so the testbed's stand-in goes into astropy's cache."""
    import json
    import tempfile
    from astropy.utils.data import import_file_to_cache, is_url_in_cache
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "testbed"))
    from make_vocab_stubs import VOCABULARIES
    for name, voc in VOCABULARIES.items():
        url = "http://www.ivoa.net/rdf/" + name
        if is_url_in_cache(url):
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(voc, f)
        import_file_to_cache(url, f.name, remove_original=True)


offline_vocabularies()
