FROM bbox:1
CMD echo "first"
SHELL ["/bin/sh", "-x", "-c"]
ENTRYPOINT ["/bin/sh", "-c"]
CMD echo   spaced   $HOME
EXPOSE 7000-7002/tcp 9000/udp
HEALTHCHECK --timeout=1.5s CMD true
