# c
FROM bbox:1
# c

# c
BOGUS
