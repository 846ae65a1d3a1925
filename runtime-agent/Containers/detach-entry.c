// `run -d` as root: the process the user waits for never starts .NET (docs/decisions/011-detached-run-fork.md).
//
// A detached run used to start a second NativeAOT process as the container's monitor (~300 page faults and ~8 ms of
// CPU, on the path `run -d` waits for). Instead this ELF constructor, linked into the NativeAOT executable, runs while
// the process is still single-threaded, before the runtime starts, and for a command line that is clearly
// `[--root DIR] run [FLAGS…] -d … IMAGE` it forks: the child starts .NET and does what a foreground run does, then
// becomes the container's monitor (ForkedMonitor.cs); this parent only waits on a pipe for the child's report,
// "ok ID\n", prints the id and exits 0. Without a report (the child printed its own error, or the command line was
// not a detached run after all and ran in the foreground) it passes on the child's exit status. SIGINT and SIGTERM
// sent to it are passed on to the child.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPORT_VARIABLE "RUNTIME_AGENT_DETACH_REPORT" // ForkedMonitor.ReportVariable
#define ROOTLESS_MARKER "RUNTIME_AGENT_ROOTLESS"      // RootlessMode.Marker

// run's options that take a value (RunCommand.cs); any option not named here or below means "not sure": no fork.
static const char *const value_options[] = {
    "--root", "--env", "-e", "--volume", "-v", "--workdir", "-w", "--user", "-u", "--entrypoint", "--hostname", "--net",
    "--network", "--publish", "-p", "--dns", "--add-host", "--stop-timeout", "--snapshotter", "--max-layer-size",
    "--progress", "--name", "--restart", "--health-cmd", "--health-interval", "--health-timeout", "--health-start-period",
    "--health-retries", "--health-on-failure", "--cap-add", "--cap-drop", "--security-opt", "--memory", "-m",
    "--memory-swap", "--pids-limit", "--cpus", "--cpu-weight", "--cgroups", "--tmpfs", "--userns", "--upper", NULL};
static const char *const switch_options[] = {
    "--tty", "--interactive", "--init", "--keep", "--quiet", "--insecure", "--privileged", "--read-only",
    "--no-healthcheck", NULL};

static int named(const char *const *names, const char *arg, size_t length)
{
    for (; *names; names++)
        if (strlen(*names) == length && strncmp(*names, arg, length) == 0) return 1;
    return 0;
}

// Whether ARGV is `[--root DIR] run FLAGS… IMAGE …` with -d, --detach or a short group holding d among FLAGS.
static int is_detached_run(int argc, char **argv)
{
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "--root") == 0) i += 2;
    if (i >= argc || strcmp(argv[i], "run") != 0) return 0;
    int detach = 0;
    for (i++; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '@') return 0; // a response file
        if (arg[0] != '-') return detach; // the image: what follows is the container's command
        if (arg[1] != '-') { // -d, -dit, -e VALUE
            if (arg[1] && strchr("evwupm", arg[1])) {
                if (arg[2] == 0) i++;
                continue;
            }
            if (arg[1] == 0 || strspn(arg + 1, "dtiq") != strlen(arg + 1)) return 0;
            detach |= strchr(arg + 1, 'd') != NULL;
            continue;
        }
        const char *equals = strchr(arg, '=');
        size_t length = equals ? (size_t)(equals - arg) : strlen(arg);
        if (named(value_options, arg, length)) {
            if (!equals) i++;
        } else if (!equals && strcmp(arg, "--detach") == 0) {
            detach = 1;
        } else if (equals || !named(switch_options, arg, length)) {
            return 0; // --help, --, --detach=…, an unknown option
        }
    }
    return 0; // no image
}

static volatile pid_t agent;

// A terminal's ^C reaches the agent by itself while it is still in this process group; anything else is passed on.
static void forward(int signal, siginfo_t *info, void *context)
{
    (void)context;
    if (info->si_code == SI_KERNEL && getpgid(agent) == getpgrp()) return;
    kill(agent, signal);
}

static void write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return;
        data += written;
        length -= (size_t)written;
    }
}

static void wait_for_report(int report)
{
    struct sigaction action = {.sa_sigaction = forward, .sa_flags = SA_SIGINFO}; // no SA_RESTART: read sees EINTR
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    char line[4096];
    size_t length = 0;
    while (length < sizeof line - 1) {
        ssize_t got = read(report, line + length, sizeof line - 1 - length);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        length += (size_t)got;
        if (memchr(line, '\n', length)) break;
    }
    line[length] = 0;
    char *end = strchr(line, '\n');
    if (end && strncmp(line, "ok ", 3) == 0) {
        write_all(1, line + 3, (size_t)(end + 1 - (line + 3)));
        _exit(0);
    }
    int status;
    while (waitpid(agent, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "runtime-agent: wait for the agent: %s\n", strerror(errno));
            _exit(125);
        }
    if (WIFEXITED(status)) _exit(WEXITSTATUS(status)); // it has said why itself, or it was a foreground run
    fprintf(stderr, "runtime-agent: the agent was killed by signal %d (%s) before the container started\n",
            WTERMSIG(status), strsignal(WTERMSIG(status)));
    _exit(125);
}

__attribute__((constructor)) static void fork_detached_run(int argc, char **argv, char **envp)
{
    (void)envp;
    unsetenv(REPORT_VARIABLE); // only ever this constructor's, for its own child
    if (geteuid() != 0 || getenv(ROOTLESS_MARKER) || !is_detached_run(argc, argv)) return;
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return;
    pid_t child = fork();
    if (child < 0) {
        close(report[0]);
        close(report[1]);
        return; // the managed path starts a monitor process instead
    }
    if (child == 0) {
        close(report[0]);
        char fd[16];
        snprintf(fd, sizeof fd, "%d", report[1]);
        setenv(REPORT_VARIABLE, fd, 1);
        return;
    }
    close(report[1]);
    agent = child;
    wait_for_report(report[0]);
}
