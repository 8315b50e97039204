/*
 * Upstream slots: find or claim one per key, count outcomes, reset.
 * This is the request path: no locks, no allocation, no system calls.
 * A slot is claimed by CAS-ing its index entry from 0 to a claim (stamped
 * with the time it began), taking the next slot number from an atomic
 * allocator, writing the names, and publishing slot number + 1 with a
 * CAS from our claim. A claim left by a dead claimer goes stale and the
 * next caller takes it over. Slots are never freed or moved, so a
 * published entry stays valid for the file's lifetime. Every bound comes
 * from the geometry copied at map time (gwg_shm), never from the file.
 */
#include <sched.h>
#include <string.h>
#include <time.h>

#include "gwg_atomic.h"
#include "gwg_shm.h"

const uint64_t gwg_ttfb_bounds_us[GWG_TTFB_BUCKETS] = GWG_TTFB_BOUNDS_US;

/* A claimer writes a few hundred bytes between its CAS and its publish,
 * so a claim older than this belongs to a claimer that died (or was
 * stopped for a very long time): the next caller takes the claim over.
 * A time, not a count of spins, so a preempted claimer is waited for
 * however fast the waiter spins. */
#define CLAIM_STALE_MS 250u

uint32_t gwg_key_hash(const char *key)
{
    uint32_t h = 2166136261u;

    while (*key) {
        h ^= (unsigned char)*key++;
        h *= 16777619u;
    }
    return h;
}

unsigned gwg_ttfb_bucket(uint64_t us)
{
    unsigned i;

    for (i = 0; i < GWG_TTFB_BUCKETS - 1; i++) {
        if (us <= gwg_ttfb_bounds_us[i]) {
            break;
        }
    }
    return i;
}

static void copy_name(char *dst, size_t max, const char *src)
{
    size_t n = src ? strlen(src) : 0;

    if (n >= max) {
        n = max - 1;
    }
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static int slot_matches(const gwg_shm *shm, uint32_t v, uint32_t hash,
                        const char *key)
{
    const gwg_slot *s;

    if (v == 0 || v > shm->slot_count) {
        return 0;                       /* empty, a claim, or out of range */
    }
    s = &shm->slots[v - 1];
    return s->hash == hash && strncmp(s->key, key, GWG_KEY_MAX) == 0;
}

/* Milliseconds on the system-wide monotonic clock, in claim form. */
static uint32_t claim_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)(((uint64_t)ts.tv_sec * 1000u
                       + (uint64_t)ts.tv_nsec / 1000000u)
                      % GWG_INDEX_CLAIM_MOD);
}

static int is_claim(uint32_t v)
{
    return (v & GWG_INDEX_CLAIM_BIT) != 0;
}

/* Whether the claim v has been pending for CLAIM_STALE_MS at time now;
 * GWG_INDEX_CLAIMING (never written by this build) is of unknown age. */
static int claim_stale(uint32_t v, uint32_t now)
{
    uint32_t began = v & ~GWG_INDEX_CLAIM_BIT;

    if (v == GWG_INDEX_CLAIMING) {
        return 1;
    }
    return (now + GWG_INDEX_CLAIM_MOD - began) % GWG_INDEX_CLAIM_MOD
           >= CLAIM_STALE_MS;
}

/* Waits for a claim in progress to be published. Returns the published
 * value (0 if the claim was given up), or GWG_INDEX_CLAIMING when the
 * claim went stale and we took it over: the entry then holds *mine. */
static uint32_t wait_claim(uint32_t *entry, uint32_t *mine)
{
    uint32_t v = GWG_LOAD(entry);
    unsigned spins = 0;

    while (is_claim(v)) {
        if ((++spins & 63) == 0) {
            uint32_t now = claim_now();
            if (claim_stale(v, now)) {
                *mine = GWG_INDEX_CLAIM_BIT | now;
                if (*mine != v && GWG_CAS(entry, &v, *mine)) {
                    return GWG_INDEX_CLAIMING;
                }
                continue;               /* v holds what is there now */
            }
            if (spins < 1024) {
                sched_yield();
            }
            else {
                /* the claimer is not running: leave it the CPU rather
                 * than spin (only ever for a key seen for the first time) */
                struct timespec pause = { 0, 50000 };
                nanosleep(&pause, NULL);
            }
        }
        v = GWG_LOAD(entry);
    }
    return v;
}

/* Takes the next free slot for key behind index entry *entry, which we
 * hold with the claim value mine, or releases the entry if the table is
 * full. Returns the slot, or UINT32_MAX if our claim was taken over
 * meanwhile (we were stopped for longer than CLAIM_STALE_MS): the slot we
 * filled is then an orphan that no index entry reaches, and the caller
 * looks the key up again. */
static uint32_t claim(gwg_shm *shm, uint32_t *entry, uint32_t mine,
                      uint32_t hash, const char *key, const char *worker,
                      const char *balancer, int *overflow_first)
{
    uint64_t n = GWG_ADD(&shm->hdr->slots_used, 1);
    gwg_slot *s;
    uint64_t zero = 0;
    uint32_t expect = mine;

    if (n >= shm->slot_count) {
        GWG_CAS(entry, &expect, 0u);
        if (GWG_CAS(&shm->hdr->overflow_noted, &zero, 1)) {
            *overflow_first = 1;
        }
        return shm->slot_count;
    }
    s = &shm->slots[n];
    copy_name(s->key, sizeof(s->key), key);
    copy_name(s->worker, sizeof(s->worker), worker);
    copy_name(s->balancer, sizeof(s->balancer), balancer);
    s->hash = hash;
    GWG_STORE(&s->state, (uint32_t)GWG_SLOT_READY);
    if (!GWG_CAS(entry, &expect, (uint32_t)(n + 1))) {
        return UINT32_MAX;
    }
    return (uint32_t)n;
}

uint32_t gwg_shm_slot_for(gwg_shm *shm, const char *key, const char *worker,
                          const char *balancer, int *overflow_first)
{
    uint32_t hash = gwg_key_hash(key);
    uint32_t mask = shm->index_size - 1;
    uint32_t i, probes, got;
    int rounds, again = 1;

    *overflow_first = 0;
    /* another round only if a claim of ours was taken over (rare) */
    for (rounds = 0; again && rounds < 4; rounds++) {
        again = 0;
        for (i = hash & mask, probes = 0; probes <= mask;
             i = (i + 1) & mask, probes++) {
            uint32_t *entry = &shm->index[i];
            uint32_t v = GWG_LOAD(entry), mine = 0;

            if (is_claim(v)) {
                v = wait_claim(entry, &mine);
            }
            if (v != GWG_INDEX_CLAIMING) {
                if (slot_matches(shm, v, hash, key)) {
                    return v - 1;
                }
                if (v != 0) {
                    continue;
                }
                if (GWG_LOAD_RELAXED(&shm->hdr->slots_used)
                    >= shm->slot_count) {
                    break;              /* full: key is not in the table */
                }
                mine = GWG_INDEX_CLAIM_BIT | claim_now();
                if (!GWG_CAS(entry, &v, mine)) {
                    /* lost the race for this entry: look at what won it */
                    v = wait_claim(entry, &mine);
                    if (v != GWG_INDEX_CLAIMING) {
                        if (slot_matches(shm, v, hash, key)) {
                            return v - 1;
                        }
                        continue;
                    }
                }
            }
            /* the entry holds our claim (fresh, or a dead one taken over) */
            got = claim(shm, entry, mine, hash, key, worker, balancer,
                        overflow_first);
            if (got != UINT32_MAX) {
                return got;
            }
            again = 1;                  /* taken over meanwhile: again */
            break;
        }
    }
    {
        uint64_t zero = 0;
        if (GWG_CAS(&shm->hdr->overflow_noted, &zero, 1)) {
            *overflow_first = 1;
        }
    }
    return shm->slot_count;
}

long gwg_shm_find(const gwg_shm *shm, const char *key)
{
    uint32_t hash = gwg_key_hash(key);
    uint32_t mask = shm->index_size - 1;
    uint32_t i = hash & mask, probes;

    if (strcmp(key, GWG_OVERFLOW_KEY) == 0) {
        return (long)shm->slot_count;
    }
    for (probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
        uint32_t v = GWG_LOAD(&shm->index[i]);
        if (v == 0) {
            break;
        }
        if (slot_matches(shm, v, hash, key)) {
            return (long)v - 1;
        }
    }
    return -1;
}

uint32_t gwg_shm_dynamic_budget(const gwg_shm *shm)
{
    return shm->slot_count / 4;
}

uint32_t gwg_shm_slot_for_dynamic(gwg_shm *shm, const char *key,
                                  const char *worker, int *overflow_first)
{
    long found = gwg_shm_find(shm, key);
    uint64_t zero = 0;

    *overflow_first = 0;
    if (found >= 0) {
        return (uint32_t)found;
    }
    /* Counted before claiming, so two racing claims of one new key may
     * both count: the budget errs on the side of the table. */
    if (GWG_ADD(&shm->hdr->dynamic_used, 1)
        < (uint64_t)gwg_shm_dynamic_budget(shm)) {
        return gwg_shm_slot_for(shm, key, worker, "", overflow_first);
    }
    if (GWG_CAS(&shm->hdr->overflow_noted, &zero, 1)) {
        *overflow_first = 1;
    }
    return shm->slot_count;
}

uint32_t gwg_shm_used(const gwg_shm *shm)
{
    uint64_t used = GWG_LOAD(&shm->hdr->slots_used);

    return used < shm->slot_count ? (uint32_t)used : shm->slot_count;
}

/* Hysteresis of the state-change lines: `failing` flips 0 -> 1 at a
 * failure and 1 -> 0 at a success that ends the episode; each flip is a
 * CAS, so exactly one process reports it. */
static void count_failure(gwg_slot *s, const gwg_outcome *o,
                          gwg_transition *t)
{
    uint64_t zero = 0, healthy = 0;

    GWG_ADD(&s->failures, 1);
    GWG_ADD(&s->consecutive_failures, 1);
    if (GWG_LOAD_RELAXED(&s->consecutive_successes) != 0) {
        GWG_XCHG(&s->consecutive_successes, 0);
    }
    GWG_ADD(&s->episode_failures, 1);
    if (GWG_LOAD_RELAXED(&s->failing) == 0
        && GWG_CAS(&s->failing, &healthy, 1)) {
        GWG_STORE(&s->streak_start, o->now);    /* the episode's start */
        t->started_failing = 1;
    }
    GWG_CAS(&s->first_failure, &zero, o->now);
    GWG_STORE(&s->last_failure, o->now);
    GWG_STORE(&s->last_class, (uint64_t)o->cls + 1);
}

static void count_success(gwg_slot *s, const gwg_outcome *o,
                          gwg_transition *t)
{
    uint64_t run, last, one = 1;

    GWG_ADD(&s->successes, 1);
    GWG_STORE(&s->last_success, o->now);
    if (GWG_LOAD_RELAXED(&s->consecutive_failures) != 0) {
        GWG_XCHG(&s->consecutive_failures, 0);
    }
    if (GWG_LOAD_RELAXED(&s->failing) == 0) {
        return;                         /* the common case: one write */
    }
    run = GWG_ADD(&s->consecutive_successes, 1) + 1;
    last = GWG_LOAD(&s->last_failure);
    if ((run >= GWG_RECOVER_SUCCESSES
         || o->now >= last + GWG_RECOVER_QUIET_US)
        && GWG_CAS(&s->failing, &one, 0)) {
        uint64_t start = GWG_LOAD(&s->streak_start);
        t->recovered = 1;
        t->streak_failures = GWG_XCHG(&s->episode_failures, 0);
        t->streak_us = o->now > start ? o->now - start : 0;
        GWG_XCHG(&s->consecutive_successes, 0);
    }
}

void gwg_shm_record(gwg_shm *shm, uint32_t slot, const gwg_outcome *o,
                    gwg_transition *t)
{
    gwg_slot *s;

    memset(t, 0, sizeof(*t));
    if (slot > shm->slot_count) {
        return;
    }
    s = &shm->slots[slot];
    if (gwg_class_reaches_upstream(o->cls)) {
        GWG_ADD(&s->requests, 1);
    }
    if (o->cls == GWG_CLASS_NONE) {
        count_success(s, o, t);
    }
    else if (o->cls >= 0 && o->cls < GWG_CLASS_COUNT) {
        GWG_ADD(&s->classes[o->cls], 1);
        if (gwg_class_is_upstream_failure(o->cls)) {
            count_failure(s, o, t);
        }
    }
    if (o->status >= GWG_STATUS_MIN
        && o->status < GWG_STATUS_MIN + GWG_STATUS_SLOTS) {
        GWG_ADD(&s->statuses[o->status - GWG_STATUS_MIN], 1);
    }
    if (o->ttfb_us >= 0) {
        GWG_ADD(&s->ttfb_buckets[gwg_ttfb_bucket((uint64_t)o->ttfb_us)], 1);
        GWG_ADD(&s->ttfb_count, 1);
        GWG_ADD(&s->ttfb_sum_us, (uint64_t)o->ttfb_us);
    }
}

static void zero_all(uint64_t *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        GWG_XCHG(&v[i], 0);
    }
}

void gwg_shm_reset_slot(gwg_shm *shm, uint32_t slot, int breaker_too)
{
    gwg_slot *s;

    if (slot > shm->slot_count) {
        return;
    }
    s = &shm->slots[slot];
    GWG_XCHG(&s->requests, 0);
    GWG_XCHG(&s->successes, 0);
    GWG_XCHG(&s->failures, 0);
    GWG_XCHG(&s->stale, 0);
    zero_all(s->classes, GWG_CLASS_SLOTS);
    zero_all(s->statuses, GWG_STATUS_SLOTS);
    zero_all(s->ttfb_buckets, GWG_TTFB_BUCKETS);
    GWG_XCHG(&s->ttfb_count, 0);
    GWG_XCHG(&s->ttfb_sum_us, 0);
    GWG_XCHG(&s->consecutive_failures, 0);
    GWG_XCHG(&s->consecutive_successes, 0);
    GWG_XCHG(&s->episode_failures, 0);
    GWG_XCHG(&s->failing, 0);
    GWG_XCHG(&s->first_failure, 0);
    GWG_XCHG(&s->last_failure, 0);
    GWG_XCHG(&s->last_class, 0);
    if (breaker_too) {
        GWG_XCHG(&s->breaker_window_failures, 0);
        GWG_XCHG(&s->breaker_window_start, 0);
        GWG_XCHG(&s->breaker_trial, 0);
        GWG_XCHG(&s->breaker_until, 0);
        GWG_XCHG(&s->breaker_cooldown, 0);
        GWG_XCHG(&s->breaker_panic, 0);
        GWG_XCHG(&s->breaker_state, (uint64_t)GWG_BREAKER_CLOSED);
    }
}

void gwg_shm_note_reset(gwg_shm *shm, uint64_t now, uint64_t uid)
{
    GWG_STORE(&shm->hdr->reset_uid, uid);
    GWG_STORE(&shm->hdr->reset_time, now);
}
