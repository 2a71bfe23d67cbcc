#!/usr/bin/env bash
# DESTRUCTIVE: removes voagent's test data centre entirely (server stopped,
# the gavo database and DaCHS' roles dropped, /var/gavo and /etc/gavo.rc
# removed) so that testbed/setup.sh starts from scratch, as on a fresh
# machine. TESTBED_PURGE=1 also purges the gavodachs2-server package (its
# dependencies stay installed). PostgreSQL is left stopped.
set -uo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
[ "$(id -u)" = 0 ] || { echo "reset.sh: run as root" >&2; exit 1; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

TESTBED_KEEP_PG=1 "$HERE/stop.sh"
if command -v pg_lsclusters >/dev/null; then
	v=$(pg_lsclusters -h | awk '$2=="main" {print $1}' | sort -n | tail -1)
	if [ -n "$v" ]; then
		pg_ctlcluster "$v" main start 2>/dev/null
		su postgres -c "dropdb --if-exists gavo"
		for r in gavoadmin gavo untrusted dachsroot; do su postgres -c "dropuser --if-exists $r"; done
		pg_ctlcluster "$v" main stop
	fi
fi
rm -rf /var/gavo /etc/gavo.rc
if [ "${TESTBED_PURGE:-0}" = 1 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -y -q purge gavodachs2-server
fi
echo "testbed reset"
