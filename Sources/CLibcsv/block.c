// A run of whole lines fed to libcsv in one `csv_parse` call, records placed from libcsv's row
// callback: the fast path of `kam_parse_chunk` (Benchmarks/RESULTS.md gives its worth).
#include "internal.h"

/// A run of whole lines fed to libcsv in one `csv_parse` call (`kam_parse_block`): the row
/// callback places each record, from the sink's cursor, which stands just past the record's
/// line end once its last field is read. Anything unusual (a field libcsv read otherwise than
/// the raw text shows, a CR that is not part of a CRLF, a parse error) stops the run at the
/// start of that record; the rest of the run is then read line by line.
struct kam_block {
    kam_chunk *chunk;
    const unsigned char *base;
    long expected;
    /// The run is not all valid UTF-8 without NUL: each record's text is checked.
    int check_text;
    /// End of the run (just past its last line feed).
    long stop;
    /// The record being read: where its line starts, its line, first field and side offset.
    long record_start, record_line, record_first_field, record_side;
    int stopped;
};
typedef struct kam_block kam_block;

/// The record being read starts at `start` on `line`; its first field at `cursor`.
static inline void kam_block_start_record(kam_field_sink *k, kam_block *bl, long start, long line, long cursor) {
    bl->record_start = start;
    bl->record_line = line;
    bl->record_first_field = k->count;
    bl->record_side = k->side;
    k->cursor = cursor;
    k->inner_lines = 0;
}

/// Moves past blank lines (only spaces, tabs and CRs, which libcsv skips) from `pos`, to the
/// start of the next record's line; counts the lines passed.
static inline void kam_block_next_record(kam_field_sink *k, kam_block *bl, long pos, long line) {
    const unsigned char *b = bl->base;
    long line_start = pos;
    while (pos < bl->stop) {
        unsigned char ch = b[pos];
        if (ch == '\n') {
            line += 1;
            line_start = ++pos;
        } else if (ch == '\r' || kam_is_space(k, ch)) {
            pos += 1;
        } else {
            break;
        }
    }
    // The first field starts after what libcsv skips before a row (spaces, tabs, CRs).
    kam_block_start_record(k, bl, line_start, line, pos);
}

static __attribute__((noinline)) void kam_block_row(kam_field_sink *k, kam_block *bl, int terminator) {
    const unsigned char *b = bl->base;
    long t = k->cursor - 1, next;
    if (t < bl->record_start || t >= bl->stop || b[t] != (unsigned char)terminator) {
        bl->stopped = 1;
        return;
    }
    if (terminator == '\n') {
        next = t + 1;
    } else if (terminator == '\r' && t + 1 < bl->stop && b[t + 1] == '\n') {
        next = t + 2;
    } else {
        bl->stopped = 1;
        return;
    }
    size_t length = (size_t)(t - bl->record_start);
    long inner = k->inner_lines;
    if (inner > 0 && bl->expected >= 0 && k->count - bl->record_first_field != bl->expected) {
        // A quoted field ran across lines into a record of the wrong width: a stray quote,
        // which the line path recovers from (`kam_parse_lines`).
        bl->stopped = 1;
        return;
    }
    int flags = bl->check_text ? kam_scan_flags(b + bl->record_start, length) : 0;
    kam_emit(bl->chunk, k, b, bl->record_start, t, bl->record_line, bl->record_first_field, bl->record_side, flags, bl->expected, KAM_OK);
    if (bl->chunk->failed) {
        bl->stopped = 1;
        return;
    }
    kam_block_next_record(k, bl, next, bl->record_line + inner + 1);
}

/// libcsv's row callback: counts rows, and places records while a run is read at once. The
/// common record (LF or CRLF after its last field, no quoted field, text already checked, the
/// header's width, room for it, and the next line starting with a field) is placed here; every
/// other goes to `kam_block_row`, which does the same checks one by one.
void kam_on_row(int terminator, void *context) {
    kam_field_sink *k = (kam_field_sink *)context;
    k->rows_ended += 1;
    kam_block *bl = k->block;
    if (!bl || bl->stopped) return;
    const unsigned char *b = bl->base;
    kam_chunk *c = bl->chunk;
    long t = k->cursor - 1, next = t + 1 + (terminator == '\r');
    if (__builtin_expect(t >= bl->record_start && next < bl->stop && b[t] == (unsigned char)terminator && b[next - 1] == '\n' &&
                             !bl->check_text && c->count < c->capacity &&
                             (bl->expected < 0 || k->count - bl->record_first_field == bl->expected) &&
                             (k->classes[b[next]] & KAM_PLAIN_START),
                         1)) {
        kam_push_record(c, k, bl->record_start, t, bl->record_line);
        kam_block_start_record(k, bl, next, bl->record_line + 1 + k->inner_lines, next);
        return;
    }
    kam_block_row(k, bl, terminator);
}

/// Reads the whole lines of `base[*position..<end]` with one `csv_parse` call, placing the
/// records from the row callback; stops at the start of the first record it cannot place (or
/// that continues past the last line feed), leaving `*position` and `*line` there. Returns
/// whether every line was placed; `*run_stop` is just past the run's last line feed.
int kam_parse_block(struct csv_parser *p, kam_field_sink *k, kam_chunk *c, const unsigned char *base, long *position,
                           long *line, long end, long expected, long *run_stop) {
    long start = *position;
    *run_stop = start;
    if (end - start < 2) return 0;
    long last = end - 1;
    while (last >= start && base[last] != '\n') last--;
    if (last < start) return 0;
    kam_block bl;
    bl.chunk = c;
    bl.base = base;
    bl.expected = expected;
    bl.stop = last + 1;
    // Records are cut at line ends (ASCII), so when the whole run is text, each record is.
    bl.check_text = !kam_is_text(base + start, (size_t)(bl.stop - start));
    bl.stopped = 0;
    kam_block_next_record(k, &bl, start, *line);
    k->block = &bl;
    k->rows_ended = 0;
    size_t length = (size_t)(bl.stop - start);
    int ok = csv_parse(p, base + start, length, kam_on_field, kam_on_row, k) == length && csv_error(p) == CSV_SUCCESS;
    k->block = NULL;
    *run_stop = bl.stop;
    int whole = ok && !bl.stopped && p->pstate == 0;
    if (!whole) {
        // The record at `record_start` is read again line by line.
        kam_reset_parser(p);
        k->count = bl.record_first_field;
        k->side = bl.record_side;
    }
    *position = bl.record_start;
    *line = bl.record_line;
    return whole;
}
