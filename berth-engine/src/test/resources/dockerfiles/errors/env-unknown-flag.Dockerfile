FROM bbox:1
ENV --x=1 a=b
