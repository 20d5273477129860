FROM bbox:1
COPY --chown a b
