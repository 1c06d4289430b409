// finance.xlsx's deflate level.
//
// libxlsxwriter zips every part of a workbook with minizip at zlib's default level (6) and has
// no setting for it. At 100,000 accounts the account sheet is 137 MB of XML, and deflating it
// at level 6 was the largest part of the workbook, the run's longest output stage (5.2 s;
// 3.6 s at level 1, the file 30 % larger: Benchmarks/RESULTS.md). So kam defines minizip's
// `zipOpenNewFileInZip4_64` itself: the dynamic linker binds libxlsxwriter's call to this
// definition in the executable, which calls minizip's own (the next definition) with level 1.
// The file stays a standard zip, deflated; should the call ever not come here (a
// libxlsxwriter with its own copy of minizip), the workbook is written at level 6, as before,
// and the test that reads the entries' deflate flags fails.
#define _GNU_SOURCE
#include <dlfcn.h>
#include "CXlsxwriterLevel.h"

typedef void *zipFile;
typedef struct zip_fileinfo zip_fileinfo;
typedef unsigned int uInt;
typedef unsigned long uLong;
typedef int (*open_entry)(zipFile, const char *, const zip_fileinfo *, const void *, uInt, const void *, uInt,
                          const char *, int, int, int, int, int, int, const char *, uLong, uLong, uLong, int);

enum { kam_level = 1, zip_internal_error = -104 };

int kam_xlsx_deflate_level(void) { return kam_level; }

int zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *info, const void *local_extra,
                            uInt local_extra_size, const void *global_extra, uInt global_extra_size, const char *comment,
                            int method, int level, int raw, int window_bits, int mem_level, int strategy,
                            const char *password, uLong crc, uLong version_made_by, uLong flag_base, int zip64) {
    (void)level;
    static open_entry minizip;  // looked up once; a racing second lookup stores the same pointer
    open_entry next = __atomic_load_n(&minizip, __ATOMIC_ACQUIRE);
    if (!next) {
        next = (open_entry)dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
        if (!next) return zip_internal_error;  // reported by libxlsxwriter as a failed write
        __atomic_store_n(&minizip, next, __ATOMIC_RELEASE);
    }
    return next(file, filename, info, local_extra, local_extra_size, global_extra, global_extra_size, comment, method,
                kam_level, raw, window_bits, mem_level, strategy, password, crc, version_made_by, flag_base, zip64);
}
