/*
 * libFuzzer target: Accept negotiation and the JSON media-type test, both
 * fed straight from request headers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gwg_accept.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    gwg_rep rep;

    memcpy(s, data, size);
    s[size] = '\0';
    rep = gwg_accept_choose(s);
    if (rep < GWG_REP_HTML || rep > GWG_REP_TEXT) {
        abort();
    }
    (void)gwg_media_is_json(s);
    free(s);
    return 0;
}
