FROM	bbox:1	AS	Edge
RUN echo "# not a comment" \
# a comment inside
   && echo done
ENV	TAB=a	B=b
LABEL a=b\\
LABEL c=d
RUN echo three\\\
ENV AFTER=1
USER root # not a comment either
ENV Q1="a\"b" Q2='a\b' Q3=a\ b Q4=${TAB}${B} Q5="${TAB} $B"
onbuild  run  echo child
WORKDIR /a
WORKDIR b/../c
WORKDIR ./d
VOLUME ["/v1"] ["/v2"]
STOPSIGNAL 9
LABEL "spaced key"="v" empty=
ARG X
ENV FROMX=${X:-unset}
