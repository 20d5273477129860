FROM bbox:1
HEALTHCHECK --timeout=5 CMD x
