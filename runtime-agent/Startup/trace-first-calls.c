// trace-first-calls SYMS OUT PROG ARGS...: runs PROG under ptrace with an int3 on the first byte of every address in
// SYMS ("hexaddr name" lines, function entry points of PROG's non-PIE image); writes the names in first-call order to
// OUT. Each breakpoint is removed at its first hit, so the run costs one trap per function it calls, not per call.
// Threads are followed (PTRACE_O_TRACECLONE); child processes are not (they exec other programs).
// Used by make-order.sh to list the methods a cached `run` executes (README.md in this directory).
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/user.h>
typedef struct { unsigned long addr; char *name; unsigned char orig; int hit; } sym_t;
static sym_t *syms; static int nsyms;
static int cmp(const void *a, const void *b) { unsigned long x = ((sym_t*)a)->addr, y = ((sym_t*)b)->addr; return x < y ? -1 : x > y; }
static sym_t *find(unsigned long a) { int lo = 0, hi = nsyms - 1; while (lo <= hi) { int m = (lo + hi) / 2; if (syms[m].addr == a) return &syms[m]; if (syms[m].addr < a) lo = m + 1; else hi = m - 1; } return NULL; }
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "r"); char line[4096]; int cap = 1 << 16; syms = malloc(sizeof(sym_t) * cap);
  while (fgets(line, sizeof line, f)) { char name[4000]; unsigned long a; if (sscanf(line, "%lx %3999s", &a, name) != 2) continue;
    if (nsyms == cap) { cap *= 2; syms = realloc(syms, sizeof(sym_t) * cap); } syms[nsyms].addr = a; syms[nsyms].name = strdup(name); syms[nsyms].hit = 0; nsyms++; }
  qsort(syms, nsyms, sizeof(sym_t), cmp);
  // dedupe addresses (folded bodies share one)
  int k = 0; for (int i = 0; i < nsyms; i++) if (k == 0 || syms[k-1].addr != syms[i].addr) syms[k++] = syms[i]; nsyms = k;
  FILE *out = fopen(argv[2], "w");
  pid_t pid = fork();
  if (pid == 0) { ptrace(PTRACE_TRACEME, 0, 0, 0); raise(SIGSTOP); execv(argv[3], argv + 3); _exit(127); }
  int st; waitpid(pid, &st, 0);
  ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
  ptrace(PTRACE_CONT, pid, 0, 0);
  waitpid(pid, &st, 0); // exec stop
  if (!(WIFSTOPPED(st) && (st >> 8) == (SIGTRAP | (PTRACE_EVENT_EXEC << 8)))) { fprintf(stderr, "no exec stop %x\n", st); return 1; }
  char memp[64]; sprintf(memp, "/proc/%d/mem", pid); int mem = open(memp, O_RDWR);
  unsigned long lo = syms[0].addr, hi = syms[nsyms-1].addr + 1; unsigned char *buf = malloc(hi - lo);
  if (pread(mem, buf, hi - lo, lo) != (ssize_t)(hi - lo)) { perror("pread"); return 1; }
  for (int i = 0; i < nsyms; i++) { syms[i].orig = buf[syms[i].addr - lo]; buf[syms[i].addr - lo] = 0xCC; }
  if (pwrite(mem, buf, hi - lo, lo) != (ssize_t)(hi - lo)) { perror("pwrite"); return 1; }
  fprintf(stderr, "trace-first-calls: %d breakpoints in %lx-%lx\n", nsyms, lo, hi);
  ptrace(PTRACE_CONT, pid, 0, 0);
  int hits = 0, alive = 1;
  while (alive) {
    pid_t t = waitpid(-1, &st, __WALL); if (t < 0) { if (errno == EINTR) continue; break; }
    if (WIFEXITED(st) || WIFSIGNALED(st)) { if (t == pid) alive = 0; continue; }
    if (!WIFSTOPPED(st)) continue;
    int sig = WSTOPSIG(st), ev = st >> 16;
    if (ev) { ptrace(PTRACE_CONT, t, 0, 0); continue; } // clone/exec events
    if (sig == SIGTRAP) {
      struct user_regs_struct r; ptrace(PTRACE_GETREGS, t, 0, &r);
      sym_t *s = find(r.rip - 1);
      if (s) {
        if (!s->hit) { s->hit = 1; hits++; pwrite(mem, &s->orig, 1, s->addr); fprintf(out, "%s\n", s->name); }
        r.rip -= 1; ptrace(PTRACE_SETREGS, t, 0, &r); ptrace(PTRACE_CONT, t, 0, 0); continue;
      }
      ptrace(PTRACE_CONT, t, 0, SIGTRAP); continue;
    }
    if (sig == SIGSTOP && t != pid) { ptrace(PTRACE_CONT, t, 0, 0); continue; } // new thread's first stop
    ptrace(PTRACE_CONT, t, 0, sig);
  }
  fclose(out); fprintf(stderr, "trace-first-calls: %d functions hit\n", hits);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
