#!/bin/bash
# Records which files of a fixed context dockerd 20.10 + the docker CLI keep for each
# NAME.ignore used as the .dockerignore (NAME.included: the files under COPY . /ctx, sorted).
# The tree is the one DockerIgnoreTest lists (TREE). Needs DOCKER_HOST and an image bbox:1
# (see ../dockerfiles/record-oracle.sh). Run from this directory.
set -u
here=$(pwd)
for f in *.ignore; do
  ctx=$(mktemp -d)
  for p in a.txt b.md .hidden dir/c.txt dir/d.md dir/sub/e.txt dir/sub/deep/f.txt other/g.txt other/dir/h.txt \
      node_modules/pkg/index.js node_modules/pkg/README.md 'x[1].txt' 'spaced name.txt'; do
    mkdir -p "$ctx/$(dirname "$p")"; echo "$p" > "$ctx/$p"
  done
  printf 'FROM bbox:1\nCOPY . /ctx\nRUN cd /ctx && find . -type f | sed "s|^./||" | sort | sed "s|^|FILE |"\n' > "$ctx/Dockerfile"
  cp "$f" "$ctx/.dockerignore"
  DOCKER_BUILDKIT=0 docker build --no-cache --network=none --rm "$ctx" 2>&1 | sed -n 's/^FILE //p' > "${f%.ignore}.included"
  rm -rf "$ctx"
done
