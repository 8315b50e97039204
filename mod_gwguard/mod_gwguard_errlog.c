/*
 * httpd's error-log hook, for detail only: the AH number and apr_status of
 * what mod_proxy, mod_proxy_http or mod_ssl reported about an attempt, for
 * the log line and the recent-failures ring. The hook only sees messages
 * that pass LogLevel, so nothing here may decide a class.
 */
#include <stdlib.h>

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "apr_strings.h"

#include "mod_gwguard_errlog.h"
#include "mod_gwguard_req.h"

/* The modules whose messages are about an attempt: mod_proxy (and
 * proxy_util), every scheme handler, mod_ssl. */
static const char *const watched_names[] = {
    "mod_proxy.c", "mod_proxy_http.c", "mod_ssl.c", "mod_proxy_fcgi.c",
    "mod_proxy_scgi.c", "mod_proxy_uwsgi.c", "mod_proxy_ajp.c",
    "mod_proxy_wstunnel.c", "mod_proxy_http2.c",
};
#define WATCHED (sizeof(watched_names) / sizeof(watched_names[0]))
static int watched[WATCHED];

static int index_of(const char *name)
{
    module *m = ap_find_linked_module(name);

    return m ? m->module_index : -1;
}

static int errlog_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                              apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf; (void)plog; (void)ptemp; (void)s;
    size_t i;

    for (i = 0; i < WATCHED; i++) {
        watched[i] = index_of(watched_names[i]);
    }
    return OK;
}

static int is_watched(int module_index)
{
    size_t i;

    for (i = 0; module_index >= 0 && i < WATCHED; i++) {
        if (watched[i] == module_index) {
            return 1;
        }
    }
    return 0;
}

/* "AHnnnnn: ..." (APLOGNO) → nnnnn, 0 when the format has no tag. */
static int ah_number(const char *format)
{
    int i, n = 0;

    if (!format || format[0] != 'A' || format[1] != 'H') {
        return 0;
    }
    for (i = 2; i < 7; i++) {
        if (format[i] < '0' || format[i] > '9') {
            return 0;
        }
        n = n * 10 + (format[i] - '0');
    }
    return format[7] == ':' ? n : 0;
}

/* Keeps the first message of the attempt, or a later one that carries an
 * apr_status when the first had none (AH00957's errno after nothing,
 * AH01102's status after...). Never allocates, never logs. */
static void gwguard_error_log(const ap_errorlog_info *info,
                              const char *errstr)
{
    gwguard_attempt *a;
    int ah;

    (void)errstr;
    /* Debug and trace lines (AH00942 "acquired connection", AH00933 "too
     * soon to retry") would hide the message that says what failed. */
    if (info->level < 0 || info->level > APLOG_WARNING
        || !is_watched(info->module_index)) {
        return;
    }
    /* Server-level messages (AH00957, AH00940) carry no request: the
     * thread's current proxied request is the one they are about. */
    a = gwguard_current_attempt();
    if (!a || (ah = ah_number(info->format)) == 0) {
        return;
    }
    if (a->ah_number == 0 || (a->apr_status == 0 && info->status != 0)) {
        a->ah_number = ah;
        a->apr_status = info->status;
    }
}

void gwguard_errlog_register_hooks(void)
{
    ap_hook_post_config(errlog_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_error_log(gwguard_error_log, NULL, NULL, APR_HOOK_MIDDLE);
}

const char *gwguard_detail(request_rec *r, const gwguard_attempt *a)
{
    if (!a || a->ah_number == 0) {
        return "";
    }
    return apr_psprintf(r->pool, " ah=AH%05d apr=%d", a->ah_number,
                        (int)a->apr_status);
}
