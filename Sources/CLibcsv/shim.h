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

/// Where libcsv's callbacks put what they are handed: the position of every field in the
/// batch's buffer, and a count of ended rows. Called once per field, so it is written in C
/// (a Swift callback costs a thunk per call; see Benchmarks/RESULTS.md).
///
/// Two modes, chosen per record by the reader:
/// - position mode (`copy == 0`, a record without quote characters): a field's bytes are the
///   raw bytes in the buffer, so only its end is recorded, found by walking `cursor` over the
///   field lengths and their delimiters. The reader checks afterwards that
///   the walk ended at the record's end (libcsv trims spaces next to delimiters; when it did,
///   the record is parsed again in copy mode).
/// - copy mode (`copy == 1`): the unescaped bytes are copied to `side`, a region of the same
///   buffer after the text (unescaped text is never longer than its raw form).
typedef struct kam_field_sink {
    /// End of every field in `buffer`; a field starts at its record's first-field start, or
    /// one past the previous field's end in position mode, or at it in copy mode.
    int32_t *ends;
    long count;
    long capacity;
    unsigned char *buffer;
    long side;
    long cursor;
    int copy;
    int failed;
    long rows_ended;
} kam_field_sink;

static int kam_field_sink_reserve(kam_field_sink *k, long capacity) __attribute__((noinline, unused));
static int kam_field_sink_reserve(kam_field_sink *k, long capacity) {
    if (capacity <= k->capacity) return 1;
    int32_t *ends = (int32_t *)realloc(k->ends, (size_t)capacity * sizeof(int32_t));
    if (!ends) {
        k->failed = 1;
        return 0;
    }
    k->ends = ends;
    k->capacity = capacity;
    return 1;
}

static inline void kam_on_field(void *data, size_t length, void *context) {
    kam_field_sink *k = (kam_field_sink *)context;
    long n = k->count;
    if (__builtin_expect(n == k->capacity, 0) && !kam_field_sink_reserve(k, k->capacity * 2 + 16)) return;
    if (k->copy) {
        if (length) memcpy(k->buffer + k->side, data, length);
        k->side += (long)length;
        k->ends[n] = (int32_t)k->side;
    } else {
        k->cursor += (long)length;
        k->ends[n] = (int32_t)k->cursor;
        k->cursor += 1;
    }
    k->count = n + 1;
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
/// whether the line holds a quote character (flag 1), a NUL (2) or a non-ASCII byte (4);
/// 16 bytes at a time where SSE2 is there. Sets `*newline` when the line ends with an LF.
static inline size_t kam_scan_line(const unsigned char *bytes, size_t count, unsigned char quote, int *flags, int *newline) {
    size_t i = 0;
    int f = 0;
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n'), q = _mm_set1_epi8((char)quote), zero = _mm_setzero_si128();
    while (i + 16 <= count) {
        __m128i v = _mm_loadu_si128((const __m128i *)(bytes + i));
        unsigned mlf = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
        unsigned mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, q));
        unsigned mz = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero));
        unsigned mh = (unsigned)_mm_movemask_epi8(v);
        if (mlf) {
            unsigned k = (unsigned)__builtin_ctz(mlf);
            unsigned keep = (2u << k) - 1;
            f |= (mq & keep ? 1 : 0) | (mz & keep ? 2 : 0) | (mh & keep ? 4 : 0);
            *flags = f;
            *newline = 1;
            return i + k + 1;
        }
        f |= (mq ? 1 : 0) | (mz ? 2 : 0) | (mh ? 4 : 0);
        i += 16;
    }
#endif
    for (; i < count; i++) {
        unsigned char b = bytes[i];
        if (b == quote) f |= 1;
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

/// Bytes equal to `byte` in `count` bytes (a plain loop the C compiler vectorises; Swift's
/// SIMD types did not, measured in `make bench`).
static inline size_t kam_count_byte(const unsigned char *bytes, size_t count, unsigned char byte) {
    size_t total = 0;
    while (count > 0) {
        size_t n = count < 65536 ? count : 65536;
        uint32_t part = 0;
        for (size_t i = 0; i < n; i++) part += bytes[i] == byte;
        total += part;
        bytes += n;
        count -= n;
    }
    return total;
}
#endif
