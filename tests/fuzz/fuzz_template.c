/*
 * libFuzzer target: the template compiler (admin-written files, and
 * .htaccess files written by directory owners) and the renderer with
 * hostile values. The first byte picks the type; the rest is the source,
 * handed over without a terminating NUL so a read past its end is caught.
 * A template that compiles must render, and a JSON one must render valid
 * JSON whatever the values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_tables.h>

#include "gwg_json_check.h"
#include "gwg_template.h"

static apr_pool_t *pool;

static const gwg_page_values hostile = {
    502, "Bad \"Gateway\"", "dns", "DF", "</p><script>x</script>",
    "id\\\"\n", "2026-11-21T09:00:00Z", "<h\x01st>", "GET", "/a\xff\"'<>&{{status}}",
    "", 30, NULL, 0, "</p>\"msg\x01<>&"
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const gwg_template *t = NULL;
    char *src, *out;
    size_t len;
    int line;

    if (size < 1) {
        return 0;
    }
    if (!pool) {
        apr_initialize();
        apr_pool_create(&pool, NULL);
    }
    src = malloc(size - 1 ? size - 1 : 1);
    memcpy(src, data + 1, size - 1);
    if (!gwg_template_compile(&t, (gwg_tpl_type)(data[0] % 3), "fuzz", src,
                              size - 1, pool)) {
        out = gwg_template_render_str(t, &hostile, &len, pool);
        if (gwg_template_type(t) == GWG_TPL_JSON
            && gwg_json_check(out, len, &line) != NULL) {
            abort();
        }
    }
    free(src);
    apr_pool_clear(pool);
    return 0;
}
