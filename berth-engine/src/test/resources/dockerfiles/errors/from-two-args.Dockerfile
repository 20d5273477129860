FROM bbox:1
RUN true
FROM a b
