FROM bbox:1
COPY --foo=1 a b
