# 12. Spectra for interesting positions: the ObsCore services of the
#     Registry that take uploads, an ADQL join of ivoa.obscore with the
#     uploaded positions, each spectrum sent to SPLAT as it comes in;
#     failures reported, the others go on.
import os
import pyvo
from samphelp import samp_accessible, send_spectrum
from tb import TAP, OUT, use_testbed_registry
use_testbed_registry()
positions = pyvo.dal.TAPService(TAP).run_sync("SELECT designation, ra, dec FROM twomass.psc WHERE "
    "1=CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 150, 2, 0.02))").to_table()
query = ("SELECT o.* FROM ivoa.obscore AS o JOIN TAP_UPLOAD.pos AS p ON 1=CONTAINS(POINT('ICRS', o.s_ra, o.s_dec), "
         "CIRCLE('ICRS', p.ra, p.dec, %f)) WHERE o.dataproduct_type='spectrum'" % (36 / 3600))
sent = set()
with samp_accessible() as conn:
    for res in pyvo.regsearch(datamodel="obscore", servicetype="tap"):
        svc = res.service
        try:
            if not svc.upload_methods:
                print("no upload:", res.ivoid)
                continue
            for rec in svc.run_sync(query, uploads={"pos": positions}):
                url = rec["access_url"]
                if url not in sent:
                    sent.add(url)
                    send_spectrum(conn, url, str(rec["obs_publisher_did"]), {"Access.Format": rec["access_format"]}, to="splat")
        except Exception as e:
            print("failed:", res.ivoid, e)
