#!/usr/bin/env bash
# Dump a Frontdoor PostgreSQL database, restore it into a scratch database, compare row counts of
# every table, drop the scratch database. Usage: scripts/backup_restore.sh [DB] (default: frontdoor)
# Connection settings come from the usual PG* variables (PGHOST, PGUSER, ...).
set -euo pipefail
db="${1:-frontdoor}"
scratch="${db}_restore_check"
dump="$(mktemp --suffix=.dump)"
trap 'rm -f "$dump"; dropdb --if-exists "$scratch"' EXIT

counts() {
    psql -qAt -d "$1" -c "SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1" |
    while read -r table; do
        echo "$table $(psql -qAt -d "$1" -c "SELECT count(*) FROM \"$table\"")"
    done
}

pg_dump --format=custom --file="$dump" "$db"
dropdb --if-exists "$scratch"
createdb "$scratch"
pg_restore --no-owner --dbname="$scratch" "$dump"
if diff <(counts "$db") <(counts "$scratch"); then
    echo "backup of $db restored: $(counts "$scratch" | wc -l) tables, row counts equal ($(du -h "$dump" | cut -f1) dump)"
else
    echo "restore of $db differs (above)" >&2
    exit 1
fi
