FROM bbox:1
RUN true \
  && true
COPY \
  a
