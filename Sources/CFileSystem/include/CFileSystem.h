// The one file-system call Swift's Glibc module does not expose: an atomic exchange of two
// paths (Linux renameat2 with RENAME_EXCHANGE), used to swap a new run folder into place.
#ifndef KAM_CFILESYSTEM_H
#define KAM_CFILESYSTEM_H

/// Atomically exchanges `a` and `b` (both must exist). 0 on success, else -1 with errno set
/// (EINVAL or ENOSYS where the file system or kernel cannot exchange).
int kam_exchange_paths(const char *a, const char *b);

/// Renames `from` to `to` only if `to` does not exist. 0 on success, else -1 with errno set
/// (EEXIST when `to` appeared meanwhile).
int kam_rename_no_replace(const char *from, const char *to);

#endif
