# 14. Reacting to SAMP messages: a client that accepts table.load.votable
#     (reads the table from its URL, keeps it by table-id, answers samp.ok)
#     and on table.highlight.row for that table searches around the row
#     (2MASS cone search, AllWISE by TAP, within 60 arcsec), sends the
#     tables to TOPCAT, points Aladin there and sends it the image holding
#     the position. For make course it quits after the first highlight;
#     the messages come from a real JSAMP peer ($COURSE_TRIGGER NAME).
import os
import subprocess
import threading
import urllib.parse
import pyvo
from astropy.table import Table
from samphelp import samp_accessible, send, send_image, send_table
from tb import OUT, SCS, SIA1, TAP
R = 60 / 3600
tables, done = {}, threading.Event()
with samp_accessible("pyref14", callable=True) as conn:
    def on_load(private_key, sender_id, msg_id, mtype, params, extra):
        tables[params.get("table-id", params["url"])] = Table.read(urllib.parse.urlparse(params["url"]).path)
        conn.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {}})

    def on_highlight(private_key, sender_id, msg_id, mtype, params, extra):
        row = tables[params.get("table-id", params.get("url"))][int(params["row"])]
        conn.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {}})
        threading.Thread(target=vicinity, args=(float(row["ra"]), float(row["dec"]))).start()

    def vicinity(ra, dec):
        try:
            send(conn, "coord.pointAt.sky", {"ra": str(ra), "dec": str(dec)}, to="aladin")
            t = pyvo.dal.SCSService(SCS["twomass"]).search(pos=(ra, dec), radius=R, maxrec=2000).to_table()
            send_table(conn, t, "2MASS", os.path.join(OUT, "2mass.xml"), to="topcat")
            t = pyvo.dal.TAPService(TAP).run_sync("SELECT * FROM allwise.source WHERE 1=CONTAINS(POINT('ICRS', ra, dec), "
                                                  "CIRCLE('ICRS', %r, %r, %r))" % (ra, dec, R), maxrec=2000).to_table()
            send_table(conn, t, "AllWISE", os.path.join(OUT, "allwise.xml"), to="topcat")
            images = [r for r in pyvo.dal.SIAService(SIA1).search(pos=(ra, dec), size=2 * R) if "fits" in r.format]
            best = min(images, key=lambda r: (r.pos.ra.deg - ra) ** 2 + (r.pos.dec.deg - dec) ** 2)
            path = os.path.abspath(best.make_dataset_filename(OUT))
            best.cachedataset(path)  # Aladin 12 cannot read the testbed's URLs itself
            send_image(conn, "file://" + path, best.title, to="aladin")
        finally:
            done.set()

    conn.bind_receive_call("table.load.votable", on_load)
    conn.bind_receive_call("table.highlight.row", on_highlight)
    subprocess.run([os.environ["COURSE_TRIGGER"], "pyref14"], check=True)
    done.wait(120)
