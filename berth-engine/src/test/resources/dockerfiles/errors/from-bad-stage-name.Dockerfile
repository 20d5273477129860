FROM bbox:1 AS 1x
