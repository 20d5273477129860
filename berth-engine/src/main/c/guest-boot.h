/* What guest-boot.c (the boot) and guest-run.c (the command in relay mode) share: one binary, berth-boot. */
#ifndef BERTH_GUEST_BOOT_H
#define BERTH_GUEST_BOOT_H
#include <stddef.h>

extern int tracing;
/* Prints "berth-init: WHAT" and hands over to the shell init, which reports exit code 255. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void trace(const char *step);
void do_mount(const char *src, const char *target, const char *type, unsigned long flags, const char *data);
void ensure_dir(const char *path);
int first_line(const char *path, char *buf, size_t size);
/* guest-run.c: the volumes, binds and tmpfs of /berth/mounts in /newroot (every mode). */
void mount_volumes(void);
/* guest-run.c: runs /berth/command, serves ttyS0 and powers off. Never returns. */
void run_container(void) __attribute__((noreturn));
/* guest-run.c: "/init --exec WORKDIR UID GID -- ARGV..." (args from WORKDIR on). Never returns. */
int exec_in_root(char **args) __attribute__((noreturn));
#endif
