#!/bin/sh
# Network benchmark: (1) `berth run --rm` start+stop latency on the default bridge vs
# `--network none` (hyperfine, then PAIRS interleaved pairs); (2) 1 GiB sent from the host
# through a published port on 127.0.0.1 vs straight to the container's address (bash /dev/tcp
# into busybox nc). Starts its own berthd on temp dirs with its own bridge, subnet and iptables
# chains, and removes them.
# Needs: root, bin/build done, hyperfine, busybox-static, bash. Traffic stays on this machine.
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
RUNS=${RUNS:-20}
BYTES=${BYTES:-1073741824}
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/berth-netbench.XXXXXX)
SUFFIX=$(printf '%s' "$TMP" | md5sum | cut -c1-6)
BRIDGE="bn$SUFFIX"
PREFIX="BN$(echo "$SUFFIX" | tr a-f A-F)"
BIP="10.$((0x$(echo "$SUFFIX" | cut -c1-2) % 100 + 150)).$((0x$(echo "$SUFFIX" | cut -c3-4) % 250)).1/24"
cleanup() {
  [ -z "${B-}" ] || { ids=$($B ps -aq 2>/dev/null || true); [ -z "$ids" ] || $B rm -f $ids >/dev/null 2>&1 || true; }
  [ -z "${PID-}" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  for t in nat filter; do
    iptables-save -t "$t" | awk -v p="$PREFIX-" -v t="$t" '
      BEGIN { print "*" t }
      /^-A / && index($0, "-j " p) && !index($2, p) { sub(/^-A /, "-D "); print }
      /^:/ && index($1, ":" p) == 1 { c[++n] = substr($1, 2) }
      END { for (i = 1; i <= n; i++) print "-F " c[i]; for (i = 1; i <= n; i++) print "-X " c[i]; print "COMMIT" }' \
      | iptables-restore --noflush || true
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
  for m in $(findmnt -rn -o TARGET | grep "^$TMP" | sort -r); do umount -l "$m" || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

mkdir -p "$TMP/rootfs/bin" "$TMP/rootfs/etc"
cp /bin/busybox "$TMP/rootfs/bin/busybox"
for a in $("$TMP/rootfs/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$TMP/rootfs/bin/$a"; done
tar -C "$TMP/rootfs" -cf "$TMP/busybox.tar" .
echo '{}' > "$TMP/daemon.json"
"$BERTH_HOME/bin/berthd" --data-root "$TMP/data" --exec-root "$TMP/exec" -H "unix://$TMP/b.sock" \
  --config-file "$TMP/daemon.json" --bridge "$BRIDGE" --bip "$BIP" --iptables-prefix "$PREFIX" \
  > "$TMP/berthd.log" 2>&1 &
PID=$!
i=0
until grep -q ready "$TMP/berthd.log" 2>/dev/null; do i=$((i + 1)); [ "$i" -lt 300 ] || { cat "$TMP/berthd.log"; exit 1; }; sleep 0.1; done
B="$BERTH_HOME/bin/berth -H unix://$TMP/b.sock"
$B import "$TMP/busybox.tar" busybox:bench >/dev/null

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N -w 3 -r "$RUNS" --export-json "$TMP/run.json" \
  -n "network none" "$B run --rm --network none busybox:bench true" \
  -n "default bridge" "$B run --rm busybox:bench true"
mean() { sed -n "/\"command\": \"$1\"/,/\"mean\"/s/.*\"mean\": \([0-9.e-]*\).*/\1/p" "$TMP/run.json"; }
awk -v a="$(mean "network none")" -v b="$(mean "default bridge")" \
  'BEGIN { printf "bridge adds %.1f ms to run --rm (goal <= 50 ms)\n", (b - a) * 1000 }'
# The same as none/bridge pairs, one right after the other: on a shared machine the load drifts
# between hyperfine's two blocks of runs, much less within a pair.
: > "$TMP/pairs.txt"
for i in $(seq "${PAIRS:-10}"); do
  s=$(date +%s%N); $B run --rm --network none busybox:bench true; m=$(date +%s%N)
  $B run --rm busybox:bench true; e=$(date +%s%N)
  echo "$(( (m - s) / 1000 )) $(( (e - m) / 1000 ))" >> "$TMP/pairs.txt"
done
awk '{ n += $1; b += $2 } END { printf "%d interleaved pairs: none %.0f ms, bridge %.0f ms -> bridge adds %.1f ms\n",
  NR, n / NR / 1000, b / NR / 1000, (b - n) / NR / 1000 }' "$TMP/pairs.txt"

# A sink that takes one connection after another.
$B run -d --name sink -p 127.0.0.1::5000 busybox:bench sh -c 'while true; do nc -l -p 5000 > /dev/null; done' >/dev/null
IP=$($B inspect -f '{{.NetworkSettings.IPAddress}}' sink)
PORT=$($B port sink 5000 | cut -d: -f2)
send() { # host port -> seconds for BYTES
  i=0
  until bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; do i=$((i + 1)); [ "$i" -lt 50 ] || exit 1; sleep 0.1; done
  sleep 0.2 # the probe's connection ends; nc listens again
  s=$(date +%s.%N)
  head -c "$BYTES" /dev/zero | bash -c "cat > /dev/tcp/$1/$2"
  e=$(date +%s.%N)
  echo "$s $e" | awk '{ print $2 - $1 }'
}
D=$(send "$IP" 5000)
P=$(send 127.0.0.1 "$PORT")
awk -v d="$D" -v p="$P" -v n="$BYTES" 'BEGIN {
  printf "direct to %s: %.0f MB/s; published port on 127.0.0.1: %.0f MB/s -> %.2fx of direct (goal >= 0.9)\n",
    "container", n / d / 1e6, n / p / 1e6, d / p }'
