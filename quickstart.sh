#!/bin/sh
# Berth's quick start, as root on Debian 12: install what Berth needs, build it, start berthd
# in the background, and run the main job. Safe to run again: it rebuilds and restarts berthd.
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
cd "$BERTH_HOME"
if [ "$(id -u)" != 0 ]; then
  echo "quickstart.sh must run as root: it installs packages and starts berthd." >&2
  exit 1
fi

bin/install-deps
bin/build
ln -sf "$BERTH_HOME/bin/berth" /usr/local/bin/berth
ln -sf "$BERTH_HOME/bin/berthd" /usr/local/bin/berthd

# Restart berthd on the default roots and socket (/var/lib/berth, /run/berth).
PIDFILE=/run/berth/berthd.pid
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  OLD=$(cat "$PIDFILE")
  echo "Stopping the running berthd (pid $OLD)"
  kill "$OLD"
  i=0
  while kill -0 "$OLD" 2>/dev/null; do
    i=$((i + 1)); [ "$i" -lt 300 ] || { echo "berthd $OLD did not stop" >&2; exit 1; }
    sleep 0.1
  done
fi
mkdir -p /var/log
nohup "$BERTH_HOME/bin/berthd" >> /var/log/berthd.log 2>&1 &
i=0
until bin/berth version > /dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -gt 300 ]; then
    echo "berthd did not come up; its log:" >&2; tail -n 30 /var/log/berthd.log >&2; exit 1
  fi
  sleep 0.1
done
echo "berthd is running (log: /var/log/berthd.log, socket: /run/berth/berth.sock)"
echo

# The main job.
berth version
echo
berth info
echo

# An image without internet access: the host's static busybox (Debian's busybox-static),
# imported as busybox:latest the first time.
if ! berth image inspect busybox:latest > /dev/null 2>&1; then
  ROOTFS=$(mktemp -d /tmp/berth-busybox.XXXXXX)
  mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/root" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev"
  chmod 1777 "$ROOTFS/tmp"
  cp /bin/busybox "$ROOTFS/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$ROOTFS/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$ROOTFS/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$ROOTFS/etc/group"
  tar -C "$ROOTFS" -c . | berth import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' - busybox:latest
  rm -rf "$ROOTFS"
fi
berth images
echo
berth run --rm busybox echo "hello from a Berth container"
echo

# The trade-off Berth exists for, on one screen: the same image as a container (the host's
# kernel, namespaces) and as a microVM container (its own kernel under QEMU: KVM where the host
# has it, TCG emulation otherwise). `berth bench` measures the whole table.
echo "The same image, two isolations (berth run --rm --isolation=...):"
for isolation in process vm; do
  t0=$(date +%s%N)
  if kernel=$(timeout 300 berth run --rm --isolation="$isolation" busybox uname -r 2>&1); then
    t1=$(date +%s%N)
    printf '  %-8s kernel %-24s created, ran and removed in %5d ms\n' "$isolation" "$kernel" $(((t1 - t0) / 1000000))
  else
    printf '  %-8s did not run here: %s\n' "$isolation" "$kernel"
  fi
done
berth info 2>/dev/null | grep 'berth.microvm=' | sed 's/^ *berth.microvm=/  the microVM: /' || true
echo

# A Dockerfile built into an image (on stdin here; usually `berth build -t NAME DIR`), then run.
printf 'FROM busybox\nRUN echo "hello from an image Berth built" > /hello.txt\nCMD ["cat", "/hello.txt"]\n' \
  | berth build -t quickstart-app -
berth run --rm quickstart-app
berth rmi quickstart-app > /dev/null
echo

# A web server: a named volume holds its page, a published port serves it to the host.
berth rm -f quickstart-web > /dev/null 2>&1 || true
berth volume rm quickstart-www > /dev/null 2>&1 || true
berth run --rm -v quickstart-www:/www busybox sh -c \
  'echo "hello from a Berth volume, served through a published port" > /www/index.html'
berth run -d --name quickstart-web -p 127.0.0.1::80 -v quickstart-www:/www:ro busybox httpd -f -p 80 -h /www \
  > /dev/null
ADDRESS=$(berth port quickstart-web 80/tcp)
echo "quickstart-web serves on $ADDRESS:"
curl -sS --retry 20 --retry-connrefused --retry-delay 1 --max-time 10 "http://$ADDRESS/"
berth rm -f quickstart-web > /dev/null
berth volume rm quickstart-www > /dev/null
