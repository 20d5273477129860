ARG BASE=bbox
ARG TAG=1
FROM $BASE:$TAG AS build
RUN mkdir -p /out && echo built > /out/file
RUN ["/bin/sh", "-c", "echo exec form > /out/exec"]
COPY a.txt dir/ /in/
COPY --chown=1:2 ["b.txt", "/in/json dest/"]
ADD a.txt /added.txt

FROM ${BASE}:${TAG}
ARG TAG
ENV TAG=$TAG
COPY --from=build /out/file /file
COPY --from=0 /out/exec /exec
ENTRYPOINT echo $TAG
