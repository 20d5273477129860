/*
 * berth-boot's relay mode (docs/decisions/3750): without a terminal or stdin (/berth/stdio "none")
 * the boot helper stays PID 1 and runs the container's command itself instead of exec'ing the
 * shell init, which under TCG cost four busybox execs (sh parsing init.sh, env -i, nsenter) of
 * 20-40 ms each. It
 *   1. (before it, in every mode: mount_volumes, the volumes, binds and tmpfs of /berth/mounts);
 *   2. reads /berth/command (GuestCommand.commandFile: NUL-ended fields, nothing to unquote);
 *   3. forks the command: default signal dispositions, an empty mask, stdin /dev/null, stdout and
 *      stderr the relay's pipes (fds 7 and 8), nothing else open; chroot /newroot, the workdir
 *      (made when missing), setgroups/setgid/setuid as busybox `nsenter -S -G`, exactly the
 *      container's environment, a PATH search with the container's PATH;
 *   4. serves the control channel (ttyS0: signal numbers, "resize", "agent") and reaps children
 *      (orphans come to PID 1) until the command exits; the exec agent is the shell init in its
 *      agent-only mode (BERTH_AGENT=1), started on the first "agent" line;
 *   5. waits for the relay (fd 9, at most 1 s), reports "berth-exit CODE" and powers off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "guest-boot.h"

extern char **environ;

/* /berth/command, parsed: pointers into one buffer that lives until the power-off. */
struct command {
  const char *workdir;
  uid_t uid;
  gid_t gid;
  char **env;  /* NULL-terminated */
  char **argv; /* NULL-terminated, at least one */
};

/* The whole file, NUL-terminated after its end; dies when it cannot be read. */
static char *read_all(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("cannot open %s: %s", path, strerror(errno));
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) die("out of memory reading %s", path);
    if (n + 1 >= cap) buf = realloc(buf, cap *= 2);
    if (!buf) die("out of memory reading %s", path);
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("cannot read %s: %s", path, strerror(errno));
    if (r == 0) break;
    n += (size_t) r;
  }
  close(fd);
  buf[n] = 0;
  *len = n;
  return buf;
}

static int all_digits(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9') return 0;
  return 1;
}

/* A decimal below 2^32 - 1 (no sign, no space: strtoul alone would take "-2" as a huge uid). */
static unsigned long number(const char *field, const char *what) {
  errno = 0;
  unsigned long v = all_digits(field) ? strtoul(field, NULL, 10) : 0;
  if (!all_digits(field) || errno || v >= 0xffffffffUL) die("not a number for the %s: %s", what, field);
  return v;
}

/* Fields: "berth-command-1", workdir, uid, gid, N, N environment entries, then the argv. */
static void read_command(struct command *c) {
  size_t len;
  char *buf = read_all("/berth/command", &len);
  if (len == 0 || buf[len - 1] != 0) die("/berth/command: not NUL-terminated");
  size_t count = 0;
  for (size_t i = 0; i < len; i++) count += buf[i] == 0;
  char **field = calloc(count + 2, sizeof *field);
  if (!field) die("out of memory");
  for (size_t i = 0, f = 0; i < len; i += strlen(buf + i) + 1) field[f++] = buf + i;
  if (count < 6 || strcmp(field[0], "berth-command-1") != 0) die("/berth/command: not a berth-command-1 file");
  c->workdir = field[1];
  if (c->workdir[0] != '/') die("/berth/command: the workdir is not absolute: %s", c->workdir);
  c->uid = (uid_t) number(field[2], "uid");
  c->gid = (gid_t) number(field[3], "gid");
  unsigned long envs = number(field[4], "environment's size");
  if (envs > count - 6) die("/berth/command: %lu environment entries and no command", envs);
  /* Each list gets its NULL end: the env's takes the slot of argv[0]'s pointer, moved one up. */
  c->env = field + 5;
  size_t first_arg = 5 + envs;
  memmove(field + first_arg + 1, field + first_arg, (count - first_arg) * sizeof *field);
  field[first_arg] = NULL;
  c->argv = field + first_arg + 1;
  c->argv[count - first_arg] = NULL;
}

/* A mount option that is a flag (as busybox mount knows them); 0 when it is the fs's own. */
static int mount_flag(const char *opt, unsigned long *set, unsigned long *clear) {
  static const struct {
    const char *name;
    unsigned long flag;
    int on;
  } flags[] = {{"ro", MS_RDONLY, 1}, {"rw", MS_RDONLY, 0}, {"nosuid", MS_NOSUID, 1}, {"suid", MS_NOSUID, 0},
      {"nodev", MS_NODEV, 1}, {"dev", MS_NODEV, 0}, {"noexec", MS_NOEXEC, 1}, {"exec", MS_NOEXEC, 0},
      {"sync", MS_SYNCHRONOUS, 1}, {"async", MS_SYNCHRONOUS, 0}, {"dirsync", MS_DIRSYNC, 1},
      {"noatime", MS_NOATIME, 1}, {"atime", MS_NOATIME, 0}, {"nodiratime", MS_NODIRATIME, 1},
      {"diratime", MS_NODIRATIME, 0}, {"relatime", MS_RELATIME, 1}, {"norelatime", MS_RELATIME, 0},
      {"strictatime", MS_STRICTATIME, 1}, {"nostrictatime", MS_STRICTATIME, 0}, {"mand", MS_MANDLOCK, 1},
      {"nomand", MS_MANDLOCK, 0}};
  if (strcmp(opt, "defaults") == 0) return 1;
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    if (strcmp(opt, flags[i].name) != 0) continue;
    if (flags[i].on) *set |= flags[i].flag;
    else *clear |= flags[i].flag;
    return 1;
  }
  return 0;
}

/* /berth/mounts: "9p TAG ro|rw TARGET" or "tmpfs OPTIONS - TARGET", TARGET the rest of the line
 * (berthd made it, resolved inside the rootfs, as a directory). */
void mount_volumes(void) {
  FILE *f = fopen("/berth/mounts", "re");
  if (!f) return;
  char line[8192], kind[16], a[2048], b[64];
  while (fgets(line, sizeof line, f)) {
    int used = 0;
    line[strcspn(line, "\r\n")] = 0;
    if (sscanf(line, "%15s %2047s %63s %n", kind, a, b, &used) != 3 || used == 0) continue;
    char target[8300];
    snprintf(target, sizeof target, "/newroot%s", line + used);
    if (strcmp(kind, "9p") == 0) {
      char data[128];
      snprintf(data, sizeof data, "trans=virtio,version=9p2000.L,msize=512000");
      if (mount(a, target, "9p", strcmp(b, "ro") == 0 ? MS_RDONLY : 0, data) != 0)
        die("cannot mount the share %s at %s: %s", a, line + used, strerror(errno));
    } else if (strcmp(kind, "tmpfs") == 0) {
      unsigned long set = 0, clear = 0;
      char data[2048] = "", *save = NULL;
      for (char *opt = strtok_r(a, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
        if (mount_flag(opt, &set, &clear)) continue;
        if (data[0]) strncat(data, ",", sizeof data - strlen(data) - 1);
        strncat(data, opt, sizeof data - strlen(data) - 1);
      }
      if (mount("tmpfs", target, "tmpfs", set & ~clear, data[0] ? data : NULL) != 0)
        die("cannot mount a tmpfs at %s: %s", line + used, strerror(errno));
    }
  }
  fclose(f);
}

/* Default dispositions and an empty mask, as a process started by runc has (the shell's `cmd &`
 * started it with SIGINT and SIGQUIT ignored: POSIX's rule for asynchronous lists). */
static void reset_signals(void) {
  for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL); /* SIGKILL, SIGSTOP and glibc's own refuse: harmless */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Everything from fd 3 up closed; a guest kernel before 5.9 (a configured vm-kernel) has no close_range. */
static void close_from_3(void) {
  if (close_range(3, ~0U, 0) == 0) return;
  for (int fd = 3; fd < 1024; fd++) close(fd);
}

/* busybox's message shape (the shell path's nsenter printed them: "nsenter: WHAT: ERROR"), then _exit(code). */
static __attribute__((noreturn)) void child_fail(int code, const char *what) {
  dprintf(2, "nsenter: %s: %s\n", what, strerror(errno));
  _exit(code);
}

static __attribute__((noreturn)) void child_fail_at(int code, const char *what, const char *arg) {
  char msg[4200];
  snprintf(msg, sizeof msg, "%s '%s'", what, arg);
  child_fail(code, msg);
}

/* mkdir -p, inside the new root (as init.sh's `mkdir -p /newroot$WORKDIR`, but links resolve in the root). */
static void make_dirs(const char *path) {
  char p[4096];
  snprintf(p, sizeof p, "%s", path);
  for (char *s = p + 1;; s++) {
    if (*s != '/' && *s != 0) continue;
    char end = *s;
    *s = 0;
    mkdir(p, 0755); /* an error shows at the chdir */
    if (!end) break;
    *s = end;
  }
}

/* In a forked or exec'd process: enters /newroot and the workdir (made first when make_workdir),
 * drops to gid and uid as busybox `nsenter -S uid -G gid` does, and execs argv with a PATH search
 * in the current environ (the container's). Never returns. */
static __attribute__((noreturn)) void enter_and_exec(const char *workdir, uid_t uid, gid_t gid, char **argv, int make_workdir) {
  if (chroot("/newroot") != 0) child_fail_at(1, "can't change root directory to", "/newroot");
  if (make_workdir) make_dirs(workdir);
  if (chdir(workdir) != 0) child_fail_at(1, "can't change directory to", workdir);
  if (setgroups(0, NULL) != 0 || setgid(gid) != 0) child_fail(1, "setgid");
  if (setuid(uid) != 0) child_fail(1, "setuid");
  execvp(argv[0], argv);
  child_fail_at(errno == ENOENT ? 127 : 126, "can't execute", argv[0]);
}

/* The container's process (see the top of this file); returns its pid. */
static pid_t start_command(const struct command *c) {
  pid_t pid = fork();
  if (pid < 0) die("cannot start the command: %s", strerror(errno));
  if (pid > 0) return pid;
  reset_signals();
  setsid(); /* a session and process group of its own, as runc's process: a `kill 0` in it ends neither relay nor agent */
  int null = open("/dev/null", O_RDONLY); /* as the shell's </dev/null */
  if (null < 0 || dup2(null, 0) < 0 || dup2(7, 1) < 0 || dup2(8, 2) < 0) _exit(126);
  close_from_3();
  /* execvp searches the PATH of environ: the container's, so set first */
  environ = c->env;
  enter_and_exec(c->workdir, c->uid, c->gid, c->argv, 1);
}

/* "/init --exec WORKDIR UID GID -- ARGV..." (run.sh's last words, after `env -i` set the container's
 * environment: -t/-i, the exec agent, healthchecks): what nsenter did there, but the image's own
 * program runs — busybox's nsenter exec'd its own applet for any applet name (decision 3750) — and
 * with every signal at its default (a shell's `cmd &` had SIGINT and SIGQUIT ignored). */
int exec_in_root(char **args) {
  reset_signals();
  enter_and_exec(args[0], (uid_t) number(args[1], "uid"), (gid_t) number(args[2], "gid"), args + 4, 0);
}

/* The exec agent: the shell init in its agent-only mode, so its logic stays in one place. */
static pid_t start_agent(int console) {
  pid_t pid = fork();
  if (pid != 0) return pid; /* -1: tried again at the next "agent" line */
  reset_signals();
  setsid();
  int null = open("/dev/null", O_RDWR);
  if (null < 0 || dup2(null, 0) < 0 || dup2(console, 1) < 0 || dup2(console, 2) < 0) _exit(1);
  close_from_3();
  setenv("BERTH_AGENT", "1", 1);
  execl("/bin/busybox", "sh", "/init.sh", (char *) NULL);
  _exit(127);
}

/* "resize SLOT ROWS COLS" for an exec's terminal: the size for when it opens, and now when it is open. */
static void resize_slot(const char *slot, const char *rows, const char *cols) {
  char path[64], hvc[64], dev[80];
  snprintf(path, sizeof path, "/tmp/slot-%s.size", slot);
  FILE *f = fopen(path, "we");
  if (f) {
    fprintf(f, "%s %s\n", rows, cols);
    fclose(f);
  }
  snprintf(path, sizeof path, "/tmp/slot-%s.hvc", slot);
  if (!first_line(path, hvc, sizeof hvc) || !hvc[0] || strchr(hvc, '/')) return;
  snprintf(dev, sizeof dev, "/dev/%s", hvc);
  int fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  struct winsize ws = {.ws_row = (unsigned short) atoi(rows), .ws_col = (unsigned short) atoi(cols)};
  ioctl(fd, TIOCSWINSZ, &ws);
  close(fd);
}

/* One line from berthd, as init.sh's control loop reads it. */
static void control_line(char *line, pid_t command, int running, pid_t *agent, int console) {
  char *save = NULL, *w[4] = {0};
  for (int i = 0; i < 4; i++) w[i] = strtok_r(i == 0 ? line : NULL, " \t", &save);
  if (!w[0]) return;
  if (strcmp(w[0], "resize") == 0) {
    /* "main": no terminal in this mode. A slot is one digit, as the shell's case has it. */
    if (w[1] && w[2] && w[3] && strlen(w[1]) == 1 && all_digits(w[1])) resize_slot(w[1], w[2], w[3]);
  } else if (strcmp(w[0], "agent") == 0) {
    if (*agent <= 0) *agent = start_agent(console);
  } else if (all_digits(w[0]) && running) { /* not after its reaping: the pid may be another's by then */
    kill(command, atoi(w[0]));
  }
}

/* The shell's $? for a wait status: the exit status, or 128 + the signal's number. */
static int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
}

void run_container(void) {
  struct command cmd;
  read_command(&cmd);
  int console = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (console < 0) die("cannot open /dev/console: %s", strerror(errno));
  /* SIGCHLD through a signalfd: blocked before the fork, so no exit goes unseen. */
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd < 0) die("cannot make a signalfd: %s", strerror(errno));
  fcntl(9, F_SETFD, FD_CLOEXEC);
  fflush(NULL);
  pid_t command = start_command(&cmd);
  trace("command started");
  /* Only the command (and what it starts) holds the pipes' write ends: the relay sees their end
   * when the last of them ended. */
  close(7);
  close(8);
  int tty = open("/dev/ttyS0", O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  /* berthd holds its lines until it reads this (decision 3600): one sent before is lost in the boot. */
  dprintf(console, "berth-ready\n");
  pid_t agent = 0;
  int code = -1;
  char buf[1024];
  size_t have = 0;
  int skipping = 0; /* the rest of a line too long to be one of berthd's */
  while (code < 0) {
    struct pollfd p[2] = {{sfd, POLLIN, 0}, {tty, POLLIN, 0}};
    if (poll(p, tty >= 0 ? 2 : 1, -1) < 0) continue;
    if (p[0].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {
      }
      int status;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == command) code = exit_code(status);
        if (pid == agent) agent = 0;
      }
    }
    if (tty >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read(tty, buf + have, sizeof buf - 1 - have);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) { /* the channel closed: no more lines */
        close(tty);
        tty = -1;
        continue;
      }
      have += (size_t) n;
      buf[have] = 0;
      char *start = buf, *nl;
      while ((nl = strpbrk(start, "\r\n"))) {
        *nl = 0;
        if (!skipping) control_line(start, command, code < 0, &agent, console);
        skipping = 0;
        start = nl + 1;
      }
      have = strlen(start);
      memmove(buf, start, have);
      if (have == sizeof buf - 1) { /* no line is that long: dropped, up to its end */
        have = 0;
        skipping = 1;
      }
    }
  }
  trace("command ended");
  /* The relay ends once it copied the last bytes (fd 9 then reads an end), so the output is on
   * the host before the report; at most a second, for a background process holding the pipes. */
  struct pollfd done = {9, POLLIN, 0};
  poll(&done, 1, 1000);
  dprintf(console, "berth-exit %d\n", code);
  tcdrain(console); /* out of the UART before the power-off (busybox's poweroff came an exec later) */
  /* berthd ends QEMU once it reads the code; the power-off is for when no berthd is watching. */
  sync();
  reboot(RB_POWER_OFF);
  _exit(0);
}
