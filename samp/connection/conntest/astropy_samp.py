#!/usr/bin/python3
"""astropy.samp peer for voagent's SAMP tests and benchmark (run with /usr/bin/python3).

The hub is found from $SAMP_HUB (std-lockurl:file:///...). Subcommands:
  hub LOCKFILE          run an astropy hub; SIGTERM stops it cleanly (shutdown event, lockfile removed)
  peer NAME             callable client: prints its id, then one JSON line per message received;
                        answers test.echo with its params, samp.app.ping and coord.pointAt.sky
                        with samp.ok, test.fail with samp.error, table.load.*, image.load.fits and
                        spectrum.load.ssa-generic by reading the url (samp.ok with "bytes", or
                        samp.error); exits on SIGTERM or when stdin closes
  call NAME MTYPE [k=v ...]   callAndWait (10 s) to the client named NAME, prints the response as JSON
  notify NAME MTYPE [k=v ...] notification to the client named NAME
  bench NAME N          N callAndWait test.echo round trips then N notifications to NAME,
                        prints JSON rates
"""
import json
import signal
import sys
import threading
import time
import warnings

from astropy.samp import SAMPHubServer, SAMPIntegratedClient

warnings.simplefilter("ignore")


def params(args):
    out = {}
    for a in args:
        k, _, v = a.partition("=")
        out[k] = json.loads(v) if v[:1] in "[{" else v
    return out


def connect(name, callable_=False):
    c = SAMPIntegratedClient(name=name, metadata={"samp.description.text": "voagent test peer"},
                             callable=callable_)
    c.connect()
    return c


def close(c):
    try:
        if c.client.is_registered:
            c.client.unregister()
    except Exception:
        pass
    try:
        if c.client.is_running:
            c.client.stop()
    except Exception:
        pass


def find(c, name):
    for cid in c.get_registered_clients():
        if str(c.get_metadata(cid).get("samp.name", "")).lower() == name.lower():
            return cid
    raise SystemExit("no client named " + name)


def cmd_hub(lockfile):
    hub = SAMPHubServer(web_profile=False, lockfile=lockfile)
    stop = threading.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *a: stop.set())
    hub.start(wait=False)
    print("hub running", flush=True)
    while not stop.wait(0.1):
        pass
    hub.stop()


def cmd_peer(name):
    c = connect(name, True)
    lock = threading.Lock()
    counts = {"n": 0}

    def log(kind, sender, mtype, p):
        with lock:
            counts["n"] += 1
            print(json.dumps({"kind": kind, "sender": sender, "mtype": mtype, "params": p}), flush=True)

    def on_call(key, sender, msg_id, mtype, p, extra):
        if not mtype.startswith("test.") and mtype != "samp.app.ping":
            log("call", sender, mtype, p)
        if mtype == "test.fail":
            c.reply(msg_id, {"samp.status": "samp.error", "samp.result": {},
                             "samp.error": {"samp.errortxt": "test.fail asked for it"}})
        elif mtype.startswith(("table.load.", "image.load.", "spectrum.load.")):
            import urllib.request
            try:
                with urllib.request.urlopen(p["url"], timeout=30) as f:
                    n = len(f.read())
                c.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {"bytes": str(n)}})
            except Exception as e:
                c.reply(msg_id, {"samp.status": "samp.error", "samp.result": {},
                                 "samp.error": {"samp.errortxt": "cannot read %s: %s" % (p.get("url"), e)}})
        elif mtype == "test.count":
            c.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {"n": str(counts["n"])}})
        else:
            c.reply(msg_id, {"samp.status": "samp.ok", "samp.result": p if mtype == "test.echo" else {}})

    def on_notify(key, sender, mtype, p, extra):
        if mtype == "test.quiet":
            with lock:
                counts["n"] += 1
            return
        log("notify", sender, mtype, p)

    for mt in ("test.echo", "test.fail", "test.count", "samp.app.ping", "voagent.*",
               "table.load.votable", "table.load.fits", "image.load.fits", "spectrum.load.ssa-generic",
               "coord.pointAt.sky"):
        c.bind_receive_call(mt, on_call)
    for mt in ("test.notify", "test.quiet", "voagent.*"):
        c.bind_receive_notification(mt, on_notify)
    print(json.dumps({"id": c.get_public_id()}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    close(c)


def cmd_call(name, mtype, rest, notify=False):
    c = connect("astropy-sender")
    try:
        target = find(c, name)
        msg = {"samp.mtype": mtype, "samp.params": params(rest)}
        if notify:
            c.notify(target, msg)
            print(json.dumps({"notified": target}))
        else:
            print(json.dumps(c.call_and_wait(target, msg, "10")))
    finally:
        close(c)


def cmd_bench(name, n):
    c = connect("astropy-bench")
    try:
        target = find(c, name)
        for i in range(50):  # warm-up
            c.call_and_wait(target, {"samp.mtype": "test.echo", "samp.params": {"i": str(i)}}, "10")
        t0 = time.perf_counter()
        for i in range(n):
            r = c.call_and_wait(target, {"samp.mtype": "test.echo", "samp.params": {"i": str(i)}}, "10")
            if r.get("samp.status") != "samp.ok":
                raise SystemExit("bad response " + json.dumps(r))
        dt_call = time.perf_counter() - t0
        before = int(c.call_and_wait(target, {"samp.mtype": "test.count", "samp.params": {}}, "10")["samp.result"]["n"])
        t0 = time.perf_counter()
        for i in range(n):
            c.notify(target, {"samp.mtype": "test.quiet", "samp.params": {"i": str(i)}})
        while True:
            got = int(c.call_and_wait(target, {"samp.mtype": "test.count", "samp.params": {}}, "10")["samp.result"]["n"]) - before
            if got >= n or time.perf_counter() - t0 > 120:
                break
            time.sleep(0.005)
        dt_notify = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(n):
            c.ping()
        dt_ping = time.perf_counter() - t0
        print(json.dumps({"client": "astropy", "calls": n, "call_per_s": round(n / dt_call, 1),
                          "notify_per_s": round(got / dt_notify, 1), "notified": got,
                          "ping_per_s": round(n / dt_ping, 1)}))
    finally:
        close(c)


def main():
    a = sys.argv[1:]
    if not a:
        raise SystemExit(__doc__)
    cmd = a[0]
    if cmd == "hub":
        cmd_hub(a[1])
    elif cmd == "peer":
        cmd_peer(a[1])
    elif cmd == "call":
        cmd_call(a[1], a[2], a[3:])
    elif cmd == "notify":
        cmd_call(a[1], a[2], a[3:], notify=True)
    elif cmd == "bench":
        cmd_bench(a[1], int(a[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
