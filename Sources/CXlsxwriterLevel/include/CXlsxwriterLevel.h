#ifndef KAM_XLSXWRITER_LEVEL_H
#define KAM_XLSXWRITER_LEVEL_H

/// The deflate level libxlsxwriter's zip entries are written with (see deflate_level.c).
int kam_xlsx_deflate_level(void);

#endif
