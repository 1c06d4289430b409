// Byte scans over raw CSV text: line ends, NUL and non-ASCII bytes, UTF-8 validity, counts,
// and where to cut a block. SSE2 where the target has it, 16 bytes at a time.
#include "internal.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Finds the end of the physical line at `bytes` (the index just past its LF, or `count`) and
/// whether the line holds a NUL (flag 2) or a non-ASCII byte (4); 16 bytes at a time where
/// SSE2 is there. Sets `*newline` when the line ends with an LF.
size_t kam_scan_line(const unsigned char *bytes, size_t count, int *flags, int *newline) {
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
static size_t kam_utf8_sequence(const unsigned char *s, size_t available) {
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
int kam_is_text(const unsigned char *s, size_t count) {
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

/// Bytes equal to `byte` in `count` bytes (SSE2 where it is there: 16 compares at a time,
/// summed in byte lanes).
size_t kam_count_byte(const unsigned char *bytes, size_t count, unsigned char byte) {
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
static void kam_count_lines_and_quotes(const unsigned char *bytes, size_t count, unsigned char quote, size_t *lines,
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
long kam_block_cut(const unsigned char *bytes, long count, unsigned char quote, long *lines) {
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

/// NUL (flag 2) and non-ASCII (4) bytes in `count` bytes.
int kam_scan_flags(const unsigned char *bytes, size_t count) {
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
