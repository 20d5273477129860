FROM bbox:1
FOO
ENV a
