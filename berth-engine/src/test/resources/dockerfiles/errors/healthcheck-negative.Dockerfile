FROM bbox:1
HEALTHCHECK --timeout=-1s CMD x
