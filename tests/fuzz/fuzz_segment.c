/*
 * libFuzzer target: the segment validator must accept or refuse any bytes
 * without reading outside them, and a file it accepts must be safe to
 * snapshot and print as JSON (the path gwguardctl status --json takes,
 * through a small buffered out so pieces straddle its end).
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>

#include "gwg_format.h"
#include "gwg_shm.h"
#include "gwg_snapshot.h"

static int discard(void *ctx, const char *data, size_t len)
{
    (void)ctx; (void)data; (void)len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static apr_pool_t *pool;
    char why[GWG_ERRMAX];
    gwg_snapshot *snap;
    const char *missing;
    gwg_geometry g;
    gwg_shm shm;
    gwg_out o;
    char buf[61];
    void *copy;

    if (!pool) {
        apr_initialize();
        apr_pool_create(&pool, NULL);
    }
    /* aligned, exactly sized copy: reading past it is a bug ASan sees */
    copy = aligned_alloc(64, (size + 63) & ~(size_t)63);
    memcpy(copy, data, size);
    if (gwg_shm_validate_geometry(copy, size, &g, why, sizeof(why))
        == APR_SUCCESS) {
        /* as gwg_shm_open maps it: the validated geometry, copied */
        memset(&shm, 0, sizeof(shm));
        shm.base = copy;
        shm.size = size;
        shm.hdr = copy;
        shm.index = (uint32_t *)((char *)copy + g.index_off);
        shm.slots = (gwg_slot *)((char *)copy + g.slots_off);
        shm.recent = (gwg_recent *)((char *)copy + g.recent_off);
        shm.slot_count = g.slot_count;
        shm.index_size = g.index_size;
        shm.recent_size = g.recent_size;
        if (gwg_snapshot_take(&snap, &missing, &shm, "fuzz", NULL, 0, pool)
            == APR_SUCCESS) {
            gwg_out_init_buffered(&o, discard, NULL, buf, sizeof(buf));
            gwg_format_status(&o, snap, GWG_FORMAT_JSON, 0);
            gwg_out_flush(&o);
        }
        gwg_shm_find(&shm, "http://127.0.0.1:80");
        apr_pool_clear(pool);
    }
    free(copy);
    return 0;
}
