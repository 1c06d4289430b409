#ifndef KAM_CLIBCSV_SHIM_H
#define KAM_CLIBCSV_SHIM_H
// Debian's libcsv-dev installs csv.h in /usr/include and ships no pkg-config file.
#include <csv.h>
#endif
