#define _GNU_SOURCE
#include "CFileSystem.h"

#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int kam_lower_thread_priority(int increment) {
    // On Linux, PRIO_PROCESS with a thread id addresses that thread alone.
    id_t thread = (id_t)syscall(SYS_gettid);
    errno = 0;
    int current = getpriority(PRIO_PROCESS, thread);
    if (current == -1 && errno != 0) return -1;
    return setpriority(PRIO_PROCESS, thread, current + increment);
}
#else
int kam_lower_thread_priority(int increment) {
    (void)increment;
    return 0;
}
#endif
