FROM bbox:1
VOLUME ["/a", " "]
