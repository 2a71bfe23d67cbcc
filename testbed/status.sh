#!/usr/bin/env bash
# Tells whether voagent's test data centre is up: PostgreSQL, the DaCHS server,
# TAP answering, and the row counts of the published tables. Exit status 0
# when TAP answers queries, 1 otherwise.
set -uo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
BASE=http://127.0.0.1:8080
PIDFILE=/var/gavo/state/web.pid

if command -v pg_lsclusters >/dev/null; then
	pg_lsclusters -h | awk '$2=="main" {print "PostgreSQL " $1 "/main: " $4}'
else
	echo "PostgreSQL: not installed"
fi
if [ -f $PIDFILE ] && kill -0 "$(cat $PIDFILE)" 2>/dev/null; then
	echo "DaCHS server: running (pid $(cat $PIDFILE))"
else
	echo "DaCHS server: not running"
fi
count() {
	curl --noproxy '*' -s -m 20 "$BASE/tap/sync" -d REQUEST=doQuery -d LANG=ADQL -d FORMAT=csv \
		--data-urlencode "QUERY=SELECT COUNT(*) AS n FROM $1" 2>/dev/null | sed -n 2p | tr -d '\r'
}
n=$(count twomass.psc)
if [ -z "$n" ] || ! [ "$n" -ge 0 ] 2>/dev/null; then
	echo "TAP $BASE/tap: not answering"
	exit 1
fi
echo "TAP $BASE/tap: answering"
for t in twomass.psc allwise.source sdss.photoobj spectra.data images.main ivoa.obscore planets.epn_core bigcat.main rr.resource; do
	c=$(count $t)
	[ "$c" -ge 0 ] 2>/dev/null || c="absent"
	printf '  %-18s %s\n' "$t" "$c"
done
echo "stamp: $(cat /var/gavo/state/voagent-testbed.stamp 2>/dev/null || echo none)"
