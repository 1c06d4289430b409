/* The reference point for `make bench`: libcsv over a file on one thread with empty
 * callbacks, reading 1 MiB blocks. Prints "<bytes> <seconds> <fields> <rows>". */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static size_t fields, rows;
static void on_field(void *s, size_t len, void *data) { (void)s; (void)len; (void)data; fields++; }
static void on_row(int c, void *data) { (void)c; (void)data; rows++; }

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FILE\n", argv[0]); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    static char buf[1 << 20];
    size_t n, total = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        total += n;
        if (csv_parse(&p, buf, n, on_field, on_row, NULL) != n) {
            fprintf(stderr, "parse error: %s\n", csv_strerror(csv_error(&p)));
            return 1;
        }
    }
    csv_fini(&p, on_field, on_row, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    csv_free(&p);
    fclose(f);
    printf("%zu %.6f %zu %zu\n", total, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, fields, rows);
    return 0;
}
