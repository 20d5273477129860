FROM bbox:1
HEALTHCHECK --retries=x CMD x
