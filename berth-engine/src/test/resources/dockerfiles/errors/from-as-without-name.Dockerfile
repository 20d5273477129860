FROM bbox:1
FROM bbox:1 as
