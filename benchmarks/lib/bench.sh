# Sourced by the benchmark scripts (after they set BERTH_HOME and TMP): the busybox image every
# engine is given, and a berthd of the script's own on its temp dir.

# $TMP/rootfs: Debian's static busybox with its applets, root's passwd and group;
# $TMP/busybox.tar: the same as an image to import.
busybox_rootfs() {
  mkdir -p "$TMP/rootfs/bin" "$TMP/rootfs/etc" "$TMP/rootfs/tmp"
  cp /bin/busybox "$TMP/rootfs/bin/busybox"
  for a in $("$TMP/rootfs/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$TMP/rootfs/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$TMP/rootfs/etc/passwd"
  echo 'root:x:0:' > "$TMP/rootfs/etc/group"
  tar -C "$TMP/rootfs" -cf "$TMP/busybox.tar" .
}

# start_berthd [FLAG...]: berthd on $TMP's roots and socket with $TMP/daemon.json, its log in
# $TMP/berthd.log, waited for until it is ready (at most 30 s); sets PID, and B to the CLI on it.
start_berthd() {
  "$BERTH_HOME/bin/berthd" --data-root "$TMP/data" --exec-root "$TMP/exec" -H "unix://$TMP/b.sock" \
    --config-file "$TMP/daemon.json" "$@" > "$TMP/berthd.log" 2>&1 &
  PID=$!
  i=0
  until grep -q ready "$TMP/berthd.log" 2>/dev/null; do i=$((i + 1)); [ "$i" -lt 300 ] || { cat "$TMP/berthd.log"; exit 1; }; sleep 0.1; done
  B="$BERTH_HOME/bin/berth -H unix://$TMP/b.sock"
}
