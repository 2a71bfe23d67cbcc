#!/usr/bin/env bash
# Sets up voagent's test data centre: GAVO DaCHS (Debian gavodachs2-server,
# PostgreSQL + pgsphere + q3c) on http://127.0.0.1:8080, publishing the
# synthetic data of internal/testbed/synth through TAP, SCS, SSA, SIA 1 and 2,
# ObsCore, Datalink/SODA, EPN-TAP and a RegTAP subset. internal/testbed
# describes what is published (URLs, tables, row counts, known sources).
#
# Idempotent: each step is skipped when already done. The data is imported
# only when the resource descriptors or the generator changed (a fingerprint
# is kept in /var/gavo/state/voagent-testbed.stamp) or a table is missing, so
# a re-run with everything up takes a couple of seconds.
#
# Usage (as root):  testbed/setup.sh
# Environment:
#   TESTBED_BIG_ROWS   rows of bigcat.main, the streaming benchmark table
#                      (default 1000000; 0 leaves the table out)
#   TESTBED_FORCE=1    re-generate and re-import everything
#   TESTBED_LOG        log file (default /tmp/voagent-testbed.log)
# Stop with testbed/stop.sh; testbed/status.sh tells whether it is up.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
PORT=8080
SERVER_URL="http://127.0.0.1:$PORT"
AUTHORITY=voagent.test
BIG_ROWS="${TESTBED_BIG_ROWS:-1000000}"
INPUTS=/var/gavo/inputs
STAMP=/var/gavo/state/voagent-testbed.stamp
PIDFILE=/var/gavo/state/web.pid
PY=/usr/bin/python3 # Debian's; the pyenv python3 on PATH lacks numpy/astropy
RESOURCES="twomass allwise sdss spectra images planets"
LOG="${TESTBED_LOG:-/tmp/voagent-testbed.log}"
export DEBIAN_FRONTEND=noninteractive
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
# DaCHS' harvester (urllib) and curl must never go through a proxy.
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

T0=$(date +%s%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
log() { echo "[testbed $(elapsed)s] $*"; }
die() {
	echo "[testbed $(elapsed)s] ERROR: $*" >&2
	exit 1
}
# quiet CMD...: runs CMD with its output in $LOG; on failure shows the tail.
# Fd 9 (the setup lock) is closed so that daemons started here (PostgreSQL,
# DaCHS) do not hold the lock after setup.sh exits.
quiet() {
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 9>&- || {
		local rc=$?
		tail -40 "$LOG" >&2
		die "failed (exit $rc): $*"
	}
}
# asdachs DIR CMD: runs a shell command in DIR as dachsroot, DaCHS' DB superuser.
asdachs() { quiet su -s /bin/sh dachsroot -c "cd '$1' && $2"; }
sql() { su -s /bin/sh dachsroot -c "psql -d gavo -XAtqc \"$1\"" 2>>"$LOG"; }
pkg_ok() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
http_ok() { [ "$(curl --noproxy '*' -s -o /dev/null -m 10 -w '%{http_code}' "$1")" = 200 ]; }
apt_install() {
	local apt=(apt-get -o DPkg::Lock::Timeout=900 -y -q --no-install-recommends install "$@")
	echo "+ ${apt[*]}" >>"$LOG"
	"${apt[@]}" >>"$LOG" 2>&1 9>&- && return 0
	# fresh machine without package lists: update once and retry
	quiet apt-get -o DPkg::Lock::Timeout=900 -q update
	quiet "${apt[@]}"
}

if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || die "run as root (it installs packages and runs DaCHS)"
	exec sudo -E "$0" "$@"
fi
command -v go >/dev/null || die "go is not on PATH (the data generator is Go)"
# One setup at a time (helpers and CI may start it concurrently).
LOCK=/run/lock/voagent-testbed.lock
[ -d /run/lock ] || LOCK=/tmp/voagent-testbed.lock
(umask 077 && : >>"$LOCK")
exec 9>>"$LOCK"
flock -w 1800 9 || die "another testbed/setup.sh holds $LOCK"
: >"$LOG"
chmod 644 "$LOG"
log "log: $LOG"

# ---------------------------------------------------------------- config
# Written before the package's postinst runs `dachs init`.
CONF="# written by voagent testbed/setup.sh
[general]
rootDir: /var/gavo

[web]
bindAddress: 127.0.0.1
serverPort: $PORT
serverURL: $SERVER_URL
sitename: voagent testbed
sqlTimeout: 120
maxSyncUploadSize: 20000000

[async]
maxTAPRunning: 4

[ivoa]
authority: $AUTHORITY"
CONF_CHANGED=0
if [ "$(cat /etc/gavo.rc 2>/dev/null)" != "$CONF" ]; then
	echo "$CONF" >/etc/gavo.rc
	CONF_CHANGED=1
	log "wrote /etc/gavo.rc"
fi

# ---------------------------------------------------------------- PostgreSQL
if ! command -v pg_lsclusters >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
	log "installing postgresql"
	apt_install postgresql
fi
PGVER=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main"' | grep -q .; then
	log "creating PostgreSQL cluster $PGVER/main"
	quiet pg_createcluster "$PGVER" main
fi
if ! pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main" {print $4}' | grep -q online; then
	log "starting PostgreSQL $PGVER/main"
	quiet pg_ctlcluster "$PGVER" main start
fi
for _ in $(seq 1 150); do pg_isready -q && break || sleep 0.2; done
pg_isready -q || die "PostgreSQL $PGVER/main does not accept connections"

# ---------------------------------------------------------------- DaCHS package
# Its postinst creates the gavo database and runs `dachs init`, which needs a
# running PostgreSQL: hence installed only now (not from debian-packages.txt).
if ! pkg_ok gavodachs2-server; then
	log "installing gavodachs2-server"
	apt_install gavodachs2-server || true
	pkg_ok gavodachs2-server || quiet dpkg --configure -a
	pkg_ok gavodachs2-server || die "gavodachs2-server did not install (see $LOG)"
fi

# ---------------------------------------------------------------- database
getent passwd dachsroot >/dev/null || die "user dachsroot missing (gavodachs2-server postinst did not run)"
if ! su postgres -c "psql -XAtqc \"select 1 from pg_roles where rolname='dachsroot'\"" | grep -q 1; then
	log "createuser dachsroot"
	quiet su postgres -c "createuser -s dachsroot"
fi
if ! su postgres -c "psql -XAtqc \"select 1 from pg_database where datname='gavo'\"" | grep -q 1; then
	log "createdb gavo"
	quiet su postgres -c "createdb --encoding=UTF-8 --template template0 gavo"
fi
mkdir -p /var/gavo
chown dachsroot /var/gavo
if [ -z "$(sql 'select count(*) from dc.tablemeta' || true)" ]; then
	log "dachs init"
	asdachs /var/gavo "dachs init"
fi
mkdir -p "$INPUTS" /var/gavo/state /var/gavo/cache
cat >/var/gavo/etc/defaultmeta.txt <<EOF
publisher: voagent test suite
publisherID: ivo://$AUTHORITY
contact.name: voagent test suite
contact.address: 127.0.0.1
contact.email: nobody@invalid.example
creator.name: voagent test suite
creator.logo: \\getConfig{web}{serverURL}/favicon.png

_noresultwarning: Your query did not match any data.

authority.creationDate: 2024-01-01T00:00:00
authority.shortName: voagent tb
authority.title: voagent testbed authority

site.description: A throw-away DaCHS data centre on 127.0.0.1 for the \\
  integration tests of voagent.
EOF
$PY "$HERE/make_vocab_stubs.py" /var/gavo/cache
chown -R dachsroot:gavo /var/gavo/etc/defaultmeta.txt /var/gavo/cache

# ---------------------------------------------------------------- server helpers
server_up() { http_ok "$SERVER_URL/tap/availability"; }
server_pid() { [ -f $PIDFILE ] && kill -0 "$(cat $PIDFILE)" 2>/dev/null && cat $PIDFILE; }
start_server() {
	if ! server_pid >/dev/null; then
		rm -f $PIDFILE # stale, e.g. after the process was killed
		log "dachs serve start"
		quiet dachs serve start
	elif [ "${1:-}" = restart ]; then
		log "dachs serve restart"
		quiet dachs serve restart
	fi
	for _ in $(seq 1 300); do server_up && break || sleep 0.2; done
	server_up || die "DaCHS does not answer on $SERVER_URL (see /var/gavo/logs/)"
}

# ---------------------------------------------------------------- data
# The fingerprint covers everything the published data depends on.
FINGERPRINT=$( (
	cd "$REPO"
	echo "big=$BIG_ROWS"
	cat /etc/gavo.rc
	find testbed/rd testbed/gen internal/testbed/synth -type f ! -name '*_test.go' | sort | xargs sha256sum
) | sha256sum | cut -c1-32)
TABLES="twomass.psc allwise.source sdss.photoobj spectra.data images.main planets.epn_core rr.resource"
[ "$BIG_ROWS" = 0 ] || TABLES="$TABLES bigcat.main"
# counts: "table=rows ..." for $TABLES in one query (fails if one is missing)
counts() {
	local q="" t
	for t in $TABLES ivoa.obscore; do q="$q${q:+ || ' ' || }'$t=' || (select count(*) from $t)"; done
	sql "select $q"
}
data_ok() {
	[ "$(cat $STAMP 2>/dev/null)" = "$FINGERPRINT" ] || return 1
	local c
	c=$(counts) || return 1
	echo "$c" | tr ' ' '\n' | awk -F= -v big="$BIG_ROWS" '$2 == 0 || ($1 == "bigcat.main" && $2 != big) {bad = 1} END {exit bad}'
}

if [ "${TESTBED_FORCE:-0}" != 1 ] && data_ok; then
	log "data up to date (fingerprint $FINGERPRINT)"
	start_server $([ $CONF_CHANGED = 1 ] && echo restart)
else
	rm -f $STAMP
	log "building the data generator"
	GEN=$(mktemp -d /tmp/voagent-testbed-gen.XXXXXX)
	trap 'rm -rf "$GEN"' EXIT
	(cd "$REPO" && quiet go build -o "$GEN/gen" ./testbed/gen)
	for r in $RESOURCES rr $([ "$BIG_ROWS" = 0 ] || echo bigcat); do
		rm -rf "${INPUTS:?}/$r"
		mkdir -p "$INPUTS/$r"
		cp -r "$HERE/rd/$r/." "$INPUTS/$r/"
	done
	log "generating data"
	quiet "$GEN/gen" -out "$INPUTS"
	chown -R dachsroot:gavo "$INPUTS"

	# Two chains run in parallel: the catalogues, EPN-TAP and big tables
	# (independent of each other), and the ObsCore collections (which must
	# be imported one after the other: each rewrites the ivoa.obscore view).
	obscore_chain() {
		if [ -z "$(sql 'select 1 from ivoa._obscoresources limit 1' || true)" ]; then
			log "dachs imp //obscore"
			asdachs "$INPUTS" "dachs imp //obscore"
		fi
		for r in spectra images; do
			log "dachs imp $r/q"
			asdachs "$INPUTS/$r" "dachs imp q"
		done
	}
	load_big() {
		log "loading bigcat.main ($BIG_ROWS rows, COPY)"
		asdachs "$INPUTS/bigcat" "dachs imp q"
		echo "+ gen -big $BIG_ROWS | COPY bigcat.main" >>"$LOG"
		"$GEN/gen" -big "$BIG_ROWS" |
			su -s /bin/sh dachsroot -c "psql -d gavo -Xq -v ON_ERROR_STOP=1 -c '\\copy bigcat.main from stdin (format csv)'" >>"$LOG" 2>&1 ||
			die "loading bigcat.main failed (see $LOG)"
		sql "analyze bigcat.main" >/dev/null
		log "bigcat.main loaded"
	}
	pids=()
	obscore_chain &
	pids+=($!)
	for r in twomass allwise sdss planets; do
		(
			log "dachs imp $r/q"
			asdachs "$INPUTS/$r" "dachs imp q"
		) &
		pids+=($!)
	done
	if [ "$BIG_ROWS" != 0 ]; then
		load_big &
		pids+=($!)
	elif [ -f "$INPUTS/bigcat/q.rd" ]; then
		log "dropping bigcat.main (TESTBED_BIG_ROWS=0)"
		asdachs "$INPUTS/bigcat" "dachs drop q"
		rm -rf "${INPUTS:?}/bigcat"
	fi
	for p in "${pids[@]}"; do wait "$p" || die "an import failed (see $LOG)"; done
	log "dachs pub"
	asdachs "$INPUTS" "dachs pub //services //tap //siap2 $(for r in $RESOURCES; do printf '%s/q ' $r; done)"

	# A running server picks up re-imported resources by itself.
	start_server $([ $CONF_CHANGED = 1 ] && echo restart)
	log "dachs imp rr/q (harvesting the local OAI-PMH endpoint into RegTAP tables)"
	asdachs "$INPUTS/rr" "dachs imp q"
	echo "$FINGERPRINT" >$STAMP
fi

# ---------------------------------------------------------------- check
for _ in $(seq 1 100); do
	n=$(curl --noproxy '*' -s -m 20 "$SERVER_URL/tap/sync" -d REQUEST=doQuery -d LANG=ADQL -d FORMAT=csv \
		--data-urlencode "QUERY=SELECT COUNT(*) AS n FROM twomass.psc" | tail -n +2 | tr -d '\r')
	[ -n "$n" ] && [ "$n" -gt 0 ] 2>/dev/null && break
	sleep 0.3
done
[ -n "$n" ] && [ "$n" -gt 0 ] 2>/dev/null || die "TAP does not answer queries on $SERVER_URL/tap"
log "serving on $SERVER_URL (pid $(cat $PIDFILE)); rows: $(counts)"
