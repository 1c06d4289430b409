// Declarations the .c files of CLibcsv share; not part of the module's interface.
#ifndef KAM_CSV_INTERNAL_H
#define KAM_CSV_INTERNAL_H

#include "kam_csv.h"

/// What `kam_scan_line` and `kam_scan_flags` report: a NUL byte, a byte above 0x7F.
enum { KAM_HAS_NUL = 2, KAM_HAS_HIGH = 4 };

/// What libcsv trims around fields and skips before a row: a space or tab that is not the
/// delimiter (with a tab delimiter, a tab separates fields).
static inline int kam_is_space(const kam_field_sink *k, unsigned char c) { return (c == ' ' || c == '\t') && c != k->delimiter; }

// bytes.c: byte scans.
size_t kam_scan_line(const unsigned char *bytes, size_t count, int *flags, int *newline);
int kam_scan_flags(const unsigned char *bytes, size_t count);

// field_sink.c: libcsv's field and row callbacks.
void kam_on_field(void *data, size_t length, void *context);
void kam_on_row(int terminator, void *context);

// records.c: a chunk's records and problems.
void kam_emit(kam_chunk *c, kam_field_sink *k, const unsigned char *base, long record_start, long raw_end, long record_line,
              long first_field, long side, int flags, long expected, int problem);

#endif
