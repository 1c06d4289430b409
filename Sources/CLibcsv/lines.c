// The parse of a byte range: libcsv is fed one physical line per `csv_parse` call, which
// gives every record its first line, its raw text and its problem. The loop is in C because it
// runs once per line of every input.
#include "internal.h"

/// Makes `p` a fresh parser with the same settings, after a record it could not finish (a bad
/// or stray quote), through libcsv's own calls only: its parse state is
/// private to it (libcsv has no getter for the block size: it is read, never written). The
/// next parse allocates its buffer anew.
static void kam_reset_parser(struct csv_parser *p) {
    unsigned char options = (unsigned char)csv_get_opts(p);
    unsigned char delim = csv_get_delim(p), quote = csv_get_quote(p);
    size_t block = p->blk_size;
    csv_free(p);
    csv_init(p, options);
    csv_set_delim(p, delim);
    csv_set_quote(p, quote);
    csv_set_blk_size(p, block);
}

/// Feeds `length` bytes to libcsv with the sink's callbacks; returns the bytes consumed.
static size_t kam_csv_parse(struct csv_parser *p, const void *bytes, size_t length, kam_field_sink *k) {
    return csv_parse(p, bytes, length, kam_on_field, kam_on_row, k);
}

static int kam_csv_fini(struct csv_parser *p, kam_field_sink *k) { return csv_fini(p, kam_on_field, kam_on_row, k); }

/// Lines a quoted field may run across before its opening quote is taken for a stray one.
#define KAM_MAX_OPEN_LINES 10000

/// After each line the parser's state says whether a record ended there, so no second parser
/// is needed. Blank lines are skipped, as libcsv does. Stops after the record that makes
/// `max_records`, or at the end of the range.
void kam_parse_chunk(struct csv_parser *p, kam_field_sink *k, kam_chunk *c, const unsigned char *base, long start, long end,
                     int end_of_file, long expected, long max_records) {
    long position = start, line = 0;
    c->incomplete = 0;
    long record_start = position, record_line = line, record_first_field = k->count, record_side = k->side;
    long record_first_line_end = position;
    int record_flags = 0, in_record = 0;

#define KAM_RAW_END(piece_end) \
    ({ long e_ = (piece_end); \
       if (e_ > record_start && base[e_ - 1] == '\n') e_ -= 1; \
       if (e_ > record_start && base[e_ - 1] == '\r') e_ -= 1; \
       e_; })
#define KAM_ROLLBACK() do { k->count = record_first_field; k->side = record_side; } while (0)
#define KAM_EMIT(raw_end_, problem_) do { \
        kam_emit(c, k, base, record_start, (raw_end_), record_line, record_first_field, record_side, record_flags, expected, (problem_)); \
        if (c->failed) goto done; \
    } while (0)
// A record whose quoted field ran across lines and came out wrong (the wrong width, a bad
// quote, no closing quote, or open over KAM_MAX_OPEN_LINES lines) began with a stray quote:
// only its first physical line is rejected, and reading goes on from the next line, so the
// quote does not swallow the well-formed lines after it.
#define KAM_STRAY_QUOTE() do { \
        KAM_ROLLBACK(); \
        kam_reset_parser(p); \
        kam_emit(c, k, base, record_start, KAM_RAW_END(record_first_line_end), record_line, record_first_field, record_side, \
                 kam_scan_flags(base + record_start, (size_t)(record_first_line_end - record_start)), expected, KAM_UNTERMINATED_QUOTE); \
        if (c->failed) goto done; \
        position = record_first_line_end; \
        line = record_line + 1; \
        in_record = 0; \
    } while (0)

    for (;;) {
        if (!in_record && c->count >= max_records) break;
        if (position >= end) {
            if (in_record) {
                if (end_of_file) {
                    k->rows_ended = 0;
                    int ok = kam_csv_fini(p, k) == 0;
                    if (!ok && expected >= 0 && line > record_line + 1) {
                        KAM_STRAY_QUOTE();
                        continue;
                    }
                    KAM_EMIT(KAM_RAW_END(end), ok ? KAM_OK : KAM_UNTERMINATED_QUOTE);
                    position = end;
                } else {
                    KAM_ROLLBACK();
                    position = record_start;
                    line = record_line;
                    c->incomplete = 1;
                }
            }
            break;
        }
        int flags, newline;
        long piece_end = position + (long)kam_scan_line(base + position, (size_t)(end - position), &flags, &newline);
        if (!newline && !end_of_file) {
            // The rest is the start of a record that continues after `end`.
            if (in_record) {
                KAM_ROLLBACK();
                position = record_start;
                line = record_line;
            }
            c->incomplete = 1;
            break;
        }
        if (!in_record) {
            record_start = position;
            record_line = line;
            record_first_field = k->count;
            record_side = k->side;
            record_flags = 0;
            record_first_line_end = piece_end;
            // The first field starts after what libcsv skips before a row (spaces, tabs, CRs).
            long first = position;
            while (first < piece_end && (base[first] == '\r' || kam_is_space(k, base[first]))) first++;
            k->cursor = first;
        }
        record_flags |= flags;
        k->rows_ended = 0;
        size_t length = (size_t)(piece_end - position);
        int ok = kam_csv_parse(p, base + position, length, k) == length && csv_error(p) == CSV_SUCCESS;
        position = piece_end;
        if (newline) line += 1;
        if (!ok) {
            if (expected >= 0 && line > record_line + 1) {
                KAM_STRAY_QUOTE();
                continue;
            }
            kam_reset_parser(p);
            KAM_EMIT(KAM_RAW_END(piece_end), KAM_BAD_QUOTE);
            in_record = 0;
            continue;
        }
        if (!newline) {
            // End of file without a final newline.
            if (kam_csv_fini(p, k) == 0) {
                if (k->rows_ended > 0) {
                    if (expected >= 0 && line > record_line && k->count - record_first_field != expected) {
                        KAM_STRAY_QUOTE();
                        continue;
                    }
                    KAM_EMIT(KAM_RAW_END(piece_end), KAM_OK);
                }
            } else {
                if (expected >= 0 && line > record_line) {
                    KAM_STRAY_QUOTE();
                    continue;
                }
                KAM_EMIT(KAM_RAW_END(piece_end), KAM_UNTERMINATED_QUOTE);
            }
            in_record = 0;
            break;
        }
        if (p->pstate == 0) {
            if (k->rows_ended > 1) {
                KAM_EMIT(KAM_RAW_END(piece_end), KAM_BARE_CR);
            } else if (k->rows_ended > 0) {
                if (expected >= 0 && line > record_line + 1 && k->count - record_first_field != expected) {
                    KAM_STRAY_QUOTE();
                    continue;
                }
                KAM_EMIT(KAM_RAW_END(piece_end), KAM_OK);
            }
            in_record = 0;
        } else if (expected >= 0 && line - record_line > KAM_MAX_OPEN_LINES) {
            KAM_STRAY_QUOTE();
            continue;
        } else {
            in_record = 1;
        }
    }
done:
#undef KAM_STRAY_QUOTE
#undef KAM_EMIT
#undef KAM_ROLLBACK
#undef KAM_RAW_END
    c->end_position = position;
    c->lines_consumed = line;
}
