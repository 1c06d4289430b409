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

static inline void kam_on_field(void *data, size_t length, void *context) {
    kam_field_sink *k = (kam_field_sink *)context;
    long n = k->count;
    if (__builtin_expect(n == k->capacity, 0) && !kam_field_sink_reserve(k, k->capacity * 2 + 16)) return;
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
