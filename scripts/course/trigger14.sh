#!/bin/bash
# trigger14.sh NAME: what a user's TOPCAT does in workflow 14, sent by a
# real JSAMP peer (jsamp messagesender, on the hub of $SAMP_HUB) to the
# client NAME: the table $COURSE_POS14 (table.load.votable, table-id
# course14), then row $COURSE_ROW14 of it highlighted (table.highlight.row).
# Fails unless both answers are samp.ok.
set -eu
name=$1 url=file://$COURSE_POS14
for m in "table.load.votable -param name positions" "table.highlight.row -param row ${COURSE_ROW14:-1}"; do
	# shellcheck disable=SC2086
	out=$(timeout 60 jsamp messagesender -mtype $m -param url "$url" -param table-id course14 -targetname "$name" -mode sync 2>&1)
	echo "$out"
	grep -q '"samp.status": *"samp.ok"' <<<"$out" || { echo "trigger14: no samp.ok from $name" >&2; exit 1; }
done
