#!/bin/sh
# VM benchmark: time from `berth vm start` to the guest's first shell prompt marker on the
# serial log, and QEMU's RSS for an idle 128 MiB microVM. Direct kernel boot of the host's
# kernel (uncompressed when it can be cut out of the bzImage) with a busybox initramfs.
# Needs: bin/build (or ./mvnw package), qemu-system-x86, linux-image-amd64, busybox-static, cpio, xz.
set -eu
export LC_ALL=C
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
RUNS=${RUNS:-3}
ACCEL=${ACCEL:-tcg}
TMP=$(mktemp -d /tmp/berth-vmbench.XXXXXX)
cleanup() {
  [ -z "${PID-}" ] || { "$BERTH_HOME/bin/berth" -H "unix://$TMP/b.sock" vm rm -f bench >/dev/null 2>&1 || true;
    kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  # Should berthd be gone, QEMU still runs (VMs outlive berthd): end it by its pidfile.
  for f in "$TMP"/exec/vm/*/qemu.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done
  cp "$TMP/berthd.log" /tmp/vm-bench-berthd.log 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

VMLINUZ=$(ls /boot/vmlinuz-* | sort | tail -1)
OFFSET=$(grep -abo "$(printf '\3757zXZ')" "$VMLINUZ" | head -1 | cut -d: -f1 || true)
KERNEL=$VMLINUZ
if [ -n "$OFFSET" ] && tail -c +"$((OFFSET + 1))" "$VMLINUZ" | xz -dc > "$TMP/vmlinux" 2>/dev/null; [ -s "$TMP/vmlinux" ]; then
  KERNEL=$TMP/vmlinux
fi
mkdir -p "$TMP/root/bin" "$TMP/root/proc" "$TMP/root/dev"
cp /bin/busybox "$TMP/root/bin/"
cat > "$TMP/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
echo BENCH-READY
exec setsid cttyhack sh
INIT
chmod +x "$TMP/root/init"
(cd "$TMP/root" && find . | cpio -o -H newc --quiet | gzip -1 > "$TMP/initrd.gz")

echo '{}' > "$TMP/daemon.json"
"$BERTH_HOME/bin/berthd" --data-root "$TMP/data" --exec-root "$TMP/exec" -H "unix://$TMP/b.sock" \
  --config-file "$TMP/daemon.json" > "$TMP/berthd.log" 2>&1 &
PID=$!
i=0
until [ -S "$TMP/b.sock" ]; do i=$((i + 1)); [ "$i" -lt 300 ] || exit 1; sleep 0.1; done
B="$BERTH_HOME/bin/berth -H unix://$TMP/b.sock"
$B vm create --name bench --accel "$ACCEL" --memory 128m --kernel "$KERNEL" --initrd "$TMP/initrd.gz" >/dev/null
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); kernel $(basename "$KERNEL"); accel $ACCEL"
LOG=$($B vm inspect --format '{{.SerialLog}}' bench)
run=1
while [ "$run" -le "$RUNS" ]; do
  : > "$LOG" 2>/dev/null || true
  start=$(date +%s%N)
  $B vm start bench >/dev/null
  i=0
  until grep -q BENCH-READY "$LOG" 2>/dev/null; do i=$((i + 1)); [ "$i" -lt 3000 ] || { echo "no boot" >&2; exit 1; }; sleep 0.05; done
  end=$(date +%s%N)
  echo "run $run: start to guest shell $(( (end - start) / 1000000 )) ms"
  if [ "$run" -eq "$RUNS" ]; then
    sleep 2 # let the guest settle to idle before measuring memory
    QPID=$($B vm inspect --format '{{.Pid}}' bench)
    echo "idle QEMU RSS (128 MiB microVM): $(awk '/VmRSS/ {print $2, $3}' "/proc/$QPID/status")"
  fi
  $B vm kill bench >/dev/null
  run=$((run + 1))
done
