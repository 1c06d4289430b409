// A chunk's records and the problems found in them.
#include "internal.h"
#include <stdlib.h>

static int kam_chunk_grow_records(kam_chunk *c) {
    long capacity = c->capacity * 2 + 64;
    kam_record *records = (kam_record *)realloc(c->records, (size_t)capacity * sizeof(kam_record));
    if (!records) return 0;
    c->records = records;
    c->capacity = capacity;
    return 1;
}

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

/// Stores a record whose fields end at the sink's count (the chunk has room for it).
static void kam_push_record(kam_chunk *c, const kam_field_sink *k, long record_start, long raw_end, long record_line) {
    kam_record *r = &c->records[c->count++];
    r->field_end = (int32_t)k->count;
    r->raw_start = (int32_t)record_start;
    r->raw_end = (int32_t)raw_end;
    r->line = (int32_t)record_line;
}

/// Appends a record (its fields are the sink's from `first_field` on). A record with a problem
/// keeps no fields; its raw text is what the rejects file shows.
void kam_emit(kam_chunk *c, kam_field_sink *k, const unsigned char *base, long record_start, long raw_end, long record_line,
              long first_field, long side, int flags, long expected, int problem) {
    long found = 0;
    if (problem == KAM_OK) {
        if (flags & KAM_HAS_NUL) problem = KAM_NOT_TEXT;
        // NUL bytes were flagged above, so this is the UTF-8 check (the one validator).
        else if ((flags & KAM_HAS_HIGH) && !kam_is_text(base + record_start, (size_t)(raw_end - record_start))) problem = KAM_NOT_TEXT;
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
