/*
 * libFuzzer target: gwguardctl check's reader and checker over arbitrary
 * configuration text (continuations, quoting, Define/${VAR}, sections,
 * every GwGuard* directive). Inputs that name Include are skipped so the
 * fuzzer does not wander the machine's file system.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "gwg_confcheck.h"
#include "gwg_confread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const mods[] = { "core.c", "mod_so.c", NULL };
    static apr_pool_t *pool;
    gwg_confread_opts o;
    gwg_confdoc *doc;
    char *text;

    if (!pool) {
        apr_initialize();
        apr_pool_create(&pool, NULL);
    }
    text = apr_pstrmemdup(pool, (const char *)data, size);
    if (strlen(text) == size && strcasestr(text, "include") == NULL) {
        memset(&o, 0, sizeof(o));
        o.server_root = "/nonexistent/gwguard-fuzz";
        o.static_modules = mods;
        doc = gwg_confdoc_make(&o, pool);
        gwg_confread_buffer(doc, "fuzz.conf", text, size);
        gwg_confcheck(doc);
    }
    apr_pool_clear(pool);
    return 0;
}
