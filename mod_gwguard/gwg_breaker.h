/*
 * The circuit breaker of docs/breaker.md: closed, open, half-open, kept in the
 * upstream's slot and driven only by __atomic operations on it, so every
 * process and thread agrees without a lock. The glue asks before each
 * attempt (gwg_breaker_admit) and reports each attempt's outcome
 * (gwg_breaker_record); both say which transition, if any, they made, so
 * the glue logs each transition exactly once.
 */
#ifndef GWG_BREAKER_H
#define GWG_BREAKER_H

#include <stdint.h>

#include <apr_pools.h>

#include "gwg_class.h"
#include "gwg_layout.h"

#define GWG_BREAKER_FAILURES_MAX  1000000u
#define GWG_BREAKER_SECONDS_MAX   86400u
/* The defaults are gwg_default's (gwg_conf.h). */

/* A trial that has not reported back after this long is taken to be lost
 * (its process died, e.g. `apachectl restart` killed it) and another
 * request may take the trial; otherwise the breaker would stay half-open,
 * refusing everything, until a manual reset. */
#define GWG_BREAKER_TRIAL_LEASE_US (60u * 1000000u)

typedef struct {
    int      enabled;            /* 0: Off, the breaker is not consulted */
    uint32_t failures;           /* this many failures ... */
    uint32_t window_s;           /* ... inside this many seconds open it */
    uint32_t cooldown_s;         /* open this long, then half-open */
    uint32_t max_cooldown_s;     /* each failed trial doubles the cooldown
                                    up to this; 0 (default): no doubling */
    uint32_t panic_pct;          /* a balancer with more than this share of
                                    members open is not refused at all;
                                    0: never (docs/degrade.md) */
} gwg_breaker_conf;

/* Transitions, for the log. */
typedef enum {
    GWG_BREAKER_EV_NONE = 0,
    GWG_BREAKER_EV_OPENED,       /* closed -> open: too many failures */
    GWG_BREAKER_EV_HALF_OPENED,  /* open -> half-open: cooldown over */
    GWG_BREAKER_EV_CLOSED,       /* half-open -> closed: trial succeeded */
    GWG_BREAKER_EV_REOPENED,     /* half-open -> open: trial failed */
    GWG_BREAKER_EV_TRIAL_LOST    /* a trial's lease ran out; new trial */
} gwg_breaker_event;

/* How an attempt's outcome counts for the breaker. */
typedef enum {
    GWG_BREAKER_NEUTRAL = 0,     /* client_abort, or refused by us */
    GWG_BREAKER_SUCCESS,
    GWG_BREAKER_FAILURE
} gwg_breaker_outcome;

typedef struct {
    int      admit;              /* 1: go ahead; 0: refuse with 503 */
    uint64_t trial;              /* admitted as the half-open trial: its
                                    token (claim time), else 0 */
    uint32_t retry_after;        /* refused: seconds until it half-opens,
                                    at least 1 */
    gwg_breaker_event event;     /* the transition this call made */
} gwg_breaker_admission;

/* Before an attempt: may it go to the upstream? At most one caller, in all
 * processes together, is admitted as the trial while half-open. */
void gwg_breaker_admit(gwg_breaker_admission *a, gwg_slot *s,
                       const gwg_breaker_conf *c, uint64_t now);

/* Which outcomes count (docs/breaker.md): every failure class except
 * client_abort; upstream_5xx only when gwguard intercepted it (otherwise the
 * upstream answered and the client got that answer); circuit_open is our own
 * refusal and never counts. */
gwg_breaker_outcome gwg_breaker_outcome_of(gwg_class_t cls, int intercepted);

/* After an attempt: trial is the admission's token (0 if not the trial).
 * A failure while closed counts in the window and may open the breaker;
 * the trial's outcome closes or re-opens it. */
gwg_breaker_event gwg_breaker_record(gwg_slot *s, const gwg_breaker_conf *c,
                                     uint64_t trial,
                                     gwg_breaker_outcome outcome,
                                     uint64_t now);

/* Failures counted in the current window (decodes the packed word). */
uint64_t gwg_breaker_window_count(const gwg_slot *s);

/* The cooldown an opening from closed uses, and the longest one a
 * failed trial can reach (the cap, or the base without backoff). */
uint32_t gwg_breaker_cooldown_max(const gwg_breaker_conf *c);

/* The cooldown in force for the slot's current or last opening, seconds. */
uint32_t gwg_breaker_cooldown_now(const gwg_slot *s, const gwg_breaker_conf *c);

/* Whether a balancer with `open` of its `members` breakers open is in
 * panic: more than pct percent of them (pct 0: never). */
int gwg_breaker_panic(uint32_t open, uint32_t members, uint32_t pct);

/* Seconds until an open breaker half-opens, rounded up, at least 1. */
uint32_t gwg_breaker_seconds_left(uint64_t until, uint64_t now);

/* Parses GwGuardBreaker's arguments:
 *   [ORIGIN] failures=N window=SEC cooldown=SEC [max_cooldown=SEC]
 *            [panic=PERCENT]
 *                                   (any order, each once; a missing one
 *                                    defaults; max_cooldown >= cooldown)
 *   [ORIGIN] On | Off
 * *origin is set to the normalised upstream key, or NULL when none was
 * given (the server-wide setting). Returns NULL, or a message naming the
 * directive, the value and what is allowed. */
const char *gwg_conf_breaker(gwg_breaker_conf *out, const char **origin,
                             const char *directive, int argc,
                             char *const argv[], apr_pool_t *p);

#endif
