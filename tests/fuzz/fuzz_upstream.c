/*
 * libFuzzer target: upstream keys from arbitrary URLs (request path input)
 * and the JSON/HTML escapers that put client input into pages.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gwg_out.h"
#include "gwg_upstream.h"

static int sink(void *ctx, const char *data, size_t len)
{
    (void)ctx; (void)data; (void)len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char key[320], *s = malloc(size + 1);
    gwg_out o;

    memcpy(s, data, size);
    s[size] = '\0';
    if (gwg_upstream_key_from_url(key, sizeof(key), s) >= 0
        && strlen(key) >= sizeof(key)) {
        abort();
    }
    gwg_upstream_key(key, sizeof(key), "http", s, 80);
    gwg_out_init(&o, sink, NULL);
    gwg_out_json_str(&o, s);
    gwg_out_html(&o, s);
    free(s);
    return 0;
}
