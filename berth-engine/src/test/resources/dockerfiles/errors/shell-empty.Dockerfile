FROM bbox:1
SHELL []
