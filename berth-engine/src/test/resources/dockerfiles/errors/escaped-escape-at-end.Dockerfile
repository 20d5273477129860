# escape=`
FROM bbox:1
LABEL a=1 ``
LABEL b=2 `
  c=3
