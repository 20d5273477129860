/*
 * berth's healthcheck runner (docs/decisions/2300). berthd starts one per running container that
 * has a healthcheck, with `runc exec -d --preserve-fds 1`, as /proc/self/fd/3 (the binary is
 * berthd's, nothing is written into the container): it so has the container's namespaces,
 * cgroup, seccomp filter, capabilities, user, env and cwd, and each check is a fork+exec here
 * instead of a runc exec of its own. Static, so it runs in any image (scratch, distroless, musl).
 *
 * Framing, both ways over the pipes berthd gave as stdin and stdout; integers are 32-bit big-endian:
 *   request:  u32 length | u32 timeout_ms | argv as NUL-terminated strings  (length: what follows it)
 *   response: u32 length | u8 kind | i32 code | u32 output_total | output, at most 4096 bytes
 *     kind 'E': the check exited; code = its exit status, or 128 + signal
 *     kind 'T': the check was killed at its timeout (its process group, SIGKILL); code = -1
 *     kind 'F': the check could not be started; code = errno (berthd then runs it by runc exec)
 * The check's stdout and stderr share one pipe (as dockerd's exec of a check): the first 4096
 * bytes are sent, all are counted. Its stdin is /dev/null; CMD is found in the container's PATH
 * (as execvp, less its /bin/sh retry), CMD-SHELL arrives as /bin/sh -c (berthd builds the argv).
 * The end of stdin (berthd closed its end, or died) kills a running check and ends the runner;
 * when the container stops, its pid namespace or `runc delete` ends the runner with it.
 *
 * A zombie in the container's pid namespace whose parent is outside it holds up the namespace's
 * end (so `stop`) until that parent reaps it, and runc leaves a detached process to the host's
 * init, which may reap late. So the runner forks once at start and its first process exits: the
 * runner is then the container init's child (reaped as the namespace ends), and the first process
 * is reaped at once by berthd's launcher, this program run as `--launch runc exec --detach …`:
 * a child subreaper that waits for runc and for that process.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUEST (1 << 20)
#define KEEP 4096

static int child_exited[2]; /* SIGCHLD's self-pipe: poll wakes when the check ends */

static void on_sigchld(int sig) {
  int saved = errno;
  (void) sig;
  (void) !write(child_exited[1], "", 1);
  errno = saved;
}

/* 1: read n bytes; 0: end of input before any; -1: error or a cut message. */
static int read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *) buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return got == 0 && r == 0 ? 0 : -1;
    got += (size_t) r;
  }
  return 1;
}

static void write_full(int fd, const void *buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(0); /* berthd is gone */
    buf = (const char *) buf + w;
    n -= (size_t) w;
  }
}

static void put32(unsigned char *at, uint32_t v) {
  v = htonl(v);
  memcpy(at, &v, 4);
}

static void respond(char kind, int32_t code, uint32_t total, const char *out, uint32_t kept) {
  unsigned char head[13];
  put32(head, 9 + kept);
  head[4] = (unsigned char) kind;
  put32(head + 5, (uint32_t) code);
  put32(head + 9, total);
  write_full(1, head, sizeof head);
  write_full(1, out, kept);
}

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads what the check wrote so far (the pipe is non-blocking); -1 once it is closed. */
static int drain(int fd, char *out, uint32_t *kept, uint32_t *total) {
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN ? fd : -1;
    if (n == 0) return -1;
    uint32_t room = KEEP - *kept, take = (uint32_t) n < room ? (uint32_t) n : room;
    memcpy(out + *kept, buf, take);
    *kept += take;
    *total = *total > UINT32_MAX - (uint32_t) n ? UINT32_MAX : *total + (uint32_t) n;
  }
}

/* execvp without its /bin/sh retry of a file that is no program (ENOEXEC): runc refuses those,
 * and a check it cannot start is left to runc exec, which then says so as it always did. */
static void exec_in_path(char **argv) {
  const char *path = getenv("PATH");
  int err = ENOENT;
  if (strchr(argv[0], '/') != NULL || path == NULL) {
    execve(argv[0], argv, environ);
    return;
  }
  for (const char *dir = path;; dir++) {
    const char *end = strchrnul(dir, ':');
    char full[4096];
    int n = snprintf(full, sizeof full, "%.*s/%s", (int) (end - dir), end == dir ? "." : dir, argv[0]);
    if (n > 0 && n < (int) sizeof full) {
      execve(full, argv, environ);
      if (errno == EACCES) err = EACCES;
      else if (errno != ENOENT && errno != ENOTDIR) return;
    }
    if (*(dir = end) == '\0') break;
  }
  errno = err;
}

static void run_check(char **argv, uint32_t timeout_ms) {
  static char out[KEEP];
  uint32_t kept = 0, total = 0;
  int output[2], exec_error[2], status = 0, err;
  if (pipe2(output, O_CLOEXEC) < 0) { respond('F', errno, 0, "", 0); return; }
  if (pipe2(exec_error, O_CLOEXEC) < 0) { err = errno; close(output[0]); close(output[1]); respond('F', err, 0, "", 0); return; }
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    sigset_t none;
    setpgid(0, 0); /* its own group: a timeout kills what it started too */
    if (null < 0 || dup2(null, 0) < 0 || dup2(output[1], 1) < 0 || dup2(output[1], 2) < 0) err = errno;
    else {
      signal(SIGPIPE, SIG_DFL);
      signal(SIGCHLD, SIG_DFL);
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, NULL);
      exec_in_path(argv);
      err = errno;
    }
    (void) !write(exec_error[1], &err, sizeof err);
    _exit(127);
  }
  err = errno;
  close(output[1]);
  close(exec_error[1]);
  if (pid < 0) { close(output[0]); close(exec_error[0]); respond('F', err, 0, "", 0); return; }
  setpgid(pid, pid); /* here too, so the group exists before any kill of it */
  ssize_t n;
  do n = read(exec_error[0], &err, sizeof err); while (n < 0 && errno == EINTR); /* EOF: it exec'd */
  close(exec_error[0]);
  if (n == sizeof err) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    close(output[0]);
    respond('F', err, 0, "", 0);
    return;
  }
  fcntl(output[0], F_SETFL, O_NONBLOCK);
  int64_t deadline = now_ms() + timeout_ms;
  struct pollfd watch[3] = {{output[0], POLLIN, 0}, {child_exited[0], POLLIN, 0}, {0, POLLIN, 0}};
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    int64_t left = deadline - now_ms();
    if (left <= 0) {
      kill(-pid, SIGKILL);
      while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
      close(output[0]);
      respond('T', -1, total, out, kept);
      return;
    }
    if (poll(watch, 3, left > 60000 ? 60000 : (int) left) < 0) continue; /* EINTR: look again */
    if (watch[2].revents) { kill(-pid, SIGKILL); _exit(0); } /* berthd's end closed */
    if (watch[0].revents) watch[0].fd = drain(output[0], out, &kept, &total);
    if (watch[1].revents) { char b[64]; while (read(child_exited[0], b, sizeof b) > 0) {} }
  }
  if (watch[0].fd >= 0) drain(output[0], out, &kept, &total); /* what it wrote before it ended */
  close(output[0]);
  respond('E', WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status), total, out, kept);
}

/* berthd's launcher, on the host: runs argv (runc exec --detach …) and reaps what it adopts. */
static int launch(char **argv) {
  int status, code = 1;
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  pid_t runc = fork();
  if (runc == 0) {
    execvp(argv[0], argv);
    _exit(127);
  }
  for (pid_t p; (p = wait(&status)) != -1 || errno == EINTR;)
    if (p == runc && p > 0) code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return code;
}

int main(int argc, char **argv) {
  struct sigaction sa;
  if (argc > 2 && strcmp(argv[1], "--launch") == 0) return launch(argv + 2);
  int null = open("/dev/null", O_WRONLY);
  close(3); /* the binary's descriptor: checks need not see it */
  if (null >= 0 && null != 2) { dup2(null, 2); close(null); } /* runc's stderr is gone once it returns */
  prctl(PR_SET_NAME, "berth-health");
  pid_t first = fork();
  if (first < 0) return 1;
  if (first > 0) _exit(0); /* its child goes on, adopted by the container's init */
  signal(SIGPIPE, SIG_IGN); /* berthd gone: a write fails and the runner ends */
  if (pipe2(child_exited, O_CLOEXEC | O_NONBLOCK) < 0) return 1;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  for (;;) {
    uint32_t length, timeout_ms;
    int r = read_full(0, &length, 4);
    if (r == 0) return 0; /* berthd closed its end */
    length = ntohl(length);
    if (r < 0 || length < 5 || length > MAX_REQUEST) return 1;
    char *request = malloc(length + 1), **argv = malloc(length * sizeof *argv); /* argc < length */
    if (request == NULL || argv == NULL || read_full(0, request, length) != 1) return 1;
    request[length] = '\0';
    memcpy(&timeout_ms, request, 4);
    int argc = 0;
    for (char *s = request + 4; s < request + length; s += strlen(s) + 1) argv[argc++] = s;
    argv[argc] = NULL;
    if (argc > 0) run_check(argv, ntohl(timeout_ms));
    else respond('F', EINVAL, 0, "", 0);
    free(argv);
    free(request);
  }
}
