// An ordinary user's agent enters its user namespace in place, before the .NET runtime starts (RootlessMode.cs).
//
// A .NET process is multi-threaded from its first managed instruction, and a multi-threaded process cannot
// unshare(CLONE_NEWUSER); so the managed fallback (RootlessMode.Reexec) clones a child that execs the agent again —
// a second runtime start on every rootless command (~330 page faults, ~10 ms on the VMs measured). This ELF
// constructor, linked into the NativeAOT executable only, runs while the process is still single-threaded: it forks
// two waiting helpers, unshares the user namespace, lets them exec Debian's setuid newuidmap/newgidmap on it
// (`TOOL PID 0 OWN 1 1 START COUNT`: the user is root inside, its subordinate ids are 1…), becomes root of it, takes
// a mount namespace of its own and marks the environment; then the runtime starts inside. Whatever it cannot check
// before the unshare (no range, no tool) it leaves to the managed path, which says why in one line; a tool that fails
// after it is reported in the same words the managed path uses.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARKER "RUNTIME_AGENT_ROOTLESS" // RootlessMode.Marker

struct range { unsigned long start, count; };

// The first NAME:START:COUNT line of FILE naming the user or its id, as SubordinateIds.TryOf reads it.
static int find_range(const char *file, const char *name, unsigned id, struct range *out)
{
    FILE *f = fopen(file, "re");
    if (!f) return 0;
    char line[512], id_text[16];
    snprintf(id_text, sizeof id_text, "%u", id);
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':'), *end;
        if (!colon) continue;
        *colon = 0;
        if (strcmp(line, name) != 0 && strcmp(line, id_text) != 0) continue;
        out->start = strtoul(colon + 1, &end, 10);
        if (end == colon + 1 || *end != ':') continue;
        char *count = end + 1;
        out->count = strtoul(count, &end, 10);
        found = end != count && out->count > 0 && (*end == '\n' || *end == 0);
    }
    fclose(f);
    return found;
}

// TOOL's absolute path on $PATH (as ProcessStart.FindExecutable looks it up).
static int find_tool(const char *tool, char *path)
{
    const char *search = getenv("PATH");
    if (!search || !*search) search = "/usr/local/bin:/usr/bin:/bin";
    while (*search) {
        size_t length = strcspn(search, ":");
        if (length > 0 && snprintf(path, PATH_MAX, "%.*s/%s", (int)length, search, tool) < PATH_MAX && access(path, X_OK) == 0)
            return 1;
        search += length + (search[length] == ':');
    }
    return 0;
}

// A helper that waits for end-of-file on GO (the parent has unshared), then execs TOOL for the parent's namespace.
static pid_t start_tool(const char *path, const char *tool, unsigned own, struct range r, const int go[2], const int out[2])
{
    char args[6][24];
    snprintf(args[0], sizeof args[0], "%d", (int)getpid());
    snprintf(args[1], sizeof args[1], "%u", own);
    snprintf(args[2], sizeof args[2], "%lu", r.start);
    snprintf(args[3], sizeof args[3], "%lu", r.count);
    pid_t pid = fork();
    if (pid != 0) return pid;
    close(go[1]);
    char c;
    while (read(go[0], &c, 1) < 0 && errno == EINTR) { }
    dup2(out[1], 1);
    dup2(out[1], 2);
    char *argv[] = { (char *)tool, args[0], "0", args[1], "1", "1", args[2], args[3], NULL };
    execv(path, argv);
    _exit(127);
}

static int exit_code(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0) if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void fail(const char *what, const char *why)
{
    fprintf(stderr, "runtime-agent: rootless: %s: %s\n", what, why);
    _exit(125);
}

__attribute__((constructor)) static void enter_user_namespace(void)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (uid == 0 || getenv(MARKER)) return; // root, or already inside (the re-executed agent, its monitors, init)
    struct passwd entry, *user;
    char buffer[4096], uid_tool[PATH_MAX], gid_tool[PATH_MAX];
    struct range uids, gids;
    if (getpwuid_r(uid, &entry, buffer, sizeof buffer, &user) != 0 || !user
        || !find_range("/etc/subuid", user->pw_name, uid, &uids) || !find_range("/etc/subgid", user->pw_name, gid, &gids)
        || !find_tool("newuidmap", uid_tool) || !find_tool("newgidmap", gid_tool))
        return;
    int go[2], out[2];
    if (pipe2(go, O_CLOEXEC) != 0) return;
    if (pipe2(out, O_CLOEXEC) != 0) { close(go[0]); close(go[1]); return; }
    pid_t uid_map = start_tool(uid_tool, "newuidmap", uid, uids, go, out);
    pid_t gid_map = uid_map > 0 ? start_tool(gid_tool, "newgidmap", gid, gids, go, out) : -1;
    close(go[0]);
    close(out[1]);
    if (gid_map <= 0 || unshare(CLONE_NEWUSER) != 0) {
        // Nothing changed yet: stop the helpers and leave it to the managed path.
        if (uid_map > 0) kill(uid_map, SIGKILL);
        if (gid_map > 0) kill(gid_map, SIGKILL);
        close(go[1]);
        if (uid_map > 0) exit_code(uid_map);
        if (gid_map > 0) exit_code(gid_map);
        close(out[0]);
        return;
    }
    close(go[1]); // both helpers go at once
    int uid_status = exit_code(uid_map), gid_status = exit_code(gid_map);
    if (uid_status != 0 || gid_status != 0) {
        char message[1024];
        ssize_t length = read(out[0], message, sizeof message - 1);
        message[length > 0 ? length : 0] = 0;
        for (char *p = message; *p; p++) if (*p == '\n') *p = ' ';
        while (length > 0 && message[length - 1] == ' ') message[--length] = 0;
        char exit_text[32];
        snprintf(exit_text, sizeof exit_text, "exit code %d", uid_status != 0 ? uid_status : gid_status);
        fail(uid_status != 0 ? "newuidmap failed" : "newgidmap failed", length > 0 ? message : exit_text);
    }
    close(out[0]);
    if (setgroups(0, NULL) != 0) fail("setgroups", strerror(errno));
    if (setresgid(0, 0, 0) != 0) fail("setresgid 0", strerror(errno));
    if (setresuid(0, 0, 0) != 0) fail("setresuid 0", strerror(errno));
    if (unshare(CLONE_NEWNS) != 0) fail("unshare the mount namespace", strerror(errno));
    setenv(MARKER, "1", 1);
}
