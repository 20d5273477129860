#!/bin/sh
# Volume read in a microVM container vs a plain container (issue #16: >= 0.5x).
# One named volume holds a 1 GiB file (SIZE_MIB, random bytes, written once by a plain
# container). Each round, interleaved: the host's page cache is dropped, then the file is read
# with `dd bs=1M` to /dev/null in a plain container (runc: the volume is a bind mount) and in a
# microVM container (`--isolation=vm`: the volume is a 9p share served by QEMU, decision 1700).
# The time is the read's own, taken inside the container by busybox `time` (a microVM's boot is
# not part of it; vm-container-run.sh measures that). COLD=0 keeps the page cache (then the
# figure is the transport's cost alone: 9p under the accelerator vs a bind mount).
# Prints the load, each round and the median ratio plain/microVM time (throughput ratio).
# Needs: root, bin/build done, qemu-system-x86, linux-image-amd64, busybox-static.
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$BERTH_HOME/benchmarks/lib/bench.sh"
ROUNDS=${ROUNDS:-3}
SIZE_MIB=${SIZE_MIB:-1024}
COLD=${COLD:-1}
ACCEL=${ACCEL:-tcg}
[ "$BERTH_HOME/berth-cli/target/berth-cli.aot" -nt "$BERTH_HOME/berth-cli/target/berth-cli.jar" ] || "$BERTH_HOME/bin/build"

TMP=$(mktemp -d /tmp/berth-vmvol.XXXXXX)
cleanup() {
  [ -z "${B-}" ] || { ids=$($B ps -aq 2>/dev/null || true); [ -z "$ids" ] || $B rm -f $ids >/dev/null 2>&1 || true; }
  [ -z "${PID-}" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  for f in "$TMP"/exec/microvm/*/qemu.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done
  for m in $(findmnt -rn -o TARGET | grep "^$TMP" | sort -r); do umount -l "$m" || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

busybox_rootfs

printf '{"vm-accel": "%s"}\n' "$ACCEL" > "$TMP/daemon.json"
start_berthd
$B import "$TMP/busybox.tar" busybox:bench >/dev/null
$B volume create benchvol >/dev/null
$B run --rm -v benchvol:/data busybox:bench dd if=/dev/urandom of=/data/f bs=1M count="$SIZE_MIB" 2>/dev/null
sync
# The first microVM run builds the boot assets: not part of any figure. One unmeasured read pair:
# the host's first reads of a file just written are slower (its write-back still settling).
$B run --rm --isolation=vm busybox:bench true

# Seconds (two decimals) of one `dd` of the file inside a container made with the given flags.
read_secs() {
  [ "$COLD" = 1 ] && { sync; echo 3 > /proc/sys/vm/drop_caches; }
  $B run --rm -v benchvol:/data "$@" busybox:bench time -f %e dd if=/data/f of=/dev/null bs=1M 2>&1 | tail -1
}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); accel $ACCEL; ${SIZE_MIB} MiB; page cache $( [ "$COLD" = 1 ] && echo dropped before each read || echo kept)"
read_secs >/dev/null
read_secs --isolation=vm >/dev/null
RATIOS=""
r=1
while [ "$r" -le "$ROUNDS" ]; do
  plain=$(read_secs)
  vm=$(read_secs --isolation=vm)
  ratio=$(awk -v p="$plain" -v v="$vm" 'BEGIN { printf "%.2f", p / v }')
  echo "round $r: plain container $plain s ($(awk -v s="$plain" -v m="$SIZE_MIB" 'BEGIN { printf "%d", m / s }') MiB/s), microVM $vm s ($(awk -v s="$vm" -v m="$SIZE_MIB" 'BEGIN { printf "%d", m / s }') MiB/s) -> ${ratio}x; load $(cut -d' ' -f1 /proc/loadavg)"
  RATIOS="$RATIOS $ratio"
  r=$((r + 1))
done
echo "$RATIOS" | tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { printf "median microVM read throughput: %.2fx the plain container'"'"'s (goal >= 0.5)\n", a[int((NR + 1) / 2)] }'
