"""The SAMP part of the course's helper module ("vohelper"), with
astropy.samp: a connection as a context (always disconnected), a client
found by its samp.name, and tables, images, spectra sent to one client or
to every subscriber. Each call waits for the receiver's answer and fails
unless it is samp.ok."""
import contextlib
import os
from astropy.samp import SAMPIntegratedClient


@contextlib.contextmanager
def samp_accessible(name="pyvo-course", optional=False, **kw):
    """optional: without a hub named by $SAMP_HUB (make course without its
    SAMP desktop) the connection is None and nothing is sent."""
    if optional and not os.environ.get("SAMP_HUB"):
        yield None
        return
    conn = SAMPIntegratedClient(name=name, **kw)
    conn.connect()
    try:
        yield conn
    finally:
        conn.disconnect()


def find_client(conn, name):
    for cid in conn.get_registered_clients():
        if conn.get_metadata(cid).get("samp.name", "").lower() == name.lower():
            return cid
    raise LookupError("no SAMP client named %s" % name)


def send(conn, mtype, params, to=None):
    if conn is None:
        return
    ids = [find_client(conn, to)] if to else list(conn.get_subscribed_clients(mtype))
    for cid in ids:
        r = conn.call_and_wait(cid, {"samp.mtype": mtype, "samp.params": params}, "60")
        if r.get("samp.status") != "samp.ok":
            raise RuntimeError("%s to %s: %s" % (mtype, cid, r))
        print("%s (%s): samp.ok" % (cid, to or mtype))


def send_table(conn, table, name, path, to=None):
    table.write(path, format="votable", overwrite=True)
    send(conn, "table.load.votable", {"url": "file://" + os.path.abspath(path), "name": name}, to)


def send_image(conn, url, name, to=None):
    send(conn, "image.load.fits", {"url": url, "name": name}, to)


def send_spectrum(conn, url, name, meta, to=None):
    send(conn, "spectrum.load.ssa-generic", {"url": url, "name": name, "meta": meta}, to)
