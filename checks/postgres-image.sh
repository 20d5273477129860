#!/bin/sh
# Builds a PostgreSQL 15 image from Debian's packages (debootstrap: no Docker Hub) and imports
# it into Berth as berth-check/postgres:15. Its entrypoint behaves like the official image's:
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB create a login and a database on first start.
# Usage: checks/postgres-image.sh [berth -H argument]   (takes a few minutes: it downloads ~60 MB)
set -eu
HERE=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BERTH="$HERE/bin/berth${1:+ -H $1}"
command -v debootstrap > /dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }
WORK=$(mktemp -d /tmp/berth-pg.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM
if [ -n "${PG_ROOTFS-}" ]; then
  cp -a "$PG_ROOTFS" "$WORK/rootfs"   # a debootstrap made earlier (same command as below)
else
  debootstrap --variant=minbase --include=postgresql-15 bookworm "$WORK/rootfs" http://deb.debian.org/debian
fi
ROOTFS="$WORK/rootfs"
# Debian's postinst made the cluster in /var/lib/postgresql/15/main; accept connections from
# the container network with passwords.
echo "listen_addresses = '*'" >> "$ROOTFS/etc/postgresql/15/main/postgresql.conf"
echo "host all all 0.0.0.0/0 scram-sha-256" >> "$ROOTFS/etc/postgresql/15/main/pg_hba.conf"
cat > "$ROOTFS/usr/local/bin/postgres-entrypoint" <<'SH'
#!/bin/sh
set -eu
BIN=/usr/lib/postgresql/15/bin
DATA=/var/lib/postgresql/15/main
CONF=/etc/postgresql/15/main/postgresql.conf
USER_NAME=${POSTGRES_USER:-postgres}
DB_NAME=${POSTGRES_DB:-$USER_NAME}
mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql
if [ ! -f "$DATA/.berth-initialized" ]; then
  {
    if [ "$USER_NAME" = postgres ]; then
      echo "ALTER ROLE postgres PASSWORD '${POSTGRES_PASSWORD:-postgres}';"
    else
      echo "CREATE ROLE \"$USER_NAME\" LOGIN SUPERUSER PASSWORD '${POSTGRES_PASSWORD:-postgres}';"
    fi
    [ "$DB_NAME" = postgres ] || echo "CREATE DATABASE \"$DB_NAME\" OWNER \"$USER_NAME\";"
  } | su postgres -s /bin/sh -c "$BIN/postgres --single -D $DATA -c config_file=$CONF postgres" > /dev/null
  touch "$DATA/.berth-initialized"
fi
exec su postgres -s /bin/sh -c "exec $BIN/postgres -D $DATA -c config_file=$CONF $*"
SH
chmod 755 "$ROOTFS/usr/local/bin/postgres-entrypoint"
rm -rf "$ROOTFS/var/cache/apt/archives/"*.deb "$ROOTFS/var/lib/apt/lists/"*
tar -C "$ROOTFS" --numeric-owner -c . | $BERTH import \
  -c 'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]' -c 'EXPOSE 5432' \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'STOPSIGNAL SIGINT' \
  - berth-check/postgres:15
