/*
 * berth's microVM boot helper (docs/decisions/2700, 3300): the guest's first process (the
 * initramfs's /init, PID 1) does everything between the kernel and the container's command that
 * needs no shell, then execs the shell init (/init.sh) with BERTH_BOOT=0 (or 1 after a failure).
 * Under TCG every process the guest starts costs 20-40 ms; the shell's boot path started about 30
 * (a busybox per insmod, mount, ip and bind), this does the same work from none:
 *   1. mounts /proc, /sys and /dev (devtmpfs);
 *   2. loads the modules listed in /lib/modules/order (finit_module, in that order);
 *   3. mounts the config share (9p "berth", read-only) at /berth and the rootfs (9p "rootfs");
 *   4. brings lo up; when /berth/net exists, loads /lib/modules/order-net (virtio-net and what
 *      it needs: only a container with a network pays for them) and configures each line
 *      "MAC ADDRESS/PREFIX GATEWAY|-" on the interface with that MAC (waiting for it to appear);
 *   5. with a terminal or stdin (/berth/stdio "tty" or "stdin"): loads /lib/modules/order-console
 *      (virtio-serial), finds the ports berthd named (stdout, stderr, agent) and writes their
 *      devices to /tmp/boot.env as shell assignments (port_stdout=/dev/vport1p1 ...);
 *      without (decision 3400): mounts the output share (9p "output") at /output, makes two
 *      pipes and forks the relay, which copies them to /output/stdout and /output/stderr; the
 *      pipes' write ends are fds 7 and 8 of the shell init, and fd 9 reads a pipe whose end
 *      means the relay is done (relay=1 in /tmp/boot.env). virtio-serial is then loaded only
 *      when berthd first needs the exec agent: the init runs "/init --agent" (below);
 *   6. mounts proc, sysfs, devtmpfs, devpts and /dev/shm in /newroot, makes /dev/fd, stdin,
 *      stdout and stderr there, binds /berth/{hosts,hostname,resolv.conf} over the rootfs's
 *      /etc files, and sets the hostname;
 *   7. turns off the echo of the control channel (ttyS0), whose lines berthd sends to the init.
 * On a failure it prints "berth-init: WHAT" and the shell init reports exit code 255. Run as
 * another process than PID 1 (by hand, with --trace), it exits 0 or 1 instead of exec'ing.
 * It then mounts the volumes, binds and tmpfs of /berth/mounts in /newroot (guest-run.c).
 * As PID 1 without a terminal or stdin (relay mode) it does not exec the shell init: it runs the
 * command from /berth/command, serves the control channel and reports the
 * exit itself (guest-run.c, decision 3750); the shell init then runs only as the exec agent.
 * "/init --exec WORKDIR UID GID -- CMD..." enters the container's root and execs CMD (guest-run.c).
 * "/init --agent" (the init's control loop, on berthd's first "agent" line) loads virtio-serial,
 * waits for the agent port and prints its device; exit 1 when there is none.
 * IPv4 and IPv6 addresses and routes are set with ioctls (no netlink: this is all one-shot).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <signal.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "guest-boot.h"

/* linux/ipv6_route.h and linux/ipv6.h clash with glibc's headers: the two structs, as the kernel has them. */
struct in6_ifreq_k {
  struct in6_addr addr;
  unsigned int prefixlen;
  int ifindex;
};
struct in6_rtmsg_k {
  struct in6_addr dst, src, gateway;
  unsigned int type;
  unsigned short dst_len, src_len;
  unsigned int metric;
  unsigned long info;
  unsigned int flags;
  int ifindex;
};

static int pid1;

/* As PID 1: replaces this process by the shell init, telling it how the boot went (an init that
 * exits panics the kernel). Otherwise: exits with that status. */
static __attribute__((noreturn)) void continue_init(int failed) {
  if (!pid1) exit(failed);
  fflush(NULL);
  setenv("BERTH_BOOT", failed ? "1" : "0", 1);
  execl("/bin/busybox", "sh", "/init.sh", (char *) NULL);
  fprintf(stderr, "berth-init: cannot run /init.sh: %s\n", strerror(errno));
  reboot(RB_POWER_OFF);
  _exit(1);
}

void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("berth-init: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  continue_init(1);
}

int tracing;

/* With --trace or "berth.trace" on the kernel's command line: each step's time since the kernel
 * started, to the console (benchmarks/vm-container-run.sh TRACE=1 shows them). */
void trace(const char *step) {
  if (!tracing) return;
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  fprintf(stderr, "berth-boot %ld.%03ld %s\n", (long) ts.tv_sec, ts.tv_nsec / 1000000, step);
}

static void nap_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

void do_mount(const char *src, const char *target, const char *type, unsigned long flags, const char *data) {
  if (mount(src, target, type, flags, data) != 0)
    die("cannot mount %s (%s) at %s: %s", src, type, target, strerror(errno));
}

void ensure_dir(const char *path) {
  if (mkdir(path, 0755) != 0 && errno != EEXIST) die("cannot make %s: %s", path, strerror(errno));
}

/* The first line of a file (without its newline) into buf; 0 when the file cannot be read. */
int first_line(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  int ok = fgets(buf, (int) size, f) != NULL;
  fclose(f);
  if (!ok) buf[0] = 0;
  buf[strcspn(buf, "\r\n")] = 0;
  return 1;
}

/* Loads each module named in the list file (one file name per line, under /lib/modules). */
static void load_modules(const char *list) {
  FILE *f = fopen(list, "re");
  if (!f) return; /* no such group in this initramfs: nothing to load */
  char name[256], path[300];
  while (fgets(name, sizeof name, f)) {
    name[strcspn(name, "\r\n")] = 0;
    if (!name[0]) continue;
    snprintf(path, sizeof path, "/lib/modules/%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("cannot open module %s: %s", path, strerror(errno));
    if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
      die("cannot load module %s: %s", name, strerror(errno));
    close(fd);
    trace(name);
  }
  fclose(f);
}

static int sock4 = -1, sock6 = -1;

static void set_up(const char *dev) {
  struct ifreq ifr = {0};
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", dev);
  if (ioctl(sock4, SIOCGIFFLAGS, &ifr) != 0) die("cannot read the flags of %s: %s", dev, strerror(errno));
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(sock4, SIOCSIFFLAGS, &ifr) != 0) die("cannot bring %s up: %s", dev, strerror(errno));
}

/* The interface whose MAC is mac (lower case), waiting up to 3 s for its driver to register it. */
static void find_interface(const char *mac, char *dev, size_t size) {
  for (int i = 0; i < 300; i++) {
    DIR *d = opendir("/sys/class/net");
    struct dirent *e;
    char path[300], addr[64];
    while (d && (e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      snprintf(path, sizeof path, "/sys/class/net/%s/address", e->d_name);
      if (first_line(path, addr, sizeof addr) && strcmp(addr, mac) == 0 && strlen(e->d_name) < size) {
        memcpy(dev, e->d_name, strlen(e->d_name) + 1);
        closedir(d);
        return;
      }
    }
    if (d) closedir(d);
    nap_ms(10);
  }
  die("no network interface with MAC %s", mac);
}

static void configure_v4(const char *dev, const char *addr, int prefix, const char *gw) {
  struct ifreq ifr = {0};
  struct sockaddr_in *sin = (struct sockaddr_in *) &ifr.ifr_addr;
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", dev);
  sin->sin_family = AF_INET;
  if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1 || prefix < 0 || prefix > 32)
    die("not an IPv4 address: %s/%d", addr, prefix);
  if (ioctl(sock4, SIOCSIFADDR, &ifr) != 0) die("cannot set %s/%d on %s: %s", addr, prefix, dev, strerror(errno));
  sin->sin_addr.s_addr = prefix == 0 ? 0 : htonl(0xffffffffu << (32 - prefix));
  if (ioctl(sock4, SIOCSIFNETMASK, &ifr) != 0) die("cannot set the prefix /%d on %s: %s", prefix, dev, strerror(errno));
  set_up(dev);
  if (strcmp(gw, "-") == 0) return;
  struct rtentry rt = {0};
  struct sockaddr_in *g = (struct sockaddr_in *) &rt.rt_gateway;
  ((struct sockaddr_in *) &rt.rt_dst)->sin_family = AF_INET;
  ((struct sockaddr_in *) &rt.rt_genmask)->sin_family = AF_INET;
  g->sin_family = AF_INET;
  if (inet_pton(AF_INET, gw, &g->sin_addr) != 1) die("not an IPv4 gateway: %s", gw);
  rt.rt_flags = RTF_UP | RTF_GATEWAY;
  rt.rt_dev = (char *) dev;
  if (ioctl(sock4, SIOCADDRT, &rt) != 0) die("cannot route through %s: %s", gw, strerror(errno));
}

static void configure_v6(const char *dev, const char *addr, int prefix, const char *gw) {
  if (sock6 < 0 && (sock6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
    die("no IPv6 in the guest kernel: %s", strerror(errno));
  int index = (int) if_nametoindex(dev);
  if (index == 0) die("no interface %s: %s", dev, strerror(errno));
  struct in6_ifreq_k req = {0};
  if (inet_pton(AF_INET6, addr, &req.addr) != 1 || prefix < 0 || prefix > 128)
    die("not an IPv6 address: %s/%d", addr, prefix);
  req.prefixlen = (unsigned) prefix;
  req.ifindex = index;
  /* up first: the kernel drops IPv6 addresses of an interface that goes down */
  set_up(dev);
  if (ioctl(sock6, SIOCSIFADDR, &req) != 0) die("cannot set %s/%d on %s: %s", addr, prefix, dev, strerror(errno));
  if (strcmp(gw, "-") == 0) return;
  struct in6_rtmsg_k rt = {0};
  if (inet_pton(AF_INET6, gw, &rt.gateway) != 1) die("not an IPv6 gateway: %s", gw);
  rt.flags = RTF_UP | RTF_GATEWAY;
  rt.metric = 1;
  rt.ifindex = index;
  if (ioctl(sock6, SIOCADDRT, &rt) != 0) die("cannot route through %s: %s", gw, strerror(errno));
}

static void configure_network(void) {
  if ((sock4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) die("cannot open a socket: %s", strerror(errno));
  set_up("lo");
  FILE *f = fopen("/berth/net", "re");
  if (!f) return; /* --network none: loopback only */
  load_modules("/lib/modules/order-net");
  char line[512], mac[64], addr[128], gw[128], dev[IFNAMSIZ];
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "%63s %127s %127s", mac, addr, gw) != 3) continue;
    char *slash = strchr(addr, '/');
    if (!slash) die("no prefix length in %s", addr);
    *slash = 0;
    int prefix = atoi(slash + 1);
    find_interface(mac, dev, sizeof dev);
    if (strchr(addr, ':')) configure_v6(dev, addr, prefix, gw);
    else configure_v4(dev, addr, prefix, gw);
  }
  fclose(f);
}

/* Scans /sys/class/virtio-ports for the ports named in wanted[0..n) (found[i]: "/dev/vportXpY"),
 * up to tries x 10 ms, until every port for which need[i] is set is there. */
static void scan_ports(const char **wanted, const int *need, char (*found)[300], int n, int tries) {
  for (int i = 0; i < tries; i++) {
    DIR *d = opendir("/sys/class/virtio-ports");
    struct dirent *e;
    char path[300], name[64];
    while (d && (e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
      if (!first_line(path, name, sizeof name)) continue;
      for (int w = 0; w < n; w++)
        if (strcmp(name, wanted[w]) == 0) snprintf(found[w], sizeof found[w], "/dev/%.256s", e->d_name);
    }
    if (d) closedir(d);
    int all = 1;
    for (int w = 0; w < n; w++)
      if (need[w] && !found[w][0]) all = 0;
    if (all) return;
    nap_ms(10);
  }
}

/* The devices of the ports berthd named, waiting up to 5 s for the host to announce them. A
 * container with a terminal (/berth/stdio "tty") has no stdout and stderr ports: its output goes
 * through the console hvc0 (decision 3100). */
static void find_ports(int tty) {
  static const char *wanted[] = {"stdout", "stderr", "agent"};
  int need[3] = {!tty, !tty, 1};
  char found[3][300] = {{0}};
  scan_ports(wanted, need, found, 3, 500);
  FILE *env = fopen("/tmp/boot.env", "we");
  if (!env) die("cannot write /tmp/boot.env: %s", strerror(errno));
  for (int w = 0; w < 3; w++)
    if (found[w][0]) fprintf(env, "port_%s=%s\n", wanted[w], found[w]);
  fclose(env);
  if (!found[2][0]) die("no virtio-serial ports");
}

/* "/init --agent": virtio-serial loaded now (berthd asked for the exec agent), the agent port's
 * device printed once the host announced it (up to 5 s). Loading it again is harmless (EEXIST). */
static int agent_port(void) {
  load_modules("/lib/modules/order-console");
  static const char *wanted[] = {"agent"};
  int need[1] = {1};
  char found[1][300] = {{0}};
  scan_ports(wanted, need, found, 1, 500);
  if (!found[0][0]) die("no agent port");
  puts(found[0]);
  return 0;
}

/* Writes all of buf to fd; 0 when it could not (the relay then drops that stream's output). */
static int write_all(int fd, const char *buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return 0;
    buf += w;
    n -= (size_t) w;
  }
  return 1;
}

/* The relay: copies the two pipes to the output share's files until both ended (every writer
 * closed them). A file it cannot write to any more is dropped, the pipe still read, so the
 * command never blocks on a full pipe. */
static void relay(int in[2], int out[2]) {
  struct pollfd p[2] = {{in[0], POLLIN, 0}, {in[1], POLLIN, 0}};
  static char buf[65536];
  int open_pipes = 2;
  while (open_pipes > 0) {
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; i++) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(p[i].fd, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        close(p[i].fd);
        p[i].fd = -1;
        open_pipes--;
        continue;
      }
      if (out[i] >= 0 && !write_all(out[i], buf, (size_t) n)) {
        close(out[i]);
        out[i] = -1;
      }
    }
  }
}

/* fd moved to exactly target (no close-on-exec), the old number closed. */
static void move_fd(int fd, int target) {
  if (fd == target) return;
  if (dup2(fd, target) < 0) die("cannot move fd %d to %d: %s", fd, target, strerror(errno));
  close(fd);
}

/* Without a terminal or stdin: the output share, the relay and the shell init's fds 7, 8 and 9
 * (see the top of this file). Under TCG a fork costs little, an exec 20-40 ms: the relay is this
 * process's copy, not a program of its own. */
static void start_relay(void) {
  ensure_dir("/output");
  do_mount("output", "/output", "9p", MS_NOSUID | MS_NODEV | MS_NOEXEC, "trans=virtio,version=9p2000.L");
  int files[2];
  files[0] = open("/output/stdout", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  files[1] = open("/output/stderr", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  if (files[0] < 0 || files[1] < 0) die("cannot open the output files: %s", strerror(errno));
  int out[2], err[2], done[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 || pipe2(done, O_CLOEXEC) != 0)
    die("cannot make the output pipes: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) die("cannot start the output relay: %s", strerror(errno));
  if (pid == 0) {
    prctl(PR_SET_NAME, "berth-relay");
    /* The container's processes see this one (no PID namespace): a `kill -TERM -1` in a shutdown
     * script must not end the container's output. SIGKILL still can, as it can the control loop. */
    static const int ignored[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) signal(ignored[i], SIG_IGN);
    close(out[1]);
    close(err[1]);
    close(done[0]);
    int in[2] = {out[0], err[0]};
    relay(in, files);
    _exit(0); /* done[1] closes: the init's read on fd 9 ends */
  }
  close(out[0]);
  close(err[0]);
  close(done[1]);
  close(files[0]);
  close(files[1]);
  /* Above 9 first, so that moving one to 7, 8 or 9 never lands on another of the three. */
  int w_out = fcntl(out[1], F_DUPFD_CLOEXEC, 20), w_err = fcntl(err[1], F_DUPFD_CLOEXEC, 20),
      r_done = fcntl(done[0], F_DUPFD_CLOEXEC, 20);
  if (w_out < 0 || w_err < 0 || r_done < 0) die("cannot move the output pipes: %s", strerror(errno));
  close(out[1]);
  close(err[1]);
  close(done[0]);
  move_fd(w_out, 7);
  move_fd(w_err, 8);
  move_fd(r_done, 9);
  FILE *env = fopen("/tmp/boot.env", "we");
  if (!env) die("cannot write /tmp/boot.env: %s", strerror(errno));
  fputs("relay=1\n", env);
  fclose(env);
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void prepare_newroot(void) {
  ensure_dir("/newroot/proc");
  ensure_dir("/newroot/sys");
  ensure_dir("/newroot/dev");
  do_mount("proc", "/newroot/proc", "proc", 0, NULL);
  do_mount("sysfs", "/newroot/sys", "sysfs", 0, NULL);
  do_mount("devtmpfs", "/newroot/dev", "devtmpfs", 0, NULL);
  ensure_dir("/newroot/dev/pts");
  ensure_dir("/newroot/dev/shm");
  do_mount("devpts", "/newroot/dev/pts", "devpts", 0, NULL);
  do_mount("shm", "/newroot/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=65536k");
  /* As runc makes them: "echo x >/dev/stdout" and images that link their logs there. */
  static const char *links[][2] = {{"/proc/self/fd", "/newroot/dev/fd"}, {"/proc/self/fd/0", "/newroot/dev/stdin"},
      {"/proc/self/fd/1", "/newroot/dev/stdout"}, {"/proc/self/fd/2", "/newroot/dev/stderr"}};
  for (int i = 0; i < 4; i++)
    if (symlink(links[i][0], links[i][1]) != 0 && errno != EEXIST) die("cannot make %s: %s", links[i][1], strerror(errno));
  if (is_dir("/newroot/etc")) {
    static const char *files[] = {"hosts", "hostname", "resolv.conf"};
    char src[64], dst[64];
    for (int i = 0; i < 3; i++) {
      snprintf(src, sizeof src, "/berth/%s", files[i]);
      snprintf(dst, sizeof dst, "/newroot/etc/%s", files[i]);
      if (access(dst, F_OK) != 0) {
        int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) die("cannot make %s: %s", dst, strerror(errno));
        close(fd);
      }
      do_mount(src, dst, NULL, MS_BIND, NULL);
    }
  }
  char name[256];
  if (first_line("/berth/hostname", name, sizeof name) && name[0] && sethostname(name, strlen(name)) != 0)
    die("cannot set the hostname %s: %s", name, strerror(errno));
}

/* What berthd sends on the control channel is not echoed back into the console's log (best effort). */
static void quiet_control_channel(void) {
  int fd = open("/dev/ttyS0", O_RDWR | O_NOCTTY | O_CLOEXEC);
  struct termios t;
  if (fd < 0) return;
  if (tcgetattr(fd, &t) == 0) {
    t.c_lflag &= ~(tcflag_t) (ECHO | ECHOE | ECHOK | ECHONL);
    tcsetattr(fd, TCSANOW, &t);
  }
  close(fd);
}

int main(int argc, char **argv) {
  pid1 = getpid() == 1;
  if (!pid1 && argc > 1 && strcmp(argv[1], "--agent") == 0) return agent_port();
  if (!pid1 && argc > 6 && strcmp(argv[1], "--exec") == 0 && strcmp(argv[5], "--") == 0) exec_in_root(argv + 2);
  tracing = argc > 1 && strcmp(argv[1], "--trace") == 0;
  if (!pid1 && argc > 1 && !tracing) { /* never the boot by hand for a call it does not know (a malformed --exec) */
    fprintf(stderr, "berth-boot: unknown arguments (%s ...): use --exec WORKDIR UID GID -- CMD..., --agent or --trace\n",
        argv[1]);
    return 2;
  }
  trace("start");
  do_mount("proc", "/proc", "proc", 0, NULL);
  do_mount("sysfs", "/sys", "sysfs", 0, NULL);
  do_mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  char cmdline[4096];
  if (!tracing && first_line("/proc/cmdline", cmdline, sizeof cmdline)) {
    char *t = strstr(cmdline, "berth.trace");
    tracing = t != NULL && (t == cmdline || t[-1] == ' ') && (t[11] == 0 || t[11] == ' ');
  }
  trace("mounted /proc, /sys, /dev");
  load_modules("/lib/modules/order");
  do_mount("berth", "/berth", "9p", MS_RDONLY, "trans=virtio,version=9p2000.L");
  do_mount("rootfs", "/newroot", "9p", 0, "trans=virtio,version=9p2000.L,msize=262144");
  trace("mounted the shares");
  char stdio[16] = "";
  first_line("/berth/stdio", stdio, sizeof stdio);
  int tty = strncmp(stdio, "tty", 3) == 0, ports = tty || strncmp(stdio, "stdin", 5) == 0;
  if (ports) {
    load_modules("/lib/modules/order-console");
    trace("virtio-serial");
  }
  configure_network();
  trace("network");
  if (ports) find_ports(tty);
  else start_relay();
  trace(ports ? "ports" : "output relay");
  prepare_newroot();
  quiet_control_channel();
  trace("newroot");
  mount_volumes(); /* here for every mode: the shell init no longer mounts them (one parser of /berth/mounts) */
  trace("volumes");
  /* Without a terminal or stdin this process runs the command itself (guest-run.c, decision 3750). */
  if (!ports && pid1 && access("/berth/command", R_OK) == 0) run_container();
  continue_init(0);
  return 0;
}
