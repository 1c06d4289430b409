// Declarations the .c files of CLibcsv share; not part of the module's interface.
#ifndef KAM_CSV_INTERNAL_H
#define KAM_CSV_INTERNAL_H

#include "kam_csv.h"

/// A byte that ends a field (the delimiter, LF or CR), and one that starts a field libcsv reads
/// as it is (above 0x20, not the quote: libcsv skips spaces, tabs and CRs before a field, and a
/// quote opens a quoted one).
enum { KAM_ENDS_FIELD = 1, KAM_PLAIN_START = 2 };

/// What `kam_scan_line` and `kam_scan_flags` report: a NUL byte, a byte above 0x7F.
enum { KAM_HAS_NUL = 2, KAM_HAS_HIGH = 4 };

/// What libcsv trims around fields and skips before a row: a space or tab that is not the
/// delimiter (with a tab delimiter, a tab separates fields).
static inline int kam_is_space(const kam_field_sink *k, unsigned char c) { return (c == ' ' || c == '\t') && c != k->delimiter; }

// bytes.c: byte scans.
size_t kam_scan_line(const unsigned char *bytes, size_t count, int *flags, int *newline);
int kam_scan_flags(const unsigned char *bytes, size_t count);

// field_sink.c: libcsv's field callback.
void kam_on_field(void *data, size_t length, void *context);

// records.c: a chunk's records and problems.
int kam_chunk_grow_records(kam_chunk *c);
void kam_emit(kam_chunk *c, kam_field_sink *k, const unsigned char *base, long record_start, long raw_end, long record_line,
              long first_field, long side, int flags, long expected, int problem);

/// Stores a record whose fields end at the sink's count (the chunk has room for it).
static inline void kam_push_record(kam_chunk *c, const kam_field_sink *k, long record_start, long raw_end, long record_line) {
    kam_record *r = &c->records[c->count++];
    r->field_end = (int32_t)k->count;
    r->raw_start = (int32_t)record_start;
    r->raw_end = (int32_t)raw_end;
    r->line = (int32_t)record_line;
}

// block.c: a run of whole lines in one csv_parse call, with libcsv's row callback.
void kam_on_row(int terminator, void *context);
int kam_parse_block(struct csv_parser *p, kam_field_sink *k, kam_chunk *c, const unsigned char *base, long *position, long *line,
                    long end, long expected, long *run_stop);

// lines.c: one physical line per csv_parse call.
void kam_reset_parser(struct csv_parser *p);
int kam_parse_lines(struct csv_parser *p, kam_field_sink *k, kam_chunk *c, const unsigned char *base, long *position, long *line,
                    long end, int end_of_file, long expected, long max_records, long stop_at);

#endif
