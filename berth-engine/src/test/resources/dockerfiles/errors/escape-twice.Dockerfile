# escape=`
# escape=\
FROM bbox:1
