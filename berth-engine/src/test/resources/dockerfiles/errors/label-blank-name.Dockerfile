FROM bbox:1
LABEL =x
