/*
 * Fills a segment with N upstreams that have counted something, for
 * benchmarking `gwguardctl status` on a large table.
 * Usage: populate FILE N [RECENT]   (also makes the fuzzer's seed segment)
 */
#include <stdio.h>
#include <stdlib.h>

#include "gwg_shm.h"
#include "gwg_time.h"

int main(int argc, char **argv)
{
    char why[GWG_ERRMAX], key[64];
    gwg_transition t;
    gwg_shm shm;
    long n, i, recent = argc > 3 ? atol(argv[3]) : 1024;
    int fresh, of;

    if (argc < 3 || argc > 4 || (n = atol(argv[2])) < GWG_SLOTS_MIN
        || n > GWG_SLOTS_MAX || recent < 0 || recent > GWG_RECENT_MAX) {
        fprintf(stderr, "usage: populate FILE N [RECENT] (N %d..%d)\n",
                GWG_SLOTS_MIN, GWG_SLOTS_MAX);
        return 2;
    }
    if (gwg_shm_attach_or_create(&shm, argv[1], (uint32_t)n,
                                 (uint32_t)recent, &fresh,
                                 why, sizeof(why)) != APR_SUCCESS) {
        fprintf(stderr, "populate: %s\n", why);
        return 1;
    }
    for (i = 0; i < n; i++) {
        gwg_outcome ok = { GWG_CLASS_NONE, 0, gwg_now_us(), 1500 };
        gwg_outcome bad = { GWG_CLASS_CONNECT_REFUSED, 503, gwg_now_us(), -1 };
        uint32_t s;
        snprintf(key, sizeof(key), "http://10.%ld.%ld.%ld:8080",
                 (i >> 16) & 255, (i >> 8) & 255, i & 255);
        s = gwg_shm_slot_for(&shm, key, key, "", &of);
        gwg_shm_record(&shm, s, &ok, &t);
        gwg_shm_record(&shm, s, &bad, &t);
    }
    printf("populated %ld upstreams in %s (%llu bytes)\n", n, argv[1],
           (unsigned long long)shm.size);
    gwg_shm_close(&shm);
    return 0;
}
