/*
 * A plain copy of the segment's counters taken at one moment, so every
 * output format (table, JSON, and the formats to come) reports the same
 * numbers and never reads shared memory while formatting.
 */
#ifndef GWG_SNAPSHOT_H
#define GWG_SNAPSHOT_H

#include <apr_pools.h>

#include "gwg_maint.h"
#include "gwg_shm.h"

/* copy_slot (gwg_snapshot.c) writes every field: the array of these is
 * not zeroed, so a field added here is added there too. */
typedef struct {
    const char *name;            /* upstream key, or "*overflow*" */
    const char *worker;          /* "" if unknown */
    const char *balancer;        /* "" unless a balancer member */
    uint64_t requests, successes, failures;
    uint64_t stale;              /* answered stale by mod_cache */
    uint64_t classes[GWG_CLASS_COUNT];
    uint64_t statuses[GWG_STATUS_SLOTS];
    uint64_t ttfb_buckets[GWG_TTFB_BUCKETS];
    uint64_t ttfb_count, ttfb_sum_us;
    uint64_t consecutive_failures;
    uint64_t first_failure, last_failure, last_success;
    gwg_class_t last_class;      /* GWG_CLASS_NONE if never failed */
    int      breaker;            /* GWG_BREAKER_* */
    uint64_t breaker_until;
    uint64_t breaker_cooldown;   /* seconds in force, 0 = the base one */
    int      breaker_panic;      /* open, but let through: its balancer is
                                    in panic (docs/degrade.md) */
    gwg_maint maint;             /* its maintenance window when the
                                    snapshot was taken (upstreams only) */
} gwg_snap_upstream;

typedef struct {
    const char *shm_path;
    uint64_t generation, created, started, reset_time, reset_uid;
    uint32_t slot_count, used;
    int nupstreams;
    gwg_snap_upstream *upstreams;    /* sorted by name */
    gwg_snap_upstream totals;        /* counters summed; names empty */
} gwg_snapshot;

/* Copies the segment. With keys (nkeys > 0) only those upstreams are kept;
 * a key that has no slot is returned in *missing (NULL when all exist).
 * The overflow slot is included when it has counted anything. */
apr_status_t gwg_snapshot_take(gwg_snapshot **out, const char **missing,
                               const gwg_shm *shm, const char *shm_path,
                               const char *const *keys, int nkeys,
                               apr_pool_t *p);

const char *gwg_breaker_name(int state);

/* Whether a status counter is reported: 502, 503 and 504 always (the
 * gateway statuses, so dashboards see zeros), any other 5xx once used.
 * i indexes statuses[] (status GWG_STATUS_MIN + i). Inline: the formats
 * ask it 100 times an upstream. */
#define GWG_STATUS_ALWAYS_FIRST 502
#define GWG_STATUS_ALWAYS_LAST  504

static inline int gwg_snap_status_shown(const gwg_snap_upstream *u, int i)
{
    int status = GWG_STATUS_MIN + i;

    return u->statuses[i] != 0 || (status >= GWG_STATUS_ALWAYS_FIRST
                                   && status <= GWG_STATUS_ALWAYS_LAST);
}

/* Whether a status outside the always-shown ones has counted: when not
 * (the common case), the shown ones are exactly those, found without
 * asking each of the 100. */
static inline int gwg_snap_other_statuses(const gwg_snap_upstream *u)
{
    uint64_t any = 0;
    int i;

    for (i = 0; i < GWG_STATUS_ALWAYS_FIRST - GWG_STATUS_MIN; i++) {
        any |= u->statuses[i];
    }
    for (i = GWG_STATUS_ALWAYS_LAST + 1 - GWG_STATUS_MIN;
         i < GWG_STATUS_SLOTS; i++) {
        any |= u->statuses[i];
    }
    return any != 0;
}

/* The class with the most failures, or GWG_CLASS_NONE. */
gwg_class_t gwg_snap_top_class(const gwg_snap_upstream *u);

#endif
