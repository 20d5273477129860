FROM bbox:1
ARG =x
