FROM bbox:1
ENV a=b c
