FROM bbox:1
HEALTHCHECK --interval=1s CMD
