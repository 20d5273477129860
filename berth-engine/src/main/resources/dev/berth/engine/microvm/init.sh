#!/bin/busybox sh
# Berth's guest init: PID 1 of a microVM container, after berth-boot. It mounts the container's root file system
# (9p tag "rootfs"), runs the command from /berth/run.sh in it (env, workdir, uid/gid through
# /init --exec, i.e. berth-boot), sets up the network from /berth/net, sends stdout and stderr to the host (without
# a terminal or stdin: pipes that berth-boot's relay copies to files on the 9p share "output";
# with them: virtio-serial ports) and the exit code as a line "berth-exit CODE" on the serial
# console (a port costs the guest ~4 MiB of receive buffers), and powers off, which ends QEMU. The
# host sends signal numbers, "resize" and "agent" lines on ttyS0.
bb=/bin/busybox
# run.sh and the exec agent's scripts run the command through "/init --exec" when this is set,
# through busybox nsenter in the guest of an older Berth (whose /init has no --exec: decision 3750).
berth_exec=1
fail() {
  echo "berth-init: $*"
  echo "berth-exit 255" >/dev/console
  $bb poweroff -f
}
# Every process costs tens of milliseconds under TCG: the boot path reads files with the shell's
# read, not with cat in a command substitution. first_line sets $line to the first line of $1.
first_line() {
  line=
  read -r line 2>/dev/null <"$1"
}
# Mounts, modules, the network, the ports and the rootfs's /proc, /dev and /etc files: done before
# this script by the guest's first process (berth-boot, from guest-boot.c: the initramfs's /init),
# not by a busybox each; it wrote the ports' devices (or relay=1: the output pipes are fds 7 and 8, fd 9
# ends when the relay copied everything) to /tmp/boot.env and execs this script with BERTH_BOOT set
# to 0 (or 1 when it failed).
# Without a terminal or stdin berth-boot runs the command itself (decision 3750) and starts this script
# only as the exec agent, with BERTH_AGENT=1, on berthd's first "agent" line: it then skips the mounts
# and the command, loads and runs the agent, and never reads ttyS0 (berth-boot serves it).
agent_only=${BERTH_AGENT-}
unset BERTH_AGENT
booted=${BERTH_BOOT:-1}
unset BERTH_BOOT
[ -r /tmp/boot.env ] && . /tmp/boot.env
[ -n "$agent_only" ] || [ "$booted" = 0 ] || fail "the boot failed (the reason is above)"

# Volumes, binds and tmpfs (/berth/mounts) are mounted by berth-boot before this script runs.

# Sets BERTH_WORKDIR and the positional parameters: env assignments, then /init --exec and the command.
if [ -z "$agent_only" ]; then
  . /berth/run.sh
  [ -d "/newroot$BERTH_WORKDIR" ] || $bb mkdir -p "/newroot$BERTH_WORKDIR"
fi
port_named() {
  for p in /sys/class/virtio-ports/*; do
    first_line "$p/name"
    [ "$line" = "$1" ] && echo "/dev/${p##*/}"
  done
}
# The device of port $1, waiting for it: berthd hot-plugs a slot's ports just before its first exec.
port_wait() {
  i=0
  while [ $i -lt 500 ]; do
    d=$(port_named "$1")
    [ -n "$d" ] && { echo "$d"; return 0; }
    $bb usleep 20000
    i=$((i + 1))
  done
  return 1
}
# The terminal of slot $1 (its console x<n>t): known from an earlier exec, or the hvc that opens
# now and belongs to no one else (consoles are numbered by the kernel as they are plugged; berthd
# plugs one at a time and asks the agent, which runs this before answering, before the next).
slot_tty() {
  [ -s "/tmp/slot-$1.hvc" ] && { $bb cat "/tmp/slot-$1.hvc"; return 0; }
  port_wait "x${1}t" >/dev/null || return 1
  i=0
  while [ $i -lt 250 ]; do
    for n in 0 1 2 3 4 5 6 7; do
      $bb grep -qx "hvc$n" /tmp/hvc-taken && continue
      if (: <>"/dev/hvc$n") 2>/dev/null; then
        echo "hvc$n" >>/tmp/hvc-taken
        echo "hvc$n" >"/tmp/slot-$1.hvc"
        echo "hvc$n"
        return 0
      fi
    done
    $bb usleep 20000
    i=$((i + 1))
  done
  return 1
}
# An interactive exec in slot $1 (script /tmp/exec-$1.sh), with a terminal when $2 is 1: the
# slot's console, else its in/out/err ports. The exit code goes to its x port.
run_slot() {
  slot=$1
  tty=$2
  xport=$(port_wait "x${slot}x") || return
  . "/tmp/exec-$slot.sh"
  if [ "$tty" = 1 ]; then
    t=/dev/$($bb cat "/tmp/slot-$slot.hvc")
    # Held open from here: a tty nobody has open forgets its size.
    exec 4<>"$t"
    $bb stty -F "$t" sane
    [ "$BERTH_ROWS" -gt 0 ] && $bb stty -F "$t" rows "$BERTH_ROWS" cols "$BERTH_COLS"
    [ -r "/tmp/slot-$slot.size" ] && read -r r c <"/tmp/slot-$slot.size" && $bb stty -F "$t" rows "$r" cols "$c"
    $bb setsid -c $bb env -i "$@" <&4 >&4 2>&4 4<&-
  else
    in=$(port_wait "x${slot}i") && out=$(port_wait "x${slot}o") && err=$(port_wait "x${slot}e") \
      && exec 3<>"$in" && echo >&3 && $bb env -i "$@" <&3 3<&- >"$out" 2>"$err"
  fi
  echo "$?" >"$xport"
}
# The exec agent: berthd connects to the port's socket, sends one line (a run.sh-style script,
# base64), and reads "CODE STDOUT STDERR" (base64) when the command ended; or, for an interactive
# exec, "x SLOT TTY ROWS COLS SCRIPT", answered "started" at once (see run_slot). A request may
# start with "t TAG ": its answer then starts with "TAG ", so a client that finds the answer to an
# earlier request it gave up on (it waits in the port) skips it. The port can be open
# only once: read and write through one descriptor. Without berthd connected a read ends at once:
# wait a little before opening it again.
start_agent() {
  (
    while :; do
      while read -r req; do
        tag=
        case "$req" in
          t\ *)
            req=${req#t }
            tag="${req%% *} "
            req=${req#* }
            ;;
        esac
        case "$req" in
          x\ *)
            # "x SLOT TTY ROWS COLS SCRIPT": started in the background, answered at once
            set -- $req
            if [ "$3" = 1 ] && ! slot_tty "$2" >/dev/null; then
              echo "${tag}no terminal for exec slot $2"
              continue
            fi
            $bb rm -f "/tmp/slot-$2.size"
            echo "$6" | $bb base64 -d >"/tmp/exec-$2.sh"
            echo "BERTH_ROWS=$4 BERTH_COLS=$5" >>"/tmp/exec-$2.sh"
            run_slot "$2" "$3" </dev/null >/dev/null 2>&1 &
            echo "${tag}started"
            continue
            ;;
        esac
        echo "$req" | $bb base64 -d >/tmp/exec.sh
        (
          . /tmp/exec.sh
          exec $bb env -i "$@"
        ) </dev/null >/tmp/exec.out 2>/tmp/exec.err
        echo "$tag$? $($bb base64 -w 0 </tmp/exec.out) $($bb base64 -w 0 </tmp/exec.err)"
      done <>"$port_agent" >&0
      $bb usleep 200000
    done
  ) </dev/null >/dev/null 2>&1 9<&- &
}
# Without a terminal or stdin the agent's port (virtio-serial, ~8 MiB of guest buffers with the
# control queue's) comes only when berthd first needs it: it sends "agent" on the control channel
# before each request (decision 3400). Its request waits in QEMU's socket until the port is open.
load_agent() {
  [ -n "$port_agent" ] && return 0
  port_agent=$(/init --agent) || { port_agent=; return 1; }
  start_agent
}
if [ -n "$agent_only" ]; then
  [ -e /tmp/hvc-taken ] || : >/tmp/hvc-taken
  load_agent || exit 1
  wait # for the agent's loop: it never ends
  exit 0
fi
# /berth/stdio: "tty" (the process gets the console hvc0 as its terminal, in a session of its
# own), "stdin" (stdin from the host's port) or "none".
stdio=none
[ -r /berth/stdio ] && read -r stdio _ </berth/stdio
[ -d /tmp ] || $bb mkdir -p /tmp
: >/tmp/hvc-taken
case "$stdio" in
  tty)
    echo hvc0 >/tmp/hvc-taken
    $bb stty -F /dev/hvc0 sane
    # the size berthd was last asked for (a client resizes while the guest boots)
    [ -r /berth/tty-size ] && read -r r c </berth/tty-size && $bb stty -F /dev/hvc0 rows "$r" cols "$c"
    $bb setsid -c $bb env -i "$@" <>/dev/hvc0 >&0 2>&0 &
    ;;
  stdin)
    i=0
    while [ -z "$port_stdin" ] && [ $i -lt 500 ]; do
      for p in /sys/class/virtio-ports/*; do
        first_line "$p/name"
        [ "$line" = stdin ] && port_stdin=/dev/${p##*/}
      done
      [ -n "$port_stdin" ] || { $bb usleep 10000; i=$((i + 1)); }
    done
    # One byte back tells berthd the port is open: only then may it close its side for an EOF
    # (QEMU drops what a closed client sent before the guest opened the port).
    exec 3<>"${port_stdin:-/dev/null}"
    echo >&3
    $bb env -i "$@" <&3 3<&- >"$port_stdout" 2>"$port_stderr" &
    exec 3<&-
    ;;
  *)
    if [ "$relay" = 1 ]; then
      $bb env -i "$@" </dev/null >&7 2>&8 7>&- 8>&- 9<&- &
    else
      $bb env -i "$@" </dev/null >"$port_stdout" 2>"$port_stderr" &
    fi ;;
esac
pid=$!
# Only the command (and what it starts) holds the pipes' write ends: the relay sees their end
# when the last of them ended. Nothing forked below may keep a copy.
[ "$relay" = 1 ] && exec 7>&- 8>&-
# The control channel (ttyS0, from berthd): a signal number for the main process, or
# "resize main|SLOT ROWS COLS" for a terminal (the kernel sends SIGWINCH to its foreground group),
# or "agent" (load_agent: berthd is about to use the exec agent; again and again is harmless).
# (berth-boot turned off the channel's echo.)
(
  [ "$stdio" = tty ] && [ -r /berth/tty-size ] && read -r r c </berth/tty-size \
    && $bb stty -F /dev/hvc0 rows "$r" cols "$c"
  # berthd holds its lines until it reads this (decision 3600): one sent before is lost in the boot.
  echo berth-ready >/dev/console
  while read -r a b c d; do
    case "$a" in
      resize)
        t=
        case "$b" in
          main) t=hvc0 ;;
          [0-9])
            t=$($bb cat "/tmp/slot-$b.hvc" 2>/dev/null)
            echo "$c $d" >"/tmp/slot-$b.size" ;; # for an exec whose terminal is not open yet
        esac
        [ -n "$t" ] && $bb stty -F "/dev/$t" rows "$c" cols "$d" 2>/dev/null ;;
      agent) load_agent ;;
      ''|*[!0-9]*) ;;
      *) $bb kill -"$a" "$pid" 2>/dev/null ;;
    esac
  done </dev/ttyS0
) 9<&- &
[ -n "$port_agent" ] && start_agent
wait "$pid"
code=$?
# The relay ends once it copied the last bytes (fd 9 then reads an end), so the output is on the
# host before the report; at most a second, for a background process that keeps the pipes open.
[ "$relay" = 1 ] && read -r -t 1 _ <&9
echo "berth-exit $code" >/dev/console
# berthd ends QEMU once it reads the code; the power-off is for when no berthd is watching. Not a
# reboot: x86's reboot tries the keyboard controller the microvm machine lacks, ~1.2 s under TCG.
$bb poweroff -f
