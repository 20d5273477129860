FROM bbox:1
HEALTHCHECK CMD ["/bin/true", "arg"]
CMD ["echo", "exec"]
ENTRYPOINT /bin/sh
HEALTHCHECK NONE
