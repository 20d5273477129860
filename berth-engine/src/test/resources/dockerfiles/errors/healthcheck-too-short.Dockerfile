FROM bbox:1
HEALTHCHECK --interval=999us CMD x
