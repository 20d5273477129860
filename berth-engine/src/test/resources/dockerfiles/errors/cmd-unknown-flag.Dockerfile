FROM bbox:1
CMD --x=1 a
