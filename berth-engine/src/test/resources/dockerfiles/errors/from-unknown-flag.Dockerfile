FROM --x=1 bbox:1
