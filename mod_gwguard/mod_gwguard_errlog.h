/*
 * The error-log hook (mod_gwguard_errlog.c): AH number and errno only,
 * for detail; nothing here may decide a class.
 */
#ifndef MOD_GWGUARD_ERRLOG_H
#define MOD_GWGUARD_ERRLOG_H

#include "httpd.h"

#include "mod_gwguard_req.h"

void gwguard_errlog_register_hooks(void);

/* " ah=AHnnnnn apr=N" for the log line, "" when httpd reported nothing
 * that passed LogLevel. */
const char *gwguard_detail(request_rec *r, const gwguard_attempt *a);

#endif
