# escape=`
FROM bbox:1
ENV WIN=C:\path\file `
    OTHER=`$literal
RUN echo one `
  two
LABEL dir="C:\Program Files\x" q="say `"hi`""
WORKDIR C:\work
CMD echo \$HOME
