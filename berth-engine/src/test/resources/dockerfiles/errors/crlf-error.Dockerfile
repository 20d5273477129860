FROM bbox:1
ENV a=b
BAD x
