/*
 * Taking a snapshot: atomic loads of every counter into plain memory from
 * the caller's pool. Counters of one slot are not read as one transaction;
 * each is exact, and they may disagree by the few requests that finished
 * while the copy was taken.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <apr_strings.h>

#include "gwg_atomic.h"
#include "gwg_snapshot.h"
#include "gwg_time.h"

static void copy_slot(gwg_snap_upstream *u, const gwg_slot *s, apr_pool_t *p)
{
    uint64_t last;
    int i;

    u->name = apr_pstrndup(p, s->key, sizeof(s->key));
    u->worker = apr_pstrndup(p, s->worker, sizeof(s->worker));
    u->balancer = apr_pstrndup(p, s->balancer, sizeof(s->balancer));
    u->requests = GWG_LOAD_RELAXED(&s->requests);
    u->successes = GWG_LOAD_RELAXED(&s->successes);
    u->stale = GWG_LOAD_RELAXED(&s->stale);
    u->failures = GWG_LOAD_RELAXED(&s->failures);
    for (i = 0; i < GWG_CLASS_COUNT; i++) {
        u->classes[i] = GWG_LOAD_RELAXED(&s->classes[i]);
    }
    for (i = 0; i < GWG_STATUS_SLOTS; i++) {
        u->statuses[i] = GWG_LOAD_RELAXED(&s->statuses[i]);
    }
    for (i = 0; i < GWG_TTFB_BUCKETS; i++) {
        u->ttfb_buckets[i] = GWG_LOAD_RELAXED(&s->ttfb_buckets[i]);
    }
    u->ttfb_count = GWG_LOAD_RELAXED(&s->ttfb_count);
    u->ttfb_sum_us = GWG_LOAD_RELAXED(&s->ttfb_sum_us);
    u->consecutive_failures = GWG_LOAD_RELAXED(&s->consecutive_failures);
    u->first_failure = GWG_LOAD_RELAXED(&s->first_failure);
    u->last_failure = GWG_LOAD_RELAXED(&s->last_failure);
    u->last_success = GWG_LOAD_RELAXED(&s->last_success);
    last = GWG_LOAD_RELAXED(&s->last_class);
    u->last_class = (last >= 1 && last <= GWG_CLASS_COUNT)
                    ? (gwg_class_t)(last - 1) : GWG_CLASS_NONE;
    u->breaker = (int)GWG_LOAD_RELAXED(&s->breaker_state);
    u->breaker_until = GWG_LOAD_RELAXED(&s->breaker_until);
    u->breaker_cooldown = GWG_LOAD_RELAXED(&s->breaker_cooldown);
    u->breaker_panic = u->breaker != GWG_BREAKER_CLOSED
                       && GWG_LOAD_RELAXED(&s->breaker_panic) != 0;
    gwg_maint_get(&u->maint, s, gwg_now_us());
}

static void add_totals(gwg_snap_upstream *t, const gwg_snap_upstream *u)
{
    int i;

    t->requests += u->requests;
    t->successes += u->successes;
    t->failures += u->failures;
    t->stale += u->stale;
    for (i = 0; i < GWG_CLASS_COUNT; i++) {
        t->classes[i] += u->classes[i];
    }
    for (i = 0; i < GWG_STATUS_SLOTS; i++) {
        t->statuses[i] += u->statuses[i];
    }
    for (i = 0; i < GWG_TTFB_BUCKETS; i++) {
        t->ttfb_buckets[i] += u->ttfb_buckets[i];
    }
    t->ttfb_count += u->ttfb_count;
    t->ttfb_sum_us += u->ttfb_sum_us;
    t->consecutive_failures += u->consecutive_failures;
}

/* A snapshot of 10,000 upstreams is 13 MB of fresh memory, and a page
 * fault per 4 KiB of it cost more than formatting it (some 40 ms of
 * gwguardctl status's 100). So a large array starts on a 2 MiB boundary
 * (the slack is address space, never touched) and asks for transparent
 * huge pages: a fault per 2 MiB. Only a hint: where THP is off, or the
 * kernel has none free, nothing changes. */
#define HUGE_PAGE ((uintptr_t)2 << 20)

static gwg_snap_upstream *alloc_upstreams(apr_pool_t *p, size_t size)
{
    uintptr_t start;

    if (size < HUGE_PAGE) {
        return apr_palloc(p, size);
    }
    start = (uintptr_t)apr_palloc(p, size + 2 * HUGE_PAGE);
    start = (start + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
#ifdef MADV_HUGEPAGE
    (void)madvise((void *)start, (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1),
                  MADV_HUGEPAGE);
#endif
    return (gwg_snap_upstream *)start;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const gwg_snap_upstream *)a)->name,
                  ((const gwg_snap_upstream *)b)->name);
}

static void take_slot(gwg_snapshot *snap, const gwg_shm *shm, uint32_t i,
                      int all, apr_pool_t *p)
{
    gwg_snap_upstream *u = &snap->upstreams[snap->nupstreams];

    copy_slot(u, &shm->slots[i], p);
    if (all && i == shm->slot_count && u->requests == 0) {
        return;                         /* an unused overflow slot */
    }
    if (all && i < shm->slot_count && gwg_shm_find(shm, u->name) != (long)i) {
        return;     /* an orphan: its claim was taken over (gwg_shm_slots.c) */
    }
    add_totals(&snap->totals, u);
    snap->nupstreams++;
}

apr_status_t gwg_snapshot_take(gwg_snapshot **out, const char **missing,
                               const gwg_shm *shm, const char *shm_path,
                               const char *const *keys, int nkeys,
                               apr_pool_t *p)
{
    gwg_snapshot *snap = apr_pcalloc(p, sizeof(*snap));
    uint32_t used = gwg_shm_used(shm), i;
    size_t size;
    int k;

    *missing = NULL;
    snap->shm_path = apr_pstrdup(p, shm_path ? shm_path : "");
    snap->generation = GWG_LOAD(&shm->hdr->generation);
    snap->created = shm->hdr->created;
    snap->started = GWG_LOAD(&shm->hdr->started);
    snap->reset_time = GWG_LOAD(&shm->hdr->reset_time);
    snap->reset_uid = GWG_LOAD(&shm->hdr->reset_uid);
    snap->slot_count = shm->slot_count;
    snap->used = used;
    snap->totals.name = snap->totals.worker = snap->totals.balancer = "";
    snap->totals.last_class = GWG_CLASS_NONE;
    /* not zeroed: copy_slot writes every field (the memset was a tenth
     * of a 10,000-upstream status) */
    size = sizeof(gwg_snap_upstream)
           * ((nkeys > 0 ? (uint32_t)nkeys : used) + 1);
    snap->upstreams = alloc_upstreams(p, size);
    if (nkeys > 0) {
        for (k = 0; k < nkeys; k++) {
            long slot = gwg_shm_find(shm, keys[k]);
            if (slot < 0) {
                *missing = keys[k];
                return APR_NOTFOUND;
            }
            take_slot(snap, shm, (uint32_t)slot, 0, p);
        }
    }
    else {
        for (i = 0; i < used; i++) {
            if (GWG_LOAD(&shm->slots[i].state) == GWG_SLOT_READY) {
                take_slot(snap, shm, i, 1, p);
            }
        }
        take_slot(snap, shm, shm->slot_count, 1, p);
    }
    qsort(snap->upstreams, (size_t)snap->nupstreams,
          sizeof(gwg_snap_upstream), by_name);
    *out = snap;
    return APR_SUCCESS;
}

const char *gwg_breaker_name(int state)
{
    switch (state) {
    case GWG_BREAKER_OPEN: return "open";
    case GWG_BREAKER_HALF_OPEN: return "half_open";
    default: return "closed";
    }
}

gwg_class_t gwg_snap_top_class(const gwg_snap_upstream *u)
{
    gwg_class_t best = GWG_CLASS_NONE;
    uint64_t most = 0;
    int i;

    for (i = 0; i < GWG_CLASS_COUNT; i++) {
        if (gwg_class_is_upstream_failure((gwg_class_t)i)
            && u->classes[i] > most) {
            most = u->classes[i];
            best = (gwg_class_t)i;
        }
    }
    return best;
}
