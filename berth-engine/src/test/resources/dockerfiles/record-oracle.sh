#!/bin/bash
# Records what dockerd 20.10's classic builder makes of the corpus, as the expected values of
# DockerfileCorpusTest: for valid/NAME.Dockerfile its "Step N/M : ..." lines (NAME.steps) and
# the image's Config (NAME.config.json); for errors/NAME.Dockerfile the error (NAME.error).
# Needs a dockerd on DOCKER_HOST with an image bbox:1 (busybox-static imported:
# a rootfs with /bin/busybox, sh/echo/... links, /etc/passwd), e.g. started by hand as
# berth-testkit's DockerdProcess starts one. Run from this directory.
set -u
here=$(pwd)
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
echo a > "$ctx/a.txt"; echo b > "$ctx/b.txt"; mkdir "$ctx/dir"; echo c > "$ctx/dir/c.txt"
# The Dockerfile goes into the context as "Dockerfile", the name dockerd's messages use.
build() { cp "$1" "$ctx/Dockerfile"; DOCKER_BUILDKIT=0 docker build --no-cache --network=none "${@:2}" "$ctx" 2>&1; }
for f in valid/*.Dockerfile; do
  name=${f%.Dockerfile}
  tag=corpus-$(basename "$name" | tr 'A-Z' 'a-z')
  out=$(build "$here/$f" -t "$tag")
  printf '%s\n' "$out" | sed 's/\x1b\[[0-9;]*m//g' | grep '^Step ' > "$name.steps"
  docker image inspect -f '{{json .Config}}' "$tag" > "$name.config.json" || echo "FAILED: $f: $out"
done
for f in errors/*.Dockerfile; do
  name=${f%.Dockerfile}
  build "$here/$f" | sed -n 's/^Error response from daemon: //p' > "$name.error"
done
