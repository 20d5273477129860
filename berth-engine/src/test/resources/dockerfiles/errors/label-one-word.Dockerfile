FROM bbox:1
LABEL a
