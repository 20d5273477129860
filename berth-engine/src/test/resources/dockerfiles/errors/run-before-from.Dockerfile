RUN true
FROM bbox:1
