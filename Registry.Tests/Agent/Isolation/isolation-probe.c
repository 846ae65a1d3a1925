/* Tries, from inside a container, each thing the default security profile must refuse, and prints one line
 * per attempt: NAME=OK or NAME=<errno name>. Every attempt is harmless if it succeeds (NULL time, a key in the
 * process keyring, a namespace in a child that exits at once, reboot's CAD_OFF, which a PID namespace refuses).
 * Built static by the tests (gcc -static) and run by RunIsolationTests.
 * Usage: isolation-probe [MAJOR:MINOR of a host block device]
 *        isolation-probe alloc MIB   allocates and touches MIB mebibytes, then exits 0
 *        isolation-probe spin        a busy loop, until killed
 *        isolation-probe forks       a fork bomb that never gives up: every process forks in a loop, and one whose
 *                                    fork is refused waits 10 ms and tries again, until killed  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *name_of(int e) {
    switch (e) {
    case EPERM: return "EPERM"; case EACCES: return "EACCES"; case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS"; case ENOENT: return "ENOENT"; case EFAULT: return "EFAULT";
    case EBADF: return "EBADF"; case ESTALE: return "ESTALE"; case E2BIG: return "E2BIG";
    case ENXIO: return "ENXIO"; case ENODEV: return "ENODEV"; case EEXIST: return "EEXIST";
    case EOPNOTSUPP: return "EOPNOTSUPP"; case EROFS: return "EROFS";
    default: { static char buf[16]; snprintf(buf, sizeof buf, "E%d", e); return buf; }
    }
}

static void report(const char *what, long result) {
    printf("%s=%s\n", what, result >= 0 ? "OK" : name_of(errno));
}

/* unshare in a child, so a success leaves this process as it was */
static void probe_unshare(void) {
    pid_t pid = fork();
    if (pid == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
    int status = 0;
    waitpid(pid, &status, 0);
    int e = WEXITSTATUS(status);
    printf("unshare-user=%s\n", e == 0 ? "OK" : name_of(e));
}

static void probe_device(const char *spec) {
    unsigned major = 0, minor = 0;
    if (!spec || sscanf(spec, "%u:%u", &major, &minor) != 2) return;
    unlink("/tmp/host-disk");
    if (mknod("/tmp/host-disk", S_IFBLK | 0600, makedev(major, minor)) < 0) { report("mknod", -1); return; }
    report("mknod", 0);
    report("open-device", open("/tmp/host-disk", O_RDONLY));
}

static int alloc(long mib) {
    for (long i = 0; i < mib; i++) {
        char *block = malloc(1 << 20);
        if (!block) return 2;
        memset(block, 1, 1 << 20);
    }
    printf("allocated %ld MiB\n", mib);
    return 0;
}

/* A shell's bomb dies out once forks are refused (each sh exits on a failed fork); this one keeps the limit under
 * pressure. Children start the same loop; the pause after a refusal keeps a full cgroup from spinning on the CPUs. */
static void forks(void) {
    for (;;)
        if (fork() < 0) usleep(10000);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2 && strcmp(argv[1], "alloc") == 0) return alloc(atol(argv[2]));
    if (argc > 1 && strcmp(argv[1], "spin") == 0) for (volatile unsigned long n = 0;; n++) {}
    if (argc > 1 && strcmp(argv[1], "forks") == 0) forks();
    mkdir("/tmp/probe-mnt", 0755);
    report("mount", mount("probe", "/tmp/probe-mnt", "tmpfs", 0, NULL));
    probe_device(argc > 1 ? argv[1] : NULL);
    report("settimeofday", syscall(SYS_settimeofday, NULL, NULL)); /* sets nothing; glibc's wrapper would read NULL */
    report("init_module", syscall(SYS_init_module, NULL, 0, ""));
    report("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
    report("keyctl", syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -2 /* PROCESS_KEYRING */, 1));
    report("add_key", syscall(SYS_add_key, "user", "probe", "x", 1, -2 /* PROCESS_KEYRING */));
    char attr[128] = {0};
    report("bpf", syscall(SYS_bpf, 0 /* MAP_CREATE */, attr, sizeof attr));
    report("perf_event_open", syscall(SYS_perf_event_open, attr, 0, -1, -1, 0));
    probe_unshare();
    struct { unsigned int bytes; int type; unsigned char handle[8]; } handle = { 8, 1, {0} };
    int root = open("/", O_RDONLY | O_DIRECTORY);
    report("open_by_handle_at", syscall(SYS_open_by_handle_at, root, &handle, O_RDONLY));
    report("reboot", syscall(SYS_reboot, 0xfee1dead, 672274793, 0 /* CAD_OFF */, NULL));
    report("clone3", syscall(SYS_clone3, NULL, 0));
    report("userfaultfd", syscall(SYS_userfaultfd, 0));
    return 0;
}
