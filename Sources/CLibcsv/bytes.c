// Byte scans over raw CSV text: line ends, NUL and non-ASCII bytes, UTF-8 validity, counts,
// and where to cut a block. Plain loops and libc's memchr: hand-written SIMD saved under 3 % of
// a whole run (Benchmarks/RESULTS.md).
#include "internal.h"
#include <string.h>

/// Finds the end of the physical line at `bytes` (the index just past its LF, or `count`) and
/// whether the line holds a NUL (`KAM_HAS_NUL`) or a non-ASCII byte (`KAM_HAS_HIGH`). Sets
/// `*newline` when the line ends with an LF.
size_t kam_scan_line(const unsigned char *bytes, size_t count, int *flags, int *newline) {
    const unsigned char *lf = (const unsigned char *)memchr(bytes, '\n', count);
    size_t end = lf ? (size_t)(lf - bytes) + 1 : count;
    *flags = kam_scan_flags(bytes, end);
    *newline = lf != NULL;
    return end;
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

int kam_is_text(const unsigned char *s, size_t count) {
    size_t i = 0;
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

size_t kam_count_byte(const unsigned char *bytes, size_t count, unsigned char byte) {
    size_t total = 0;
    for (size_t i = 0; i < count; i++) total += bytes[i] == byte;
    return total;
}

/// Line feeds and quote bytes in `count` bytes, in one pass.
static void kam_count_lines_and_quotes(const unsigned char *bytes, size_t count, unsigned char quote, size_t *lines,
                                       size_t *quotes) {
    size_t l = 0, q = 0;
    for (size_t i = 0; i < count; i++) {
        l += bytes[i] == '\n';
        q += bytes[i] == quote;
    }
    *lines = l;
    *quotes = q;
}

/// A line feed after an odd number of quote bytes lies inside a quoted field, in well-formed CSV.
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

/// `KAM_HAS_NUL` and `KAM_HAS_HIGH` for `count` bytes. Written as two reductions without
/// branches, which the compiler vectorizes.
int kam_scan_flags(const unsigned char *bytes, size_t count) {
    unsigned char high = 0, nul = 0;
    for (size_t i = 0; i < count; i++) {
        high |= bytes[i];
        nul |= bytes[i] == 0;
    }
    return (nul ? KAM_HAS_NUL : 0) | (high & 0x80 ? KAM_HAS_HIGH : 0);
}
