FROM bbox:1
COPY a
