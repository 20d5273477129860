FROM bbox:1
ONBUILD onbuild x
