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
#include <limits.h>
#include <signal.h>
#include <unistd.h>

/// What a SIGBUS means for kam: a mapped input file was cut short while a block of it was being
/// read (the reader maps UTF-8 inputs block by block and checks their size before each block,
/// but a file truncated after that check faults on access). Says so and ends the run with exit
/// 1; the run folder is written under a temporary name, so the previous outputs are untouched.
static void kam_on_sigbus(int signal) {
    (void)signal;
    static const char message[] =
        "kam: an input file was cut short while it was being read (SIGBUS on its mapping); the previous "
        "outputs are untouched. Run again once the export is complete.\n";
    ssize_t written = write(2, message, sizeof message - 1);
    (void)written;
    _exit(1);
}

/// Installs `kam_on_sigbus` for the process (idempotent).
static inline void kam_install_sigbus_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = kam_on_sigbus;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, NULL);
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

/// The length of the valid UTF-8 sequence of 2 to 4 bytes at `s` (its first byte is above
/// 0x7F), or 0 when it is not one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
static inline size_t kam_utf8_sequence(const unsigned char *s, size_t available) {
    unsigned char c = s[0];
    if (c >= 0xC2 && c <= 0xDF) {
        return available >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    } else if (c >= 0xE0 && c <= 0xEF) {
        if (available < 3) return 0;
        unsigned char c1 = s[1];
        if ((c1 & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return 0;
        return 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
        if (available < 4) return 0;
        unsigned char c1 = s[1];
        if ((c1 & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return 0;
        return 4;
    }
    return 0;
}

/// Whether `count` bytes are valid UTF-8 without a NUL, in one pass: 16 bytes at a time while
/// they are ASCII; at a non-ASCII byte, the ASCII before it is skipped at once and the
/// multi-byte sequences from there are checked one after another.
static inline int kam_is_text(const unsigned char *s, size_t count) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    while (i + 16 <= count) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        unsigned nul = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero));
        unsigned high = (unsigned)_mm_movemask_epi8(v);
        if (nul && (!high || __builtin_ctz(nul) < __builtin_ctz(high))) return 0;
        if (!high) {
            i += 16;
            continue;
        }
        i += (size_t)__builtin_ctz(high);
        do {
            size_t n = kam_utf8_sequence(s + i, count - i);
            if (!n) return 0;
            i += n;
        } while (i < count && s[i] >= 0x80);
    }
#endif
    while (i < count) {
        unsigned char c = s[i];
        if (c == 0) return 0;
        if (c < 0x80) {
            i += 1;
            continue;
        }
        size_t n = kam_utf8_sequence(s + i, count - i);
        if (!n) return 0;
        i += n;
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

/// Makes `p` a fresh parser with the same settings, after a record it could not finish (a bad
/// or stray quote, a run stopped early), through libcsv's own calls only: its parse state is
/// private to it (libcsv has no getter for the block size: it is read, never written). The
/// next parse allocates its buffer anew.
static inline void kam_reset_parser(struct csv_parser *p) {
    unsigned char options = (unsigned char)csv_get_opts(p);
    unsigned char delim = csv_get_delim(p), quote = csv_get_quote(p);
    size_t block = p->blk_size;
    csv_free(p);
    csv_init(p, options);
    csv_set_delim(p, delim);
    csv_set_quote(p, quote);
    csv_set_blk_size(p, block);
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

/// Line feeds and quote bytes in `count` bytes, in one pass (SSE2: 16 compares of each at a
/// time, summed in byte lanes).
static inline void kam_count_lines_and_quotes(const unsigned char *bytes, size_t count, unsigned char quote, size_t *lines,
                                              size_t *quotes) {
    size_t l = 0, q = 0, i = 0;
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n'), qt = _mm_set1_epi8((char)quote), zero = _mm_setzero_si128();
    while (i + 16 <= count) {
        __m128i ls = zero, qs = zero;
        for (int rounds = 0; rounds < 255 && i + 16 <= count; rounds++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(bytes + i));
            ls = _mm_sub_epi8(ls, _mm_cmpeq_epi8(v, lf));
            qs = _mm_sub_epi8(qs, _mm_cmpeq_epi8(v, qt));
        }
        __m128i a = _mm_sad_epu8(ls, zero), b = _mm_sad_epu8(qs, zero);
        l += (size_t)_mm_cvtsi128_si32(a) + (size_t)_mm_extract_epi16(a, 4);
        q += (size_t)_mm_cvtsi128_si32(b) + (size_t)_mm_extract_epi16(b, 4);
    }
#endif
    for (; i < count; i++) {
        l += bytes[i] == '\n';
        q += bytes[i] == quote;
    }
    *lines = l;
    *quotes = q;
}

/// Where to cut a block of text so that the next block starts at a record boundary: just past
/// the last line feed before which `bytes` holds an even number of `quote` bytes (a line feed
/// after an odd number lies inside a quoted field, in well-formed CSV), or just past the last
/// line feed when there is none such; -1 when there is no line feed at all. `*lines` is set to
/// the line feeds before the cut. The block must start at a record boundary. Only a choice of
/// cut: a wrong one (a stray quote) is still read correctly, by joining the cut record to the
/// next block.
static inline long kam_block_cut(const unsigned char *bytes, long count, unsigned char quote, long *lines) {
    long last = count - 1;
    while (last >= 0 && bytes[last] != '\n') last--;
    *lines = 0;
    if (last < 0) return -1;
    size_t before = 0, quotes = 0;
    kam_count_lines_and_quotes(bytes, (size_t)last, quote, &before, &quotes);
    // Line feeds up to and including the one at `last`.
    long total = (long)before + 1;
    int odd = (int)(quotes & 1);
    if (!odd) {
        *lines = total;
        return last + 1;
    }
    // Walk back: each quote passed flips the parity of what lies before; each line feed passed
    // is one line less before the cut.
    long passed = 1;
    for (long i = last - 1; i >= 0; i--) {
        if (bytes[i] == quote) {
            odd ^= 1;
        } else if (bytes[i] == '\n') {
            if (!odd) {
                *lines = total - passed;
                return i + 1;
            }
            passed += 1;
        }
    }
    *lines = total;
    return last + 1;
}

/// Where libcsv's callbacks put what they are handed: the start and end of every field in the
/// batch's buffer, and a count of ended rows. Called once per field, so it is written in C
/// (a Swift callback costs a thunk per call; see Benchmarks/RESULTS.md).
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
    /// Each byte's `KAM_ENDS_FIELD` and `KAM_PLAIN_START` bits (`kam_field_sink_set_dialect`).
    unsigned char classes[256];
    int failed;
    /// Line feeds inside the quoted fields read so far of the current record.
    long inner_lines;
    long rows_ended;
    /// Set while a whole run of lines is fed to libcsv at once (see `kam_parse_block`).
    struct kam_block *block;
} kam_field_sink;

/// A cursor that no field matches: far past any buffer, so one compare (`end < limit`) also
/// tells a lost cursor.
#define KAM_LOST 0x1000000000000000L

/// A byte that ends a field (the delimiter, LF or CR), and one that starts a field libcsv reads
/// as it is (above 0x20, not the quote: libcsv skips spaces, tabs and CRs before a field, and a
/// quote opens a quoted one).
enum { KAM_ENDS_FIELD = 1, KAM_PLAIN_START = 2 };

static inline void kam_field_sink_set_dialect(kam_field_sink *k, unsigned char delimiter, unsigned char quote) {
    k->delimiter = delimiter;
    k->quote = quote;
    for (int b = 0; b < 256; b++) {
        unsigned char bits = 0;
        if (b == delimiter || b == '\n' || b == '\r') bits |= KAM_ENDS_FIELD;
        if (b > 0x20 && b != quote && b != delimiter) bits |= KAM_PLAIN_START;
        k->classes[b] = bits;
    }
}

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
    if (at >= k->limit) return 1;
    unsigned char c = k->buffer[at];
    return c == k->delimiter || c == '\n' || c == '\r';
}

/// What libcsv trims around fields and skips before a row: a space or tab that is not the
/// delimiter (with a tab delimiter, a tab separates fields).
static inline int kam_is_space(const kam_field_sink *k, unsigned char c) { return (c == ' ' || c == '\t') && c != k->delimiter; }

/// Every case but an unquoted field that is followed at once by its delimiter or line end.
static void kam_on_field_checked(void *data, size_t length, kam_field_sink *k) __attribute__((noinline, unused));
static void kam_on_field_checked(void *data, size_t length, kam_field_sink *k) {
    long n = k->count;
    if (n == k->capacity && !kam_field_sink_reserve(k, k->capacity * 2 + 16)) return;
    const unsigned char *b = k->buffer;
    long c = k->cursor, len = (long)length, limit = k->limit;
    if (c <= limit) {
        long s = c;
        while (s < limit && kam_is_space(k, b[s])) s++;
        if (s < limit && b[s] == k->quote) {
            long i = s + 1, doubled = 0, q = -1;
            while (i < limit) {
                const unsigned char *f = (const unsigned char *)memchr(b + i, k->quote, (size_t)(limit - i));
                if (!f) break;
                long at = f - b;
                if (at + 1 < limit && b[at + 1] == k->quote) {
                    doubled += 1;
                    i = at + 2;
                    continue;
                }
                q = at;
                break;
            }
            long d = q + 1;
            while (q >= 0 && d < limit && kam_is_space(k, b[d])) d++;
            if (q >= 0 && (q - s - 1) - doubled == len && kam_ends_field(k, d)) {
                const unsigned char *lf = (const unsigned char *)memchr(b + s + 1, '\n', (size_t)(q - s - 1));
                if (lf) k->inner_lines += (long)kam_count_byte(lf, (size_t)(b + q - lf), '\n');
                k->cursor = d + 1;
                if (doubled == 0) {
                    k->starts[n] = (int32_t)(s + 1);
                    k->ends[n] = (int32_t)q;
                    k->count = n + 1;
                    return;
                }
                goto copy;
            }
        } else {
            long d = s;
            while (d < limit && !kam_ends_field(k, d)) d++;
            long e = d;
            while (e > s && kam_is_space(k, b[e - 1])) e--;
            if (e - s == len) {
                k->starts[n] = (int32_t)s;
                k->ends[n] = (int32_t)e;
                k->cursor = d + 1;
                k->count = n + 1;
                return;
            }
        }
        k->cursor = KAM_LOST;
    }
copy:
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
    // `e < limit` also says the cursor is not lost (`KAM_LOST` is far past any limit).
    if (__builtin_expect(n < k->capacity && e < k->limit, 1)) {
        const unsigned char *b = k->buffer;
        // A field ends at `e`, and starts with a byte libcsv keeps as it is (or is empty): a
        // space may open `  "a,b"`, a quoted field whose length can end on a comma.
        if ((k->classes[b[e]] & KAM_ENDS_FIELD) && ((k->classes[b[c]] & KAM_PLAIN_START) || length == 0)) {
            k->starts[n] = (int32_t)c;
            k->ends[n] = (int32_t)e;
            k->cursor = e + 1;
            k->count = n + 1;
            return;
        }
    }
    kam_on_field_checked(data, length, k);
}

/// Stores a record whose fields end at the sink's count (the chunk has room for it).
static inline void kam_push_record(kam_chunk *c, const kam_field_sink *k, long record_start, long raw_end, long record_line) {
    kam_record *r = &c->records[c->count++];
    r->field_end = (int32_t)k->count;
    r->raw_start = (int32_t)record_start;
    r->raw_end = (int32_t)raw_end;
    r->line = (int32_t)record_line;
}

/// Appends a record (its fields are the sink's from `first_field` on). A record with a problem
/// keeps no fields; its raw text is what the rejects file shows.
static inline __attribute__((always_inline)) void kam_emit(kam_chunk *c, kam_field_sink *k, const unsigned char *base, long record_start, long raw_end,
                            long record_line, long first_field, long side, int flags, long expected, int problem) {
    long found = 0;
    if (problem == KAM_OK) {
        if (flags & 2) problem = KAM_NOT_TEXT;
        // NUL bytes were flagged above, so this is the UTF-8 check (the one validator).
        else if ((flags & 4) && !kam_is_text(base + record_start, (size_t)(raw_end - record_start))) problem = KAM_NOT_TEXT;
        else if (expected >= 0 && k->count - first_field != expected) {
            problem = KAM_FIELD_COUNT;
            found = k->count - first_field;
        }
    }
    if (problem != KAM_OK) {
        if (!kam_chunk_add_problem(c, c->count, problem, found)) c->failed = 1;
        k->count = first_field;
        k->side = side;
    }
    if (c->count == c->capacity && !kam_chunk_grow_records(c)) {
        c->failed = 1;
        return;
    }
    kam_push_record(c, k, record_start, raw_end, record_line);
}

/// NUL (flag 2) and non-ASCII (4) bytes in `count` bytes.
static inline int kam_scan_flags(const unsigned char *bytes, size_t count) {
    int f = 0;
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    unsigned mz = 0, mh = 0;
    for (; i + 16 <= count; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(bytes + i));
        mz |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero));
        mh |= (unsigned)_mm_movemask_epi8(v);
    }
    f = (mz ? 2 : 0) | (mh ? 4 : 0);
#endif
    for (; i < count; i++) {
        if (bytes[i] == 0) f |= 2;
        if (bytes[i] & 0x80) f |= 4;
    }
    return f;
}

/// A run of whole lines fed to libcsv in one `csv_parse` call (`kam_parse_block`): the row
/// callback places each record, from the sink's cursor, which stands just past the record's
/// line end once its last field is read. Anything unusual (a field libcsv read otherwise than
/// the raw text shows, a CR that is not part of a CRLF, a parse error) stops the run at the
/// start of that record; the rest of the run is then read line by line.
typedef struct kam_block {
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
} kam_block;

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

static void kam_block_row(kam_field_sink *k, kam_block *bl, int terminator) __attribute__((noinline, unused));
static void kam_block_row(kam_field_sink *k, kam_block *bl, int terminator) {
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
static inline void kam_on_row(int terminator, void *context) {
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

/// Feeds `length` bytes to libcsv with the sink's callbacks; returns the bytes consumed.
static inline size_t kam_csv_parse(struct csv_parser *p, const void *bytes, size_t length, kam_field_sink *k) {
    return csv_parse(p, bytes, length, kam_on_field, kam_on_row, k);
}

static inline int kam_csv_fini(struct csv_parser *p, kam_field_sink *k) {
    return csv_fini(p, kam_on_field, kam_on_row, k);
}

/// Reads the whole lines of `base[*position..<end]` with one `csv_parse` call, placing the
/// records from the row callback; stops at the start of the first record it cannot place (or
/// that continues past the last line feed), leaving `*position` and `*line` there. Returns
/// whether every line was placed; `*run_stop` is just past the run's last line feed.
static int kam_parse_block(struct csv_parser *p, kam_field_sink *k, kam_chunk *c, const unsigned char *base, long *position,
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
    int ok = kam_csv_parse(p, base + start, length, k) == length && csv_error(p) == CSV_SUCCESS;
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

/// Parses records of `base[*position..<end]` with libcsv, one physical line per `csv_parse`
/// call: after each line the parser's state says whether a record ended there, which gives
/// every record its first line, its raw text and its problem without a second parser. Blank
/// lines are skipped, as libcsv does. Stops after the record that makes `max_records`, or at
/// the first record boundary at or after `stop_at` (returns 1), or at the end of the range
/// (returns 0; sets `c->incomplete` when a record continues after it).
/// Lines a quoted field may run across before its opening quote is taken for a stray one.
#define KAM_MAX_OPEN_LINES 10000

static int kam_parse_lines(struct csv_parser *p, kam_field_sink *k, kam_chunk *c, const unsigned char *base, long *position_,
                           long *line_, long end, int end_of_file, long expected, long max_records, long stop_at) {
    long position = *position_, line = *line_;
    long record_start = position, record_line = line, record_first_field = k->count, record_side = k->side;
    long record_first_line_end = position;
    int record_flags = 0, in_record = 0, more = 0;

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
        if (!in_record && (c->count >= max_records || position >= stop_at)) {
            more = 1;
            break;
        }
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
            k->inner_lines = 0;
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
    *position_ = position;
    *line_ = line;
    return more && !c->failed;
}

/// Parses the records of `base[start..<end]` with libcsv. Whole lines go to libcsv a run of up
/// to 64 KiB at a time (`kam_parse_block`); when a run meets a record it cannot place, the rest
/// of that run is read one line per call (`kam_parse_lines`), which decides every problem, and
/// so is the end of the range. Both give the same records, lines and fields (a test compares
/// them on random input). A run stopped early costs at most one more parse of that run, so a
/// file full of malformed lines reads at most about half as fast, never worse. `expected` is
/// the header's width (-1: none); `max_records` stops early (the header alone: read by lines).
/// The loops are in C because they run once per line of every input (Benchmarks/RESULTS.md).
static void kam_parse_chunk(struct csv_parser *p, kam_field_sink *k, kam_chunk *c, const unsigned char *base,
                            long start, long end, int end_of_file, long expected, long max_records, int by_lines_only) {
    long position = start, line = 0;
    c->incomplete = 0;
    if (by_lines_only || max_records != LONG_MAX) {
        kam_parse_lines(p, k, c, base, &position, &line, end, end_of_file, expected, max_records, LONG_MAX);
    } else {
        for (;;) {
            long limit = end - position > 65536 ? position + 65536 : end, run_stop;
            int whole = kam_parse_block(p, k, c, base, &position, &line, limit, expected, &run_stop);
            if (c->failed) break;
            if (whole && position < end) continue;
            // Stopped inside the run (or no whole line left): by lines to the run's end, or at
            // least one record.
            if (!kam_parse_lines(p, k, c, base, &position, &line, end, end_of_file, expected, LONG_MAX,
                                 run_stop > position ? run_stop : position + 1)) break;
        }
    }
    c->end_position = position;
    c->lines_consumed = line;
}

#endif
