FROM bbox:1
HEALTHCHECK --start-period=5x CMD x
