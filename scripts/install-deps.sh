#!/usr/bin/env bash
# Installs everything voagent's tests need on a fresh Debian machine:
# the Debian packages in scripts/debian-packages.txt and the Go modules.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=$(grep -v '^\s*#' scripts/debian-packages.txt | grep -v '^\s*$' | tr '\n' ' ')
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
go mod download
if [ -x testbed/setup.sh ]; then
	testbed/setup.sh
fi
