FROM bbox:1
COPY --from=x --from=y a b
