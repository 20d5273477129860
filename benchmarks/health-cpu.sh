#!/bin/sh
# Supervision benchmark: N containers (default 50) with a 1 s healthcheck (`true`), berthd's CPU
# over SECS seconds (default 60) against dockerd 20.10's for the same N; then the restart
# latency of a restart policy (exit → running again, from the die and start events' times) for
# R containers (default 5; the first restart each, with the 100 ms back-off both daemons wait).
# Each daemon runs in a cpuacct cgroup of its own, so its helpers count too (conmon and the
# checks' runc for berthd; containerd, the shims and runc for dockerd) and the containers' own
# processes (which runc moves to their cgroups) do not. A second line adds the containers' own
# cgroups over the same 60 s: the checks' processes (and Berth's runner, decision 2300) run there.
# Needs: root, bin/build done, runc, conmon, busybox-static, dockerd (docker.io), the docker CLI.
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$BERTH_HOME/benchmarks/lib/bench.sh"
N=${N:-50}
SECS=${SECS:-60}
R=${R:-5}
DOCKER=${DOCKER:-$(command -v docker)}
CG=/sys/fs/cgroup/cpuacct
TMP=$(mktemp -d /tmp/berth-health.XXXXXX)

cleanup() {
  for h in "unix://$TMP/b.sock" "unix://$TMP/d.sock"; do
    ids=$("$DOCKER" -H "$h" ps -aq 2>/dev/null || true)
    [ -z "$ids" ] || "$DOCKER" -H "$h" rm -f $ids >/dev/null 2>&1 || true
  done
  [ -z "${PID-}" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  [ -z "${DPID-}" ] || { kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null || true; }
  for m in $(findmnt -rn -o TARGET | grep "^$TMP" | sort -r); do umount -l "$m" || true; done
  sleep 1
  rmdir "$CG/berth-health-berthd" "$CG/berth-health-dockerd" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

busybox_rootfs
mkdir -p "$CG/berth-health-berthd" "$CG/berth-health-dockerd"

# Runs "$@" inside cgroup $0: the shell joins it, then becomes the daemon (so $! is the daemon).
IN_CGROUP='echo $$ > "$0/cgroup.procs"; exec "$@"'

await() { # $1 = seconds, $2... = a command that must succeed
  t=$1; shift; i=0
  until "$@" >/dev/null 2>&1; do i=$((i + 1)); [ "$i" -lt $((t * 10)) ] || return 1; sleep 0.1; done
}

healthy_count() { "$DOCKER" -H "$1" ps --filter health=healthy -q | wc -l; }

# CPU nanoseconds of the containers' cgroups: $1 = the daemon's cgroup parent (berth, docker), then IDs
containers_cpu() {
  parent=$1; shift
  for id in "$@"; do cat "$CG/$parent/$id/cpuacct.usage" 2>/dev/null || echo 0; done | awk '{ s += $1 } END { printf "%.0f", s }'
}

# measure NAME HOST CGROUP PARENT: prints "NAME cpu_seconds restart_ms containers_cpu_seconds"
measure() {
  name=$1; h=$2; cg=$3; parent=$4
  i=0
  while [ "$i" -lt "$N" ]; do
    "$DOCKER" -H "$h" run -d --network none --health-cmd true --health-interval 1s busybox:bench sleep 100000 >/dev/null
    i=$((i + 1))
  done
  i=0
  until [ "$(healthy_count "$h")" -eq "$N" ]; do i=$((i + 1)); [ "$i" -lt 1200 ] || { echo "$name: not all healthy" >&2; exit 1; }; sleep 0.1; done
  sleep 5 # let start-up work settle: only the steady checks are measured
  ids=$("$DOCKER" -H "$h" ps -q --no-trunc)
  u0=$(cat "$CG/$cg/cpuacct.usage"); c0=$(containers_cpu "$parent" $ids)
  sleep "$SECS"
  u1=$(cat "$CG/$cg/cpuacct.usage"); c1=$(containers_cpu "$parent" $ids)
  cpu=$(echo "$u0 $u1" | awk '{printf "%.2f", ($2 - $1) / 1e9}')
  ccpu=$(echo "$c0 $c1" | awk '{printf "%.2f", ($2 - $1) / 1e9}')
  "$DOCKER" -H "$h" rm -f $("$DOCKER" -H "$h" ps -aq) >/dev/null
  since=$(date +%s)
  i=0
  while [ "$i" -lt "$R" ]; do
    "$DOCKER" -H "$h" run -d --network none --restart always busybox:bench sh -c 'sleep 1; exit 1' >/dev/null
    i=$((i + 1))
  done
  sleep 4
  until=$(date +%s)
  lat=$("$DOCKER" -H "$h" events --since "$since" --until "$until" --filter event=die --filter event=start \
    --format '{{.Action}} {{.Actor.ID}} {{.TimeNano}}' | awk '
      $1 == "die" && !($2 in died) { died[$2] = $3 }
      $1 == "start" && ($2 in died) && !($2 in done) { done[$2] = 1; sum += ($3 - died[$2]) / 1e6; n++ }
      END { if (n) printf "%.0f", sum / n; else printf "n/a" }')
  "$DOCKER" -H "$h" rm -f $("$DOCKER" -H "$h" ps -aq) >/dev/null
  echo "$name $cpu $lat $ccpu"
}

echo '{}' > "$TMP/daemon.json"
sh -c "$IN_CGROUP" "$CG/berth-health-berthd" "$BERTH_HOME/bin/berthd" --data-root "$TMP/data" --exec-root "$TMP/exec" \
  -H "unix://$TMP/b.sock" --config-file "$TMP/daemon.json" > "$TMP/berthd.log" 2>&1 &
PID=$!
await 60 "$DOCKER" -H "unix://$TMP/b.sock" version
"$DOCKER" -H "unix://$TMP/b.sock" import "$TMP/busybox.tar" busybox:bench >/dev/null
B=$(measure berthd "unix://$TMP/b.sock" berth-health-berthd berth)
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=

sh -c "$IN_CGROUP" "$CG/berth-health-dockerd" /usr/sbin/dockerd --data-root "$TMP/ddata" --exec-root "$TMP/dexec" \
  -H "unix://$TMP/d.sock" --pidfile "$TMP/dockerd.pid" --bridge=none --iptables=false --ip-masq=false \
  > "$TMP/dockerd.log" 2>&1 &
DPID=$!
await 60 "$DOCKER" -H "unix://$TMP/d.sock" version
"$DOCKER" -H "unix://$TMP/d.sock" import "$TMP/busybox.tar" busybox:bench >/dev/null
D=$(measure dockerd "unix://$TMP/d.sock" berth-health-dockerd docker)

echo "$B" "$D" | awk -v n="$N" -v s="$SECS" '{
  printf "%d containers, 1 s healthcheck, CPU over %d s: berthd %.2f s, dockerd %.2f s (berthd/dockerd %.2fx)\n", n, s, $2, $6, $2 / $6
  printf "  adding the containers cgroups (where the checks run): berthd %.2f s, dockerd %.2f s (%.2fx)\n", $2 + $4, $6 + $8, ($2 + $4) / ($6 + $8)
  printf "restart policy, exit -> running (first restart, mean): berthd %s ms, dockerd %s ms\n", $3, $7 }'
