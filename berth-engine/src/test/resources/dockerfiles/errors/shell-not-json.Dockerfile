FROM bbox:1
SHELL /bin/sh -c
