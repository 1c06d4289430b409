#define _GNU_SOURCE
#include "CFileSystem.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#if defined(__linux__)
int kam_exchange_paths(const char *a, const char *b) {
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

int kam_rename_no_replace(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}
#elif defined(__APPLE__)
int kam_exchange_paths(const char *a, const char *b) { return renamex_np(a, b, RENAME_SWAP); }
int kam_rename_no_replace(const char *from, const char *to) { return renamex_np(from, to, RENAME_EXCL); }
#else
int kam_exchange_paths(const char *a, const char *b) { errno = ENOSYS; return -1; }
int kam_rename_no_replace(const char *from, const char *to) { errno = ENOSYS; return -1; }
#endif
