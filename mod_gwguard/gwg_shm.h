/*
 * The shared segment of docs/shm-layout.md: create or trust a file, find or
 * claim an upstream's slot without a lock, count outcomes with 64-bit
 * atomics, reset. Used by the module (parent creates, children inherit the
 * mapping), by gwguardctl (maps an existing file) and by the unit tests.
 */
#ifndef GWG_SHM_H
#define GWG_SHM_H

#include <stddef.h>
#include <stdint.h>

#include <apr_errno.h>

#include "gwg_class.h"
#include "gwg_layout.h"

#define GWG_SLOTS_MIN      16
#define GWG_SLOTS_MAX      100000
#define GWG_RECENT_MAX     1000000
#define GWG_ERRMAX         512

/* A mapping. The geometry (slot_count, index_size, recent_size) is copied
 * here from the header once it has validated, and every index is bounded
 * by this copy: the file's own fields are never read again, since anyone
 * who can write the file could change them under us. */
typedef struct {
    void       *base;            /* start of the mapping */
    uint64_t    size;            /* bytes mapped */
    gwg_header *hdr;             /* for the live fields only */
    uint32_t   *index;
    gwg_slot   *slots;           /* slot_count + 1 (overflow last) */
    gwg_recent *recent;
    uint32_t    slot_count;      /* validated copies, process-local */
    uint32_t    index_size;
    uint32_t    recent_size;
    int         writable;
} gwg_shm;

/* Where everything lies for a given table size (see gwg_layout.h). */
typedef struct {
    uint32_t slot_count;
    uint32_t index_size;
    uint32_t recent_size;
    uint64_t index_off;
    uint64_t slots_off;
    uint64_t recent_off;
    uint64_t total_size;
} gwg_geometry;

void gwg_geometry_compute(gwg_geometry *g, uint32_t slot_count,
                          uint32_t recent_size);

/* Checks a mapped file before anything in it is trusted: magic, version,
 * record sizes, geometry, file size, then every index entry and slot name.
 * The header is copied first and only the copy is used, so a writer
 * cannot move the bounds during the check; slots claimed while it runs
 * are accepted. With geom non-NULL the validated geometry is stored there.
 * Returns APR_SUCCESS, or APR_EINVAL with the reason in why. */
apr_status_t gwg_shm_validate(const void *base, uint64_t file_size,
                              char *why, size_t whylen);
apr_status_t gwg_shm_validate_geometry(const void *base, uint64_t file_size,
                                       gwg_geometry *geom, char *why,
                                       size_t whylen);

/* Whether an open file may be trusted at all (docs/shm-layout.md):
 * a regular file owned by owner or root, with no group or other write bit.
 * Returns APR_SUCCESS, or APR_EINVAL with the reason in why. */
apr_status_t gwg_shm_check_owner(int fd, unsigned long owner, char *why,
                                 size_t whylen);

/* Maps an existing file (gwguardctl). Refuses a symbolic link, a file that
 * is not owned by the caller or root or is writable by others (see
 * gwg_shm_check_owner), and one that does not validate.
 * On failure err says what is wrong and which permission is missing. */
apr_status_t gwg_shm_open(gwg_shm *shm, const char *path, int writable,
                          char *err, size_t errlen);

/* Maps the file at path for the given geometry, reusing it when it
 * passes gwg_shm_check_owner (for the calling user), validates and
 * matches, else replacing it (atomically, by rename) with a fresh zeroed
 * one, mode 0600. *fresh tells which: 0 reused, 1 fresh, 2 fresh because
 * the old file was not to be trusted at all (a link, not a regular file,
 * another owner, writable by others); why says why a file was not reused
 * ("" when there was none). */
apr_status_t gwg_shm_attach_or_create(gwg_shm *shm, const char *path,
                                      uint32_t slot_count,
                                      uint32_t recent_size, int *fresh,
                                      char *why, size_t whylen);

void gwg_shm_close(gwg_shm *shm);

/* Request path: the slot number for key, claiming a free slot if needed.
 * Lock-free: a compare-and-swap on the index entry. When the table is
 * full, returns the overflow slot and sets *overflow_first once, for the
 * first caller that found it full (so the caller logs it once). */
uint32_t gwg_shm_slot_for(gwg_shm *shm, const char *key, const char *worker,
                          const char *balancer, int *overflow_first);

/* The same for a key taken from a request's URL (mod_proxy's default
 * workers: SetHandler "proxy:...", RewriteRule [P], forward proxy), which
 * a client can vary at will: a new key gets a slot only while fewer than
 * gwg_shm_dynamic_budget() such keys have one, else the overflow slot. */
uint32_t gwg_shm_slot_for_dynamic(gwg_shm *shm, const char *key,
                                  const char *worker, int *overflow_first);

/* How many slots keys from URLs may take: a quarter of the table. */
uint32_t gwg_shm_dynamic_budget(const gwg_shm *shm);

/* Read-only lookup (gwguardctl). Returns -1 if the key has no slot. */
long gwg_shm_find(const gwg_shm *shm, const char *key);

/* Number of slots in use, overflow not included. */
uint32_t gwg_shm_used(const gwg_shm *shm);

/* The slot number of the overflow slot (inline: asked on every
 * attempt). */
static inline uint32_t gwg_shm_overflow_slot(const gwg_shm *shm)
{
    return shm->slot_count;
}

typedef struct {
    gwg_class_t cls;             /* GWG_CLASS_NONE for a success */
    int         status;          /* status gwguard answered, 0 if none */
    uint64_t    now;             /* microseconds since the epoch */
    int64_t     ttfb_us;         /* upstream time to first byte, -1 unknown */
} gwg_outcome;

/* The state changes worth a log line, with hysteresis so that an
 * upstream that alternates failures and successes is reported once: it
 * starts failing at a failure while it was healthy, and recovers only
 * after GWG_RECOVER_SUCCESSES successes in a row, or at a success
 * GWG_RECOVER_QUIET_US after its last failure (docs/log-tags.md). */
#define GWG_RECOVER_SUCCESSES  10
#define GWG_RECOVER_QUIET_US   60000000ull

typedef struct {
    int      started_failing;    /* failure while healthy */
    int      recovered;          /* healthy again (see above) */
    uint64_t streak_failures;    /* with recovered: failures meanwhile */
    uint64_t streak_us;          /* with recovered: for how long */
} gwg_transition;

/* Counts one attempt's outcome; says whether the upstream changed state. */
void gwg_shm_record(gwg_shm *shm, uint32_t slot, const gwg_outcome *o,
                    gwg_transition *t);

/* Zeroes a slot's counters (and its breaker if breaker_too) while
 * increments go on: each counter is exchanged with 0, so an increment lands
 * either before the reset (and is cleared) or after it (and is kept). */
void gwg_shm_reset_slot(gwg_shm *shm, uint32_t slot, int breaker_too);

/* Records when and by whom a reset was done. */
void gwg_shm_note_reset(gwg_shm *shm, uint64_t now, uint64_t uid);

/* Adds an entry to the recent-failures ring (seqlock per entry). */
void gwg_shm_recent_add(gwg_shm *shm, const gwg_recent *e);

/* The same in place, without building the entry first: claim takes the
 * next ticket and marks its entry as being written (NULL when another
 * writer holds it: the entry is dropped, as add drops it); the caller
 * then writes every field but seq, with nothing in between that can fail
 * or wait, and publishes. */
gwg_recent *gwg_shm_recent_claim(gwg_shm *shm, uint64_t *ticket);
void gwg_shm_recent_publish(gwg_recent *slot, uint64_t ticket);

/* Copies the n-th newest entry (0 = newest) into out. Returns 0 when out
 * holds a complete entry, -1 when there is none (or it kept changing). */
int gwg_shm_recent_get(const gwg_shm *shm, uint64_t n, gwg_recent *out);

/* FNV-1a over the key; also the slot's stored hash. */
uint32_t gwg_key_hash(const char *key);

/* Bucket index of a time-to-first-byte for the histogram. */
unsigned gwg_ttfb_bucket(uint64_t us);

extern const uint64_t gwg_ttfb_bounds_us[GWG_TTFB_BUCKETS];

#endif
