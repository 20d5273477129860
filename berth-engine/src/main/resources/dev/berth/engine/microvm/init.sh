#!/bin/busybox sh
# Berth's guest init: PID 1 of a microVM container. It mounts the container's root file system
# (9p tag "rootfs"), runs the command from /berth/run.sh in it (env, workdir, uid/gid through
# busybox nsenter), sets up the network from /berth/net, sends stdout, stderr and the exit code to
# the host over virtio-serial ports, and reboots, which ends QEMU (-no-reboot). The host sends signal numbers as lines on ttyS0.
bb=/bin/busybox
fail() {
  echo "berth-init: $*"
  [ -n "$port_exit" ] && echo 255 >"$port_exit"
  $bb reboot -f
}
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
while read -r m; do
  $bb insmod "/lib/modules/$m" || fail "cannot load module $m"
done </lib/modules/order
$bb mount -t 9p -o trans=virtio,version=9p2000.L,ro berth /berth || fail "cannot mount the config share"
$bb mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 rootfs /newroot || fail "cannot mount the rootfs"

# The network: each line of /berth/net is "MAC ADDRESS/PREFIX GATEWAY|-" for the virtio-net
# interface with that MAC (the host's tap is redirected to the container's CNI interface).
$bb ip link set lo up
if [ -r /berth/net ]; then
  while read -r mac addr gw; do
    dev=
    i=0
    while [ -z "$dev" ] && [ $i -lt 300 ]; do
      for n in /sys/class/net/*; do
        [ "$($bb cat "$n/address" 2>/dev/null)" = "$mac" ] && dev=${n##*/}
      done
      [ -n "$dev" ] || { $bb usleep 10000; i=$((i + 1)); }
    done
    [ -n "$dev" ] || fail "no network interface with MAC $mac"
    $bb ip addr add "$addr" dev "$dev" || fail "cannot set $addr on $dev"
    $bb ip link set "$dev" up || fail "cannot bring $dev up"
    if [ "$gw" != - ]; then
      $bb ip route add default via "$gw" dev "$dev" || fail "cannot route through $gw"
    fi
  done </berth/net
fi

# The ports are named by the host; their device numbers depend on probe order.
i=0
while [ $i -lt 500 ]; do
  for p in /sys/class/virtio-ports/*; do
    [ -r "$p/name" ] || continue
    case "$($bb cat "$p/name")" in
      stdout) port_stdout=/dev/${p##*/} ;;
      stderr) port_stderr=/dev/${p##*/} ;;
      exit) port_exit=/dev/${p##*/} ;;
      agent) port_agent=/dev/${p##*/} ;;
    esac
  done
  [ -n "$port_stdout" ] && [ -n "$port_stderr" ] && [ -n "$port_exit" ] && [ -n "$port_agent" ] && break
  $bb usleep 10000
  i=$((i + 1))
done
[ -n "$port_exit" ] || fail "no virtio-serial ports"

for d in proc sys dev; do
  [ -d "/newroot/$d" ] || $bb mkdir -p "/newroot/$d"
done
$bb mount -t proc proc /newroot/proc
$bb mount -t sysfs sysfs /newroot/sys
$bb mount -t devtmpfs devtmpfs /newroot/dev
$bb mkdir -p /newroot/dev/pts /newroot/dev/shm
$bb mount -t devpts devpts /newroot/dev/pts
$bb mount -t tmpfs -o nosuid,nodev,size=65536k shm /newroot/dev/shm
if [ -d /newroot/etc ]; then
  for f in hosts hostname resolv.conf; do
    [ -e "/newroot/etc/$f" ] || $bb touch "/newroot/etc/$f"
    $bb mount --bind "/berth/$f" "/newroot/etc/$f"
  done
fi
$bb hostname "$($bb cat /berth/hostname)"

# Volumes, binds and tmpfs from /berth/mounts: "9p TAG ro|rw TARGET" or "tmpfs OPTIONS - TARGET".
# berthd made each target (resolved inside the rootfs) as a directory; read-only shares are
# read-only in QEMU as well.
if [ -r /berth/mounts ]; then
  while read -r kind a b target; do
    case "$kind" in
      9p) $bb mount -t 9p -o "trans=virtio,version=9p2000.L,msize=262144,$b" "$a" "/newroot$target" \
        || fail "cannot mount the share $a at $target" ;;
      tmpfs) $bb mount -t tmpfs -o "$a" tmpfs "/newroot$target" || fail "cannot mount a tmpfs at $target" ;;
    esac
  done </berth/mounts
fi

# Sets BERTH_WORKDIR and the positional parameters: env assignments, then the nsenter command.
. /berth/run.sh
$bb mkdir -p "/newroot$BERTH_WORKDIR"
$bb env -i "$@" </dev/null >"$port_stdout" 2>"$port_stderr" &
pid=$!
(
  $bb stty -F /dev/ttyS0 -echo 2>/dev/null
  while read -r sig; do
    case "$sig" in
      ''|*[!0-9]*) ;;
      *) $bb kill -"$sig" "$pid" 2>/dev/null ;;
    esac
  done </dev/ttyS0
) &
# The exec agent: berthd connects to the port's socket, sends one line (a run.sh-style script,
# base64), and reads "CODE STDOUT STDERR" (base64) when the command ended. The port can be open
# only once: read and write through one descriptor. Without berthd connected a read ends at once:
# wait a little before opening it again.
if [ -n "$port_agent" ]; then
  $bb mkdir -p /tmp
  (
    while :; do
      while read -r req; do
        echo "$req" | $bb base64 -d >/tmp/exec.sh
        (
          . /tmp/exec.sh
          exec $bb env -i "$@"
        ) </dev/null >/tmp/exec.out 2>/tmp/exec.err
        echo "$? $($bb base64 -w 0 </tmp/exec.out) $($bb base64 -w 0 </tmp/exec.err)"
      done <>"$port_agent" >&0
      $bb usleep 200000
    done
  ) </dev/null >/dev/null 2>&1 &
fi
wait "$pid"
code=$?
echo "$code" >"$port_exit"
# berthd ends QEMU once it reads the code; the reboot is for when no berthd is watching.
$bb reboot -f
