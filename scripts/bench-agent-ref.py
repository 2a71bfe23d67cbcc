"""Reference for scripts/bench-agent.sh: the agent's highlight path written
with astropy.samp and pyvo. It registers as "pyref"; on table.load.votable
it reads the table; on table.highlight.row it answers, then searches the
2MASS cone search and the AllWISE TAP table around the row (radius RADIUS
arcsec) and sends each non-empty answer to the client named "topcat" with
table.load.votable. It runs until SIGTERM.

Usage: bench-agent-ref.py SCS_URL TAP_URL TAP_TABLE RADIUS_ARCSEC DIR
"""
import os
import signal
import sys
import threading
import urllib.parse
import warnings

warnings.simplefilter("ignore")
import pyvo
from astropy.samp import SAMPIntegratedClient
from astropy.table import Table

scs_url, tap_url, tap_table, radius, outdir = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]) / 3600, sys.argv[5]
tables = {}
client = SAMPIntegratedClient(name="pyref")
client.connect()
scs = pyvo.dal.SCSService(scs_url)
tap = pyvo.dal.TAPService(tap_url)
count = [0]


def topcat():
    for cid in client.get_registered_clients():
        if client.get_metadata(cid).get("samp.name") == "topcat":
            return cid
    return None


def send(table, label):
    count[0] += 1
    path = os.path.join(outdir, "pyref-%d.xml" % count[0])
    table.write(path, format="votable", overwrite=True)
    to = topcat()
    if to:
        client.call_and_wait(to, {"samp.mtype": "table.load.votable",
                                  "samp.params": {"url": "file://" + path, "name": label}}, "30")


def on_load(private_key, sender_id, msg_id, mtype, params, extra):
    path = urllib.parse.urlparse(params["url"]).path
    tables[params.get("table-id", params["url"])] = Table.read(path, format="votable")
    client.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {}})


def on_highlight(private_key, sender_id, msg_id, mtype, params, extra):
    t = tables[params.get("table-id", params.get("url"))]
    row = int(params["row"])
    client.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {}})
    ra, dec = float(t["ra"][row]), float(t["dec"][row])
    r = scs.search(pos=(ra, dec), radius=radius).to_table()
    if len(r):
        send(r, "2MASS")
    q = ("SELECT TOP 2000 * FROM %s WHERE 1=CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', %r, %r, %r))"
         % (tap_table, ra, dec, radius))
    r = tap.run_sync(q).to_table()
    if len(r):
        send(r, "AllWISE")


client.bind_receive_call("table.load.votable", on_load)
client.bind_receive_call("table.highlight.row", on_highlight)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
stop.wait()
client.disconnect()
