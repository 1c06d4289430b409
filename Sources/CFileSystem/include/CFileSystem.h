// System calls Swift's Glibc module does not expose: an atomic exchange of two paths (Linux
// renameat2 with RENAME_EXCHANGE), used to swap a new run folder into place, a SIGBUS handler
// for mapped inputs that shrink while they are read, and a thread's own priority.
#ifndef KAM_CFILESYSTEM_H
#define KAM_CFILESYSTEM_H

/// Atomically exchanges `a` and `b` (both must exist). 0 on success, else -1 with errno set
/// (EINVAL or ENOSYS where the file system or kernel cannot exchange).
int kam_exchange_paths(const char *a, const char *b);

/// Renames `from` to `to` only if `to` does not exist. 0 on success, else -1 with errno set
/// (EEXIST when `to` appeared meanwhile).
int kam_rename_no_replace(const char *from, const char *to);

/// Makes a SIGBUS (a mapped file cut short under the reader) end the process with exit 1 and a
/// message that says so, instead of a crash. Idempotent.
void kam_install_sigbus_handler(void);

/// Raises the calling thread's nice value by `increment` (Linux: per thread, by its id; no
/// privilege needed to lower a priority). Elsewhere it does nothing. 0, or -1 with errno set.
int kam_lower_thread_priority(int increment);

#endif
