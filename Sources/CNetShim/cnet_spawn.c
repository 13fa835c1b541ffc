// Starting a child that cannot outlive netlab: vfork, set up the child, exec. posix_spawn cannot
// do it, because PR_SET_PDEATHSIG has to be set in the child between fork and exec.
//
// vfork, as glibc's posix_spawn does (clone with CLONE_VM|CLONE_VFORK): the child borrows
// netlab's memory until it execs, so starting it costs no copy of a large process's page
// tables, and the forking thread waits meanwhile. The child therefore only makes system calls
// (no malloc, no locks, no stdio), reads memory the parent prepared, and ends in execve or
// _exit. Its signal dispositions are its own (no CLONE_SIGHAND), so resetting them does not
// touch netlab's; every signal is blocked around the vfork, so no handler of netlab's runs on
// the borrowed stack before the reset.
#define _GNU_SOURCE
#include "CNetShim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/// The paths to try for `file`, as execvp would: `file` itself when it holds a slash, else each
/// folder of netlab's PATH (posix_spawnp searches the parent's PATH too, not the child's).
/// Made in the parent, where malloc is safe. NULL-terminated; free with free_candidates.
static char **candidates_for(const char *file) {
    if (strchr(file, '/')) {
        char **list = calloc(2, sizeof(char *));
        if (list) list[0] = strdup(file);
        return list;
    }
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
    size_t count = 1;
    for (const char *p = path; *p; p++) if (*p == ':') count++;
    char **list = calloc(count + 1, sizeof(char *));
    if (!list) return NULL;
    size_t n = 0;
    const char *start = path;
    while (1) {
        const char *end = strchr(start, ':');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        // An empty entry means the working directory.
        const char *dir = len ? start : ".";
        size_t dirlen = len ? len : 1;
        char *full = malloc(dirlen + 1 + strlen(file) + 1);
        if (full) {
            memcpy(full, dir, dirlen);
            full[dirlen] = '/';
            strcpy(full + dirlen + 1, file);
            list[n++] = full;
        }
        if (!end) break;
        start = end + 1;
    }
    return list;
}

static void free_candidates(char **list) {
    if (!list) return;
    for (char **p = list; *p; p++) free(*p);
    free(list);
}

/// Writes errno to the error pipe and ends the child. Only async-signal-safe calls.
static void child_fail(int errfd, int code) {
    ssize_t n;
    do { n = write(errfd, &code, sizeof code); } while (n < 0 && errno == EINTR);
    _exit(127);
}

/// The child, between vfork and exec: system calls only, on memory the parent prepared.
static void child(char **candidates, char *const argv[], char *const envp[], int stdin_null, int out_fd, int err_fd,
                  int new_group, long fd_limit, int in_fd, int outlive, pid_t parent, int errfd) {
    // Default actions for every signal (netlab's handlers write to netlab's pipes).
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);  // glibc's own fail: fine
    }
    if (new_group && setpgid(0, 0) != 0) child_fail(errfd, errno);
    // Killed when netlab dies, however it dies. Set after the fork, so netlab may have died
    // already: then the child has a new parent, and must not run at all.
    if (!outlive) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) child_fail(errfd, errno);
        if (getppid() != parent) _exit(127);
    }
    if (in_fd >= 0) {
        if (in_fd != 0 && dup2(in_fd, 0) < 0) child_fail(errfd, errno);
    } else if (stdin_null) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) child_fail(errfd, errno);
        if (fd != 0) {
            if (dup2(fd, 0) < 0) child_fail(errfd, errno);
            close(fd);
        }
    }
    if (out_fd >= 0 && out_fd != 1 && dup2(out_fd, 1) < 0) child_fail(errfd, errno);
    if (err_fd >= 0 && err_fd != 2 && dup2(err_fd, 2) < 0) child_fail(errfd, errno);
    // Nothing above 2 reaches the program, whatever was inherited (a descriptor some thread
    // opened without O_CLOEXEC). Close-on-exec rather than closed, so the error pipe (which is
    // close-on-exec already) stays usable until the exec.
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        // Kernels before 5.11: mark them one by one, up to the descriptor limit.
        long max = sysconf(_SC_OPEN_MAX);
        if (max < 0 || max > 1 << 20) max = 1 << 20;
        for (int fd = 3; fd < max; fd++) {
            if (fd != errfd) fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    }
    if (fd_limit > 0) {
        struct rlimit limit = {.rlim_cur = (rlim_t)fd_limit, .rlim_max = (rlim_t)fd_limit};
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) child_fail(errfd, errno);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int failure = ENOENT;
    for (char **path = candidates; *path; path++) {
        execve(*path, argv, envp);
        // As execvp: a folder where the file is missing or unusable does not end the search,
        // but EACCES is reported if nothing else is found.
        if (errno == EACCES) failure = EACCES;
        else if (errno != ENOENT && errno != ENOTDIR) { failure = errno; break; }
    }
    child_fail(errfd, failure);
}

pid_t cnet_spawn(const char *file, char *const argv[], char *const envp[], int stdin_null, int out_fd, int err_fd,
                 int new_group, long fd_limit, int in_fd, int outlive, int *error) {
    *error = 0;
    char **candidates = candidates_for(file);
    if (!candidates) { *error = ENOMEM; return -1; }
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0) {
        *error = errno;
        free_candidates(candidates);
        return -1;
    }
    // No signal handler of netlab's may run in the child before the child resets it.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t parent = getpid();
    pid_t pid = vfork();
    if (pid == 0) child(candidates, argv, envp, stdin_null, out_fd, err_fd, new_group, fd_limit, in_fd, outlive, parent, errpipe[1]);
    int forkError = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(errpipe[1]);
    free_candidates(candidates);
    if (pid < 0) {
        close(errpipe[0]);
        *error = forkError;
        return -1;
    }
    // The pipe closes at the exec (success) or carries the child's errno (failure).
    int code = 0;
    ssize_t n;
    do { n = read(errpipe[0], &code, sizeof code); } while (n < 0 && errno == EINTR);
    close(errpipe[0]);
    if (n == (ssize_t)sizeof code) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *error = code ? code : ECHILD;
        return -1;
    }
    return pid;
}

int cnet_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
