#!/usr/bin/env bash
# Stops voagent's test data centre: the DaCHS server, then PostgreSQL (keep
# PostgreSQL running with TESTBED_KEEP_PG=1). The data stays; testbed/setup.sh
# starts both again in a few seconds.
set -uo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
[ "$(id -u)" = 0 ] || { echo "stop.sh: run as root" >&2; exit 1; }
PIDFILE=/var/gavo/state/web.pid

if [ -f $PIDFILE ] && kill -0 "$(cat $PIDFILE)" 2>/dev/null; then
	pid=$(cat $PIDFILE)
	dachs serve stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null
	fi
	echo "DaCHS server (pid $pid) stopped"
else
	echo "DaCHS server not running"
fi
rm -f $PIDFILE

if [ "${TESTBED_KEEP_PG:-0}" != 1 ] && command -v pg_lsclusters >/dev/null; then
	pg_lsclusters -h | awk '$2=="main" && $4 ~ /online/ {print $1}' | while read -r v; do
		pg_ctlcluster "$v" main stop && echo "PostgreSQL $v/main stopped"
	done
fi
exit 0
