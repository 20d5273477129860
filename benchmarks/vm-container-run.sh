#!/bin/sh
# microVM container benchmark: `berth run --rm --isolation=vm busybox true` (on the default
# bridge: CNI, a tap in the namespace, virtio-net) against
#  - the floor: plain qemu-system-x86_64 with the same tap (in a namespace of its own) booting
#    the same kernel, with the same machine, accelerator and memory options, straight to an init
#    that powers off (an initramfs of busybox and a two-line /init: no modules, shares, ports),
#  - QEMU by hand with Berth's initramfs, shares (the output share too), the agent's serial port and
#    tap (the guest given an address): what Berth's microVM does minus berthd, so the difference to
#    the floor is the guest init's share and the rest is the host side's,
#  - `berth run --rm --isolation=vm --network none busybox true` (no network), and
#  - `berth run --rm busybox true` (runc under conmon), for scale.
# Then the memory of idle microVM containers (`sleep`, default 256 MiB guest), read after the
# boot settled (the container's first line is in its log): QEMU's RSS and PSS, split into guest
# RAM, the kernel and initramfs files QEMU maps, TCG's translation buffer and the rest; the mean
# PSS of two idle ones (the kernel file and QEMU's binary are then shared); and the first one's
# again after an exec (the guest then loaded virtio-serial for its agent: decision 3400). Same image everywhere: Debian's static busybox, imported.
# Prints the load and the ratios, and QEMU's CPU time for the floor and QEMU by hand (steadier than
# their wall time on a shared machine). MEMORY_ONLY=1 skips the timings. TRACE=1 adds one boot of QEMU by
# hand with "berth.trace": the guest's boot helper (berth-boot) prints when each step ended.
# BERTHD_FLAGS: extra berthd flags ("--log-level debug" times the steps of each run); KEEP_LOG=FILE keeps berthd's log.
# Needs: root, bin/build done, qemu-system-x86, linux-image-amd64, busybox-static, cpio.
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$BERTH_HOME/benchmarks/lib/bench.sh"
RUNS=${RUNS:-5}
ACCEL=${ACCEL:-tcg}
[ "$BERTH_HOME/berth-cli/target/berth-cli.aot" -nt "$BERTH_HOME/berth-cli/target/berth-cli.jar" ] || "$BERTH_HOME/bin/build"

TMP=$(mktemp -d /tmp/berth-vmrun.XXXXXX)
NS=berth-bench-$$
cleanup() {
  [ -z "${B-}" ] || { ids=$($B ps -aq 2>/dev/null || true); [ -z "$ids" ] || $B rm -f $ids >/dev/null 2>&1 || true; }
  [ -z "${PID-}" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  ip netns del "$NS" 2>/dev/null || true
  for f in "$TMP"/exec/microvm/*/qemu.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done
  for m in $(findmnt -rn -o TARGET | grep "^$TMP" | sort -r); do umount -l "$m" || true; done
  cp "$TMP/berthd.log" "${KEEP_LOG:-/tmp/vm-container-bench-berthd.log}" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

busybox_rootfs

printf '{"vm-accel": "%s"}\n' "$ACCEL" > "$TMP/daemon.json"
start_berthd ${BERTHD_FLAGS-}
$B import "$TMP/busybox.tar" busybox:bench >/dev/null
# The first vm run builds the boot assets (uncompressed kernel, initramfs): not part of the timing.
$B run --rm --isolation=vm busybox:bench true

ASSETS=$(ls -d "$TMP"/data/microvm/assets/*/ | head -1)
# The floor's initramfs: busybox and an init that powers off at once, which ends QEMU (a reboot
# is ~1.2 s slower under TCG: x86 tries the keyboard controller the microvm machine lacks).
mkdir -p "$TMP/bare/bin" "$TMP/bare/dev"
cp /bin/busybox "$TMP/bare/bin/busybox"
mknod "$TMP/bare/dev/console" c 5 1
printf '#!/bin/busybox sh\n/bin/busybox poweroff -f\n' > "$TMP/bare/init"
chmod 755 "$TMP/bare/init"
(cd "$TMP/bare" && find . | cpio -o -H newc --quiet > "$TMP/bare.cpio")
mkdir -p "$TMP/floor/share"
printf "BERTH_WORKDIR='/'\nset -- 'PATH=/bin' /bin/busybox nsenter -F --root=/newroot --wd=/newroot/ -S 0 -G 0 -- true\n" \
  > "$TMP/floor/share/run.sh"
# berth-boot reads the command from here without -t/-i (decision 3750); run.sh is for the shell init
printf '%s\0' berth-command-1 / 0 0 1 PATH=/bin true > "$TMP/floor/share/command"
for f in hosts hostname resolv.conf; do echo > "$TMP/floor/share/$f"; done
# The floor's network: a tap in a namespace, as Berth makes one beside the container's eth0.
ip netns add "$NS"
ip -n "$NS" tuntap add tap0 mode tap
ip -n "$NS" link set tap0 up
echo "02:42:0a:63:00:02 10.99.0.2/24 -" > "$TMP/floor/share/net"
KHZ=$(awk -F: '/cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
MACHINE=microvm; CPU=host; ACCEL_OPTS=$ACCEL
# Berth's TCG options (MicroVmCommand): the same for the floor
MEM=""
[ "$ACCEL" = tcg ] && { MACHINE=microvm,pit=on,memory-backend=ram; CPU=max,-erms; ACCEL_OPTS=tcg,tb-size=24
  MEM="-object memory-backend-memfd,id=ram,size=256M"; }
# The guest command line Berth uses (MicroVmCommand.append): keep the two the same.
APPEND="console=ttyS0 quiet panic=-1 rdinit=/init pci=off 8250.nr_uarts=1 i8042.noaux i8042.nomux i8042.nopnp"
APPEND="$APPEND i8042.dumbkbd cryptomgr.notests random.trust_cpu=on lockdown=confidentiality"
[ "$ACCEL" = tcg ] && APPEND="$APPEND nokaslr tsc_early_khz=$KHZ"
F=$TMP/floor
BARE="qemu-system-x86_64 -machine $MACHINE -accel $ACCEL_OPTS -cpu $CPU -smp 1 -m 256M $MEM -nodefaults -no-user-config \
 -display none -no-reboot -serial file:$F/bare-serial.log -kernel ${ASSETS}vmlinux -initrd $TMP/bare.cpio \
 -append '$APPEND' -netdev tap,id=net0,ifname=tap0,script=no,downscript=no,vhost=off \
 -device virtio-net-device,netdev=net0,mac=02:42:0a:63:00:02"
BYHAND="qemu-system-x86_64 -machine $MACHINE -accel $ACCEL_OPTS -cpu $CPU -smp 1 -m 256M $MEM -nodefaults -no-user-config \
 -display none -no-reboot -serial file:$F/serial.log -kernel ${ASSETS}vmlinux -initrd ${ASSETS}initramfs.cpio \
 -append '$APPEND' -device virtio-serial-device,max_ports=16 \
 -fsdev local,id=output,path=$F/output,security_model=mapped-xattr -device virtio-9p-device,fsdev=output,mount_tag=output \
 -chardev socket,id=agent,path=$F/agent.sock,server=on,wait=off -device virtserialport,chardev=agent,name=agent \
 -fsdev local,id=rootfs,path=$TMP/rootfs,security_model=none -device virtio-9p-device,fsdev=rootfs,mount_tag=rootfs \
 -fsdev local,id=berth,path=$F/share,security_model=none,readonly=on -device virtio-9p-device,fsdev=berth,mount_tag=berth \
 -netdev tap,id=net0,ifname=tap0,script=no,downscript=no,vhost=off -device virtio-net-device,netdev=net0,mac=02:42:0a:63:00:02"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); accel $ACCEL"; $B info 2>/dev/null | grep -E "berth.(hypervisor|microvm)" || true
# Interleaved rather than one command after the other (hyperfine): on a shared machine the load
# drifts, and each ratio should compare runs made under the same load.
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# QEMU's CPU time (user + system) for the two boots run here: a TCG guest is CPU-bound, so this is
# the work done, far less moved by other load than the wall time (decision 3300). Ticks of the
# children this shell reaped.
TICK_MS=$((1000 / $(getconf CLK_TCK)))
ticks() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }
FL=""; BH=""; VM=""; VN=""; RC=""; FC=""; HC=""
run=1
[ "${MEMORY_ONLY-}" = 1 ] && run=$((RUNS + 1))
while [ "$run" -le "$RUNS" ]; do
  rm -rf "$F/serial.log" "$F/output"; mkdir "$F/output"; : > "$F/output/stdout"; : > "$F/output/stderr"
  c=$(ticks); t=$(date +%s%N); ip netns exec "$NS" sh -c "$BARE"; f=$(ms "$t"); fc=$(( ($(ticks) - c) * TICK_MS ))
  c=$(ticks); t=$(date +%s%N); ip netns exec "$NS" sh -c "$BYHAND"; h=$(ms "$t"); hc=$(( ($(ticks) - c) * TICK_MS ))
  # A guest init that failed (its network, say) powers off early: that would measure nothing.
  grep -q '^berth-exit 0' "$F/serial.log" 2>/dev/null || { echo "the guest of QEMU by hand failed:"; cat "$F/serial.log"; exit 1; }
  t=$(date +%s%N); $B run --rm --isolation=vm busybox:bench true; v=$(ms "$t")
  t=$(date +%s%N); $B run --rm --isolation=vm --network none busybox:bench true; n=$(ms "$t")
  t=$(date +%s%N); $B run --rm busybox:bench true; r=$(ms "$t")
  echo "run $run: floor $f ms (CPU $fc ms), QEMU by hand with Berth's initramfs $h ms (CPU $hc ms), berth --isolation=vm $v ms" \
    "(--network none $n ms), berth (runc) $r ms; load $(cut -d' ' -f1 /proc/loadavg)"
  FL="$FL $f"; BH="$BH $h"; VM="$VM $v"; VN="$VN $n"; RC="$RC $r"; FC="$FC $fc"; HC="$HC $hc"
  run=$((run + 1))
done
[ "${MEMORY_ONLY-}" = 1 ] || echo "$FL|$VM|$RC|$VN|$BH|$FC|$HC" | awk -F'|' '
  function mean(s,   n, a, i, t) { n = split(s, a, " "); t = 0; for (i = 1; i <= n; i++) t += a[i]; return t / n }
  function min(s,   n, a, i, m) { n = split(s, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
  { f = mean($1); v = mean($2); r = mean($3); n = mean($4); h = mean($5)
    printf "floor (qemu, tap, init exits) mean %6.0f ms  min %6.0f ms\n", f, min($1)
    printf "qemu by hand, Berth initramfs mean %6.0f ms  min %6.0f ms  %5.2fx the floor (the guest init)\n", h, min($5), h / f
    printf "berth run --isolation=vm      mean %6.0f ms  min %6.0f ms  %5.2fx the floor (goal <= 1.2x; min/min %4.2fx)\n", v, min($2), v / f, min($2) / min($1)
    printf "  --network none              mean %6.0f ms  min %6.0f ms\n", n, min($4)
    printf "berth run (runc)              mean %6.0f ms  min %6.0f ms  vm/process %4.1fx\n", r, min($3), v / r
    printf "QEMU CPU time: floor mean %5.0f ms (min %5.0f), by hand mean %5.0f ms (min %5.0f): %4.2fx (min/min %4.2fx)\n", \
      mean($6), min($6), mean($7), min($7), mean($7) / mean($6), min($7) / min($6) }'

if [ "${TRACE-}" = 1 ]; then
  rm -rf "$F/serial.log" "$F/output"; mkdir "$F/output"; : > "$F/output/stdout"; : > "$F/output/stderr"
  ip netns exec "$NS" sh -c "$(echo "$BYHAND" | sed "s|-append '$APPEND'|-append '$APPEND berth.trace'|")"
  echo "the guest's boot steps (seconds since the kernel started; load $(cut -d' ' -f1 /proc/loadavg)):"
  grep 'berth-boot' "$F/serial.log" | tr -d '\r' | sed 's/^/  /'
fi

# Memory of an idle microVM container: QEMU's mappings by kind (smaps), after the boot settled.
memory() { # PID GUEST_MIB -> "rss pss guest-ram kernel-file tb other" in KiB
  awk -v kib="$(($2 * 1024))" '
    /^[0-9a-f]+-[0-9a-f]+ / { perm = $2; name = $6; kind = "other"
      if (name ~ /vmlinux$/ || name ~ /initramfs.cpio$/) kind = "kernel"; else if (perm == "rwxp" && name == "") kind = "tb" }
    /^Size:/ { if ((perm == "rw-p" && name == "" || perm == "rw-s" && name ~ /^\/memfd:/) && $2 == kib) kind = "ram" }
    /^Rss:/ { rss += $2; part[kind] += $2 }
    /^Pss:/ { pss += $2 }
    END { printf "%d %d %d %d %d %d\n", rss, pss, part["ram"], part["kernel"], part["tb"], part["other"] }' "/proc/$1/smaps"
}
settled() { # waits until the container's QEMU RSS stops growing (the boot is over), at most 60 s
  last=0; i=0
  while [ "$i" -lt 60 ]; do
    now=$(awk '/VmRSS/ {print $2}' "/proc/$1/status")
    [ "$now" -gt 0 ] && [ $((now - last)) -lt 256 ] && [ "$i" -ge 5 ] && return 0
    last=$now; i=$((i + 1)); sleep 1
  done
}
up() { # ID: waits until the container's first line is in its log (the guest init is done), at most 120 s
  i=0; until $B logs "$1" 2>/dev/null | grep -q up; do i=$((i + 1)); [ "$i" -lt 1200 ] || return 1; sleep 0.1; done
}
ID=$($B run -d --isolation=vm busybox:bench sh -c 'echo up; exec sleep 600')
QPID=$($B inspect --format '{{.State.Pid}}' "$ID")
up "$ID"
settled "$QPID"
memory "$QPID" 256 | awk '{ printf "idle microVM container (256 MiB guest): QEMU RSS %d MiB, PSS %d MiB = guest RAM %d + kernel and initramfs files %d + TCG translation buffer %d + QEMU itself %d MiB (RSS parts; goal RSS <= 150 MB)\n", $1/1024, $2/1024, $3/1024, $4/1024, $5/1024, $6/1024 }'
ID2=$($B run -d --isolation=vm busybox:bench sh -c 'echo up; exec sleep 600')
QPID2=$($B inspect --format '{{.State.Pid}}' "$ID2")
up "$ID2"
settled "$QPID2"
echo "two idle microVM containers: mean PSS $(( ($(memory "$QPID" 256 | cut -d' ' -f2) + $(memory "$QPID2" 256 | cut -d' ' -f2)) / 2048 )) MiB each; load $(cut -d' ' -f1 /proc/loadavg)"
$B exec "$ID" true
settled "$QPID"
memory "$QPID" 256 | awk '{ printf "the first after an exec: QEMU RSS %d MiB, PSS %d MiB, guest RAM %d MiB\n", $1/1024, $2/1024, $3/1024 }'
$B rm -f "$ID" "$ID2" >/dev/null
