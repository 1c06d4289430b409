// libcsv's field callback and the sink it writes to (`kam_field_sink` in kam_csv.h). It runs
// once per field of every input, so it is written in C: a Swift callback costs a thunk per
// call.
#include "internal.h"
#include <stdlib.h>
#include <string.h>

void kam_field_sink_set_dialect(kam_field_sink *k, unsigned char delimiter, unsigned char quote) {
    k->delimiter = delimiter;
    k->quote = quote;
}

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

/// libcsv's field callback: the field is a range of the raw text at the sink's cursor when it
/// lies there as libcsv read it (see `kam_field_sink`), else a copy in the side region.
void kam_on_field(void *data, size_t length, void *context) {
    kam_field_sink *k = (kam_field_sink *)context;
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

/// libcsv's row callback: counts the rows ended, which tells a bare CR (two rows in one line).
void kam_on_row(int terminator, void *context) {
    (void)terminator;
    ((kam_field_sink *)context)->rows_ended += 1;
}
