FROM bbox:1
ENV
