# a comment before everything
ARG BASE=bbox:1
FROM ${BASE} AS First
ARG VERSION=1.0
ARG PORT=8080
ARG EMPTY
ENV APP=/app PATH=/usr/local/bin:/bin
ENV LEGACY value with  spaces
ENV QUOTED="a b" SINGLE='$APP' ESC=\$APP BRACES=${APP}/x
ENV DEFAULTED=${NOPE:-fallback} ALT=${APP:+set} ALT2=${NOPE:+set} DQ="x\"y\$z" MIXED=a"$APP"'$APP'
ENV EMPTYVAR="" FROMARG=$VERSION UNDECLARED=$HTTP_PROXY
LABEL "com.example.vendor"="ACME" version=$VERSION multi="line one \
line two"
LABEL legacy label value
MAINTAINER someone <a@b.c>
WORKDIR /srv
WORKDIR sub/$VERSION
USER 1000:1000
EXPOSE 80 53/udp ${PORT}
VOLUME /data $APP/cache
VOLUME ["/json", "/json two"]
STOPSIGNAL SIGINT
SHELL ["/bin/sh", "-e", "-c"]
HEALTHCHECK --interval=5s --timeout=2s --start-period=1m30s --retries=4 CMD wget -q localhost || exit 1
ONBUILD RUN echo child
ONBUILD   COPY . /src
ENTRYPOINT ["/bin/echo"]
CMD ["hello", "$APP"]
