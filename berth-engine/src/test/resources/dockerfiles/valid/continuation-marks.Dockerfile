FROM bbox:1
LABEL a=1 \
\
  b=2
LABEL c=3\\
LABEL d=4
