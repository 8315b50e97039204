/*
 * libFuzzer target: the segment validator must accept or refuse any bytes
 * without reading outside them, and a file it accepts must be safe to
 * snapshot (the path gwguardctl takes on every run).
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>

#include "gwg_shm.h"
#include "gwg_snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static apr_pool_t *pool;
    char why[GWG_ERRMAX];
    gwg_snapshot *snap;
    const char *missing;
    gwg_geometry g;
    gwg_shm shm;
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
        gwg_snapshot_take(&snap, &missing, &shm, "fuzz", NULL, 0, pool);
        gwg_shm_find(&shm, "http://127.0.0.1:80");
        apr_pool_clear(pool);
    }
    free(copy);
    return 0;
}
