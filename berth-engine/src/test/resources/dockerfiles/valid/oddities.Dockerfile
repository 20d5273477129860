FROM bbox:1
healthcheck none
ARG a=1=2
ENV "a b"=c
USER ""
SHELL ["/bin/sh", "-c"] x
ENTRYPOINT []
EXPOSE ""
MAINTAINER a b
CMD [] x
ENV e=$"b" f=${a}
