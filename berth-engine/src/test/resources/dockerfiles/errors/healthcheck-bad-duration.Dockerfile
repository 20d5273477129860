FROM bbox:1
HEALTHCHECK --interval=abc CMD x
