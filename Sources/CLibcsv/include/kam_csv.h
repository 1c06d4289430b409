// kam's reading of CSV with libcsv (Debian's libcsv-dev: csv.h in /usr/include, no pkg-config
// file). Only CSVIO calls this module. What each piece does and why it is in C:
// docs/ARCHITECTURE.md §2 (Ingest, "The C layer").
#ifndef KAM_CSV_H
#define KAM_CSV_H

#include <csv.h>
#include <stdint.h>
#include <stddef.h>

/// Where one record lies: the cumulative number of fields after it, its raw text (without its
/// line terminator) and its first line counted from the parse's first line.
typedef struct kam_record {
    int32_t field_end;
    int32_t raw_start;
    int32_t raw_end;
    int32_t line;
} kam_record;

/// Why a record could not be read as a row (the reader's `CSVRecordProblem`).
enum { KAM_OK = 0, KAM_FIELD_COUNT = 1, KAM_UNTERMINATED_QUOTE = 2, KAM_BAD_QUOTE = 3, KAM_NOT_TEXT = 4, KAM_BARE_CR = 5 };

/// What one parse of a byte range found. The records and problems are allocated with malloc
/// and grown by the parse; the caller frees them.
typedef struct kam_chunk {
    kam_record *records;
    long count;
    long capacity;
    /// Records with a problem: their index, code and (for a field count) the fields found.
    int32_t *problem_records;
    int32_t *problem_found;
    unsigned char *problem_codes;
    long problem_count;
    long problem_capacity;
    /// Position just past the last complete record, and the lines up to it.
    long end_position;
    long lines_consumed;
    /// The range ended inside a record that starts at `end_position`.
    int incomplete;
    int failed;
} kam_chunk;

/// Where libcsv's callbacks put what they are handed: the start and end of every field in the
/// batch's buffer, and a count of ended rows.
///
/// A field is not copied when its bytes lie in the buffer as they are. The reader sets
/// `cursor` to the record's first byte, and each field is checked against the raw text there:
/// an unquoted field must be the raw bytes up to the next delimiter or line end, less the
/// spaces libcsv trims; a quoted one must be the bytes up to its closing quote (doubled quotes
/// counted). Then `cursor` moves past the field's delimiter, and the field is a range of the raw
/// text unless it held doubled quotes: those fields are copied as libcsv unescaped them to
/// `side`, a region of the same buffer after the text (unescaped text is never longer than its
/// raw form). A field that does not match the raw text (libcsv read it otherwise) is copied,
/// and `cursor` is lost (`KAM_LOST`) for the rest of the record.
typedef struct kam_field_sink {
    int32_t *starts;
    int32_t *ends;
    long count;
    long capacity;
    unsigned char *buffer;
    /// End of the text in `buffer`.
    long limit;
    long side;
    /// Raw position of the next field, or `KAM_LOST`.
    long cursor;
    unsigned char delimiter;
    unsigned char quote;
    int failed;
    /// Rows libcsv ended since the count was last reset.
    long rows_ended;
} kam_field_sink;

/// A cursor that no field matches: far past any buffer, so one compare (`end < limit`) also
/// tells a lost cursor.
#define KAM_LOST 0x1000000000000000L

/// Sets the sink's delimiter and quote.
void kam_field_sink_set_dialect(kam_field_sink *k, unsigned char delimiter, unsigned char quote);

/// Parses the records of `base[start..<end]` with `p` into `c`, fields into `k`, feeding libcsv
/// one physical line per call. `expected` is the header's width (-1: none); `max_records` stops
/// early (LONG_MAX: no limit). Sets `c->end_position`, `c->lines_consumed` and `c->incomplete`
/// (the range ended inside a record, when `end_of_file` is 0).
void kam_parse_chunk(struct csv_parser *p, kam_field_sink *k, kam_chunk *c, const unsigned char *base, long start, long end,
                     int end_of_file, long expected, long max_records);

/// Where to cut a block of text so that the next block starts at a record boundary: just past
/// the last line feed before which `bytes` holds an even number of `quote` bytes, or just past
/// the last line feed when there is none such; -1 when there is no line feed at all. `*lines` is
/// set to the line feeds before the cut. The block must start at a record boundary. Only a
/// choice of cut: a wrong one (a stray quote) is still read correctly, by joining the cut record
/// to the next block.
long kam_block_cut(const unsigned char *bytes, long count, unsigned char quote, long *lines);

/// Bytes equal to `byte` in `count` bytes.
size_t kam_count_byte(const unsigned char *bytes, size_t count, unsigned char byte);

/// Whether `count` bytes are valid UTF-8 (RFC 3629) without a NUL.
int kam_is_text(const unsigned char *s, size_t count);

#endif
