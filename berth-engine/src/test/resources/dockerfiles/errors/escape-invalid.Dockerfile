# escape=x
FROM bbox:1
