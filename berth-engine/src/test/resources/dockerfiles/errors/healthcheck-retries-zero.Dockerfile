FROM bbox:1
HEALTHCHECK --retries=0 CMD x
