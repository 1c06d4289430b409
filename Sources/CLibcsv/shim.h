#ifndef KAM_CLIBCSV_SHIM_H
#define KAM_CLIBCSV_SHIM_H
// Debian's libcsv-dev installs csv.h in /usr/include and ships no pkg-config file.
#include <csv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Where libcsv's callbacks put what they are handed: the start and end of every field in the
/// batch's buffer, and a count of ended rows. Called once per field, so it is written in C
/// (a Swift callback costs a thunk per call; see Benchmarks/RESULTS.md).
///
/// A field is not copied when its bytes can be shown to lie in the buffer as they are: the
/// reader sets `cursor` to the record's first byte, and each field is checked against the raw
/// text there: an unquoted field must be followed at once by a delimiter or line end (so libcsv
/// trimmed nothing); a quoted one must hold no quote character and be followed by its closing
/// quote and a delimiter or line end (so nothing was unescaped). Then the field is a range of
/// the raw text and `cursor` moves past it. Otherwise (doubled quotes, trimmed spaces) the
/// unescaped bytes are copied to `side`, a region of the same buffer after the text (unescaped
/// text is never longer than its raw form), and the rest of the record is copied too.
typedef struct kam_field_sink {
    int32_t *starts;
    int32_t *ends;
    long count;
    long capacity;
    unsigned char *buffer;
    /// End of the text in `buffer`.
    long limit;
    long side;
    /// Raw position of the next field, or -1 once a field of the record was copied.
    long cursor;
    unsigned char delimiter;
    unsigned char quote;
    int failed;
    long rows_ended;
} kam_field_sink;

static int kam_field_sink_reserve(kam_field_sink *k, long capacity) __attribute__((noinline, unused));
static int kam_field_sink_reserve(kam_field_sink *k, long capacity) {
    if (capacity <= k->capacity) return 1;
    int32_t *starts = (int32_t *)realloc(k->starts, (size_t)capacity * sizeof(int32_t));
    if (starts) k->starts = starts;
    int32_t *ends = starts ? (int32_t *)realloc(k->ends, (size_t)capacity * sizeof(int32_t)) : NULL;
    if (ends) k->ends = ends;
    if (!starts || !ends) {
        k->failed = 1;
        return 0;
    }
    k->capacity = capacity;
    return 1;
}

static inline int kam_ends_field(const kam_field_sink *k, long at) {
    if (at == k->limit) return 1;
    unsigned char c = k->buffer[at];
    return c == k->delimiter || c == '\n' || c == '\r';
}

/// Every case but an unquoted field of a record whose fields all stayed in place so far.
static void kam_on_field_checked(void *data, size_t length, kam_field_sink *k) __attribute__((noinline, unused));
static void kam_on_field_checked(void *data, size_t length, kam_field_sink *k) {
    long n = k->count;
    if (n == k->capacity && !kam_field_sink_reserve(k, k->capacity * 2 + 16)) return;
    long c = k->cursor;
    long len = (long)length;
    if (c >= 0) {
        if (c < k->limit && k->buffer[c] == k->quote) {
            long e = c + 1 + len;
            if (e < k->limit && k->buffer[e] == k->quote && kam_ends_field(k, e + 1)
                && (len == 0 || !memchr(k->buffer + c + 1, k->quote, (size_t)len))) {
                k->starts[n] = (int32_t)(c + 1);
                k->ends[n] = (int32_t)e;
                k->cursor = e + 2;
                k->count = n + 1;
                return;
            }
        } else if (c + len <= k->limit && kam_ends_field(k, c + len)) {
            k->starts[n] = (int32_t)c;
            k->ends[n] = (int32_t)(c + len);
            k->cursor = c + len + 1;
            k->count = n + 1;
            return;
        }
        k->cursor = -1;
    }
    if (len) memcpy(k->buffer + k->side, data, length);
    k->starts[n] = (int32_t)k->side;
    k->side += len;
    k->ends[n] = (int32_t)k->side;
    k->count = n + 1;
}

/// libcsv's field callback. The common case (an unquoted field that lies in the raw text as
/// it is) takes no call and saves no register; the rest goes to `kam_on_field_checked`.
static inline void kam_on_field(void *data, size_t length, void *context) {
    kam_field_sink *k = (kam_field_sink *)context;
    long n = k->count, c = k->cursor, e = c + (long)length;
    if (__builtin_expect(n < k->capacity && c >= 0 && c < k->limit && e < k->limit, 1)) {
        unsigned char first = k->buffer[c], next = k->buffer[e];
        if (first != k->quote && (next == k->delimiter || next == '\n' || next == '\r')) {
            k->starts[n] = (int32_t)c;
            k->ends[n] = (int32_t)e;
            k->cursor = e + 1;
            k->count = n + 1;
            return;
        }
    }
    kam_on_field_checked(data, length, k);
}

static inline void kam_on_row(int terminator, void *context) {
    (void)terminator;
    ((kam_field_sink *)context)->rows_ended += 1;
}

/// Feeds `length` bytes to libcsv with the sink's callbacks; returns the bytes consumed.
static inline size_t kam_csv_parse(struct csv_parser *p, const void *bytes, size_t length, kam_field_sink *k) {
    return csv_parse(p, bytes, length, kam_on_field, kam_on_row, k);
}

static inline int kam_csv_fini(struct csv_parser *p, kam_field_sink *k) {
    return csv_fini(p, kam_on_field, kam_on_row, k);
}

/// Finds the end of the physical line at `bytes` (the index just past its LF, or `count`) and
/// whether the line holds a NUL (flag 2) or a non-ASCII byte (4); 16 bytes at a time where
/// SSE2 is there. Sets `*newline` when the line ends with an LF.
static inline size_t kam_scan_line(const unsigned char *bytes, size_t count, int *flags, int *newline) {
    size_t i = 0;
    int f = 0;
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    while (i + 16 <= count) {
        __m128i v = _mm_loadu_si128((const __m128i *)(bytes + i));
        unsigned mlf = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
        unsigned mz = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero));
        unsigned mh = (unsigned)_mm_movemask_epi8(v);
        if (mlf) {
            unsigned k = (unsigned)__builtin_ctz(mlf);
            unsigned keep = (2u << k) - 1;
            f |= (mz & keep ? 2 : 0) | (mh & keep ? 4 : 0);
            *flags = f;
            *newline = 1;
            return i + k + 1;
        }
        f |= (mz ? 2 : 0) | (mh ? 4 : 0);
        i += 16;
    }
#endif
    for (; i < count; i++) {
        unsigned char b = bytes[i];
        if (b == 0) f |= 2;
        if (b & 0x80) f |= 4;
        if (b == '\n') {
            *flags = f;
            *newline = 1;
            return i + 1;
        }
    }
    *flags = f;
    *newline = 0;
    return count;
}

/// Whether `count` bytes are valid UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
/// above U+10FFFF).
static inline int kam_utf8_valid(const unsigned char *s, size_t count) {
    size_t i = 0;
    while (i < count) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i += 1;
        } else if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= count || (s[i + 1] & 0xC0) != 0x80) return 0;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (i + 2 >= count) return 0;
            unsigned char c1 = s[i + 1];
            if ((c1 & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) return 0;
            if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return 0;
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (i + 3 >= count) return 0;
            unsigned char c1 = s[i + 1];
            if ((c1 & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80) return 0;
            if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return 0;
            i += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

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

/// What one parse of a byte range found.
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

static int kam_chunk_grow_records(kam_chunk *c) __attribute__((noinline, unused));
static int kam_chunk_grow_records(kam_chunk *c) {
    long capacity = c->capacity * 2 + 64;
    kam_record *records = (kam_record *)realloc(c->records, (size_t)capacity * sizeof(kam_record));
    if (!records) return 0;
    c->records = records;
    c->capacity = capacity;
    return 1;
}

static int kam_chunk_add_problem(kam_chunk *c, long index, int code, long found) __attribute__((noinline, unused));
static int kam_chunk_add_problem(kam_chunk *c, long index, int code, long found) {
    if (c->problem_count == c->problem_capacity) {
        long capacity = c->problem_capacity * 2 + 16;
        int32_t *records = (int32_t *)realloc(c->problem_records, (size_t)capacity * sizeof(int32_t));
        if (records) c->problem_records = records;
        int32_t *found_ = records ? (int32_t *)realloc(c->problem_found, (size_t)capacity * sizeof(int32_t)) : NULL;
        if (found_) c->problem_found = found_;
        unsigned char *codes = found_ ? (unsigned char *)realloc(c->problem_codes, (size_t)capacity) : NULL;
        if (codes) c->problem_codes = codes;
        if (!codes) return 0;
        c->problem_capacity = capacity;
    }
    c->problem_records[c->problem_count] = (int32_t)index;
    c->problem_found[c->problem_count] = (int32_t)found;
    c->problem_codes[c->problem_count] = (unsigned char)code;
    c->problem_count += 1;
    return 1;
}

static inline void kam_reset_parser(struct csv_parser *p) {
    p->pstate = 0;
    p->quoted = 0;
    p->spaces = 0;
    p->entry_pos = 0;
    p->status = 0;
}

/// Parses the records of `base[start..<end]` with libcsv, one physical line per `csv_parse`
/// call: after each line the parser's state says whether a record ended there, which gives
/// every record its first line, its raw text and its problem without a second parser. Blank
/// lines are skipped, as libcsv does. `expected` is the header's width (-1: none);
/// `max_records` stops early (the header alone). The loop is in C because it runs once per
/// line of every input (see Benchmarks/RESULTS.md).
static void kam_parse_chunk(struct csv_parser *p, kam_field_sink *k, kam_chunk *c, const unsigned char *base,
                            long start, long end, int end_of_file, long expected, long max_records) {
    long position = start, line = 0;
    long record_start = start, record_line = 0, record_first_field = 0, record_side = k->side;
    int record_flags = 0, in_record = 0;
    c->incomplete = 0;

#define KAM_RAW_END(piece_end) \
    ({ long e_ = (piece_end); \
       if (e_ > record_start && base[e_ - 1] == '\n') e_ -= 1; \
       if (e_ > record_start && base[e_ - 1] == '\r') e_ -= 1; \
       e_; })
#define KAM_ROLLBACK() do { k->count = record_first_field; k->side = record_side; } while (0)
#define KAM_EMIT(raw_end_, problem_) do { \
        long raw_end = (raw_end_); int problem = (problem_); long found = 0; \
        if (problem == KAM_OK) { \
            if (record_flags & 2) problem = KAM_NOT_TEXT; \
            else if ((record_flags & 4) && !kam_utf8_valid(base + record_start, (size_t)(raw_end - record_start))) problem = KAM_NOT_TEXT; \
            else if (expected >= 0 && k->count - record_first_field != expected) { problem = KAM_FIELD_COUNT; found = k->count - record_first_field; } \
        } \
        if (problem != KAM_OK) { \
            if (!kam_chunk_add_problem(c, c->count, problem, found)) c->failed = 1; \
            KAM_ROLLBACK(); \
        } \
        if (c->count == c->capacity && !kam_chunk_grow_records(c)) { c->failed = 1; break; } \
        kam_record *r_ = &c->records[c->count++]; \
        r_->field_end = (int32_t)k->count; r_->raw_start = (int32_t)record_start; \
        r_->raw_end = (int32_t)raw_end; r_->line = (int32_t)record_line; \
    } while (0)

    for (;;) {
        if (!in_record && c->count >= max_records) break;
        if (position >= end) {
            if (in_record) {
                if (end_of_file) {
                    k->rows_ended = 0;
                    int ok = kam_csv_fini(p, k) == 0;
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
            k->cursor = position;
        }
        record_flags |= flags;
        k->rows_ended = 0;
        size_t length = (size_t)(piece_end - position);
        int ok = kam_csv_parse(p, base + position, length, k) == length && p->status == CSV_SUCCESS;
        position = piece_end;
        if (newline) line += 1;
        if (!ok) {
            kam_reset_parser(p);
            KAM_EMIT(KAM_RAW_END(piece_end), KAM_BAD_QUOTE);
            in_record = 0;
            continue;
        }
        if (!newline) {
            // End of file without a final newline.
            if (kam_csv_fini(p, k) == 0) {
                if (k->rows_ended > 0) KAM_EMIT(KAM_RAW_END(piece_end), KAM_OK);
            } else {
                KAM_EMIT(KAM_RAW_END(piece_end), KAM_UNTERMINATED_QUOTE);
            }
            in_record = 0;
            break;
        }
        if (p->pstate == 0) {
            if (k->rows_ended > 1) {
                KAM_EMIT(KAM_RAW_END(piece_end), KAM_BARE_CR);
            } else if (k->rows_ended > 0) {
                KAM_EMIT(KAM_RAW_END(piece_end), KAM_OK);
            }
            in_record = 0;
        } else {
            in_record = 1;
        }
    }
#undef KAM_EMIT
#undef KAM_ROLLBACK
#undef KAM_RAW_END
    c->end_position = position;
    c->lines_consumed = line;
}

/// Bytes equal to `byte` in `count` bytes (SSE2 where it is there: 16 compares at a time,
/// summed in byte lanes).
static inline size_t kam_count_byte(const unsigned char *bytes, size_t count, unsigned char byte) {
    size_t total = 0, i = 0;
#if defined(__SSE2__)
    const __m128i target = _mm_set1_epi8((char)byte), zero = _mm_setzero_si128();
    while (i + 16 <= count) {
        __m128i lanes = zero;
        for (int rounds = 0; rounds < 255 && i + 16 <= count; rounds++, i += 16)
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(bytes + i)), target));
        __m128i sums = _mm_sad_epu8(lanes, zero);
        total += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
    }
#endif
    for (; i < count; i++) total += bytes[i] == byte;
    return total;
}
#endif
