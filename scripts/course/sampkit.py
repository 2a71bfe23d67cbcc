#!/usr/bin/python3
"""SAMP tools for make course (astropy.samp at /usr/bin/python3), on the hub
that $SAMP_HUB names.

sampkit.py wait NAME [SECONDS]      until a client with that samp.name (any
                                    case) is registered
sampkit.py record NAME LOG MTYPE... a stand-in client (e.g. "splat"): replies
                                    samp.ok to every message of the MTypes and
                                    writes one JSON line per message to LOG,
                                    until SIGTERM
sampkit.py topcat-count             how many tables TOPCAT holds (asked with
                                    TOPCAT's table.get.stil, index 1, 2, ...)
sampkit.py topcat-get FROM DIR      TOPCAT's tables after the first FROM, each
                                    written as DIR/NN.xml (VOTable, fetched
                                    from TOPCAT's own server); prints the count
sampkit.py aladin SCRIPT            runs an Aladin script command
                                    (script.aladin.send), prints its result
sampkit.py aladin-planes          Aladin's image planes (its status), one line
                                    each: target, size, pixel scale and the
                                    SHA-256 of what its URL points to, sorted
sampkit.py urls LOG                 the MType of every message in a record LOG
                                    with the SHA-256 of what its url points
                                    to, sorted: what a receiver got, as content
"""
import hashlib
import json
import os
import signal
import sys
import threading
import time
import urllib.request
import warnings

warnings.simplefilter("ignore")
from astropy.samp import SAMPIntegratedClient  # noqa: E402

TIMEOUT = "60"


def connect(name="course-probe", callable=False):
    c = SAMPIntegratedClient(name=name, callable=callable)
    c.connect()
    return c


def find(c, name):
    """The id of the client whose samp.name is name (any case), or None."""
    for cid in c.get_registered_clients():
        try:
            n = c.get_metadata(cid).get("samp.name", "")
        except Exception:
            continue
        if n.lower() == name.lower():
            return cid
    return None


def call(c, cid, mtype, params):
    return c.call_and_wait(cid, {"samp.mtype": mtype, "samp.params": params}, TIMEOUT)


def wait(name, seconds=90):
    deadline = time.time() + float(seconds)
    while time.time() < deadline:
        try:
            c = connect()
            try:
                if find(c, name):
                    return 0
            finally:
                c.disconnect()
        except Exception:
            pass
        time.sleep(0.5)
    sys.exit("sampkit: %s did not register within %s s" % (name, seconds))


def record(name, log, mtypes):
    c = connect(name, callable=True)
    lock = threading.Lock()
    out = open(log, "a", buffering=1)

    def got(kind):
        def handler(private_key, sender_id, msg_id, mtype, params, extra):
            with lock:
                out.write(json.dumps({"t": time.time(), "kind": kind, "sender": sender_id,
                                      "mtype": mtype, "params": params}) + "\n")
            if msg_id is not None:
                c.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {}})
        return handler

    for mt in mtypes:
        c.bind_receive_call(mt, got("call"))
        c.bind_receive_notification(mt, got("notify"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    c.disconnect()


def topcat_table(c, tc, index):
    """TOPCAT's table number index as a VOTable (bytes), or None when it has none."""
    try:
        r = call(c, tc, "table.get.stil", {"index": str(index), "format": "votable"})
    except Exception:
        return None
    url = r.get("samp.result", {}).get("url")
    if r.get("samp.status") != "samp.ok" or not url:
        return None
    with urllib.request.urlopen(url, timeout=60) as f:
        return f.read()


def topcat_count():
    c = connect()
    try:
        tc = find(c, "topcat")
        n = 0
        while topcat_table(c, tc, n + 1) is not None:
            n += 1
        print(n)
    finally:
        c.disconnect()


def topcat_get(start, d):
    os.makedirs(d, exist_ok=True)
    c = connect()
    try:
        tc = find(c, "topcat")
        n = int(start)
        got = 0
        while True:
            doc = topcat_table(c, tc, n + 1)
            if doc is None:
                break
            n += 1
            got += 1
            with open(os.path.join(d, "%02d.xml" % got), "wb") as f:
                f.write(doc)
        print(got)
    finally:
        c.disconnect()


def aladin(script):
    c = connect()
    try:
        r = call(c, find(c, "aladin"), "script.aladin.send", {"script": script})
        if r.get("samp.status") != "samp.ok":
            sys.exit("sampkit: Aladin: %s" % r)
        print(r.get("samp.result", {}).get("script.result", ""))
    finally:
        c.disconnect()


def sha_of(url):
    with urllib.request.urlopen(url.replace("file:///", "file:/"), timeout=60) as f:
        return hashlib.sha256(f.read()).hexdigest()


def aladin_planes():
    c = connect()
    try:
        r = call(c, find(c, "aladin"), "script.aladin.send", {"script": "status"})
    finally:
        c.disconnect()
    planes, cur = [], None
    for line in r.get("samp.result", {}).get("script.result", "").splitlines():
        k, _, v = line.partition(" ")
        if k == "PlaneID":
            cur = {}
            planes.append(cur)
        elif k == "ViewID":
            cur = None
        elif cur is not None and k:
            cur[k] = v.strip()
    out = []
    for p in planes:
        if p.get("Type") != "Image":
            continue
        out.append("|".join([p.get("Target", ""), p.get("Width", ""), p.get("Height", ""),
                             p.get("PixelRes", "").split('"')[0], sha_of(p.get("Url", ""))]))
    print("\n".join(sorted(out)))


def urls(log):
    rows = []
    for line in open(log):
        m = json.loads(line)
        url = m["params"].get("url", "")
        rows.append("%s %s" % (m["mtype"], sha_of(url)))
    print("\n".join(sorted(rows)))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "wait":
        wait(*args)
    elif cmd == "record":
        record(args[0], args[1], args[2:])
    elif cmd == "topcat-count":
        topcat_count()
    elif cmd == "topcat-get":
        topcat_get(args[0], args[1])
    elif cmd == "aladin":
        aladin(" ".join(args))
    elif cmd == "aladin-planes":
        aladin_planes()
    elif cmd == "urls":
        urls(args[0])
    else:
        sys.exit(__doc__)
