FROM bbox:1
HEALTHCHECK --interval=0s CMD x
