/*
 * The breaker's state machine on the slot fields of gwg_layout.h, with no
 * lock: every transition is one compare-and-swap on breaker_state, so
 * exactly one caller makes it (and logs it), whatever the MPM.
 *
 *   closed    --`failures` inside `window`-->  open   (until = now+cooldown)
 *   open      --now >= until, next attempt-->  half-open
 *   half-open --one trial claims breaker_trial; its success--> closed
 *                                              its failure--> open, for
 *                               twice the last cooldown up to max_cooldown
 *
 * Ordering: whoever moves the state to open stores breaker_until (release)
 * BEFORE the CAS that publishes the state, so a reader that sees "open"
 * (acquire) also sees when it ends. Clock: CLOCK_REALTIME microseconds, as
 * everywhere in the segment; an until further ahead than the cooldown
 * (the clock stepped back) is treated as elapsed rather than trusted.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "gwg_atomic.h"
#include "gwg_breaker.h"
#include "gwg_conf.h"
#include "gwg_upstream.h"

/* breaker_window_failures packs the window into one word, so starting a
 * new window and counting in it is one CAS and no failure is lost or
 * counted in the wrong window: the high 40 bits are the window's start in
 * 1/100 s since the epoch (good for 348 years), the low 24 bits the count
 * (saturating). breaker_window_start mirrors the start in microseconds
 * for people; nothing decides on it. */
#define WIN_COUNT_BITS   24
#define WIN_COUNT_MASK   ((UINT64_C(1) << WIN_COUNT_BITS) - 1)
#define US_PER_TICK      10000u

static void refuse(gwg_breaker_admission *a, uint64_t until, uint64_t now)
{
    a->admit = 0;
    a->retry_after = gwg_breaker_seconds_left(until, now);
}

uint32_t gwg_breaker_seconds_left(uint64_t until, uint64_t now)
{
    uint64_t s;

    if (until <= now) {
        return 1;
    }
    s = (until - now + 999999u) / 1000000u;
    return s < 1 ? 1 : (s > UINT32_MAX ? UINT32_MAX : (uint32_t)s);
}

/* Half-open: the one caller whose CAS takes breaker_trial from 0 (or from
 * an expired lease) is the trial; its token is the claim time. */
static int take_trial(gwg_breaker_admission *a, gwg_slot *s, uint64_t now)
{
    uint64_t t = GWG_LOAD(&s->breaker_trial);

    if (t == 0 && GWG_CAS(&s->breaker_trial, &t, now)) {
        return 1;
    }
    if (t != 0 && now > t && now - t >= GWG_BREAKER_TRIAL_LEASE_US
        && GWG_CAS(&s->breaker_trial, &t, now)) {
        a->event = GWG_BREAKER_EV_TRIAL_LOST;
        return 1;
    }
    return 0;
}

/* We saw half-open, but by the time our claim lands the previous trial may
 * have finished, re-opened the breaker and let go of breaker_trial: a
 * claim is only good if the state is still half-open after it. Else give
 * it back and go by the state as it is now. */
static void claim_trial(gwg_breaker_admission *a, gwg_slot *s, uint64_t now)
{
    uint64_t state, token = now;

    if (!take_trial(a, s, now)) {
        refuse(a, 0, now);          /* a trial is out: try again soon */
        return;
    }
    state = GWG_LOAD(&s->breaker_state);
    if (state == GWG_BREAKER_HALF_OPEN) {
        a->trial = now;
        return;
    }
    GWG_CAS(&s->breaker_trial, &token, 0);
    if (a->event == GWG_BREAKER_EV_TRIAL_LOST) {
        a->event = GWG_BREAKER_EV_NONE;
    }
    if (state == GWG_BREAKER_OPEN) {
        refuse(a, GWG_LOAD(&s->breaker_until), now);
    }                               /* closed: trial done, or a reset */
}

void gwg_breaker_admit(gwg_breaker_admission *a, gwg_slot *s,
                       const gwg_breaker_conf *c, uint64_t now)
{
    uint64_t state, until, expected;

    memset(a, 0, sizeof(*a));
    a->admit = 1;
    if (!c || !c->enabled) {
        return;
    }
    state = GWG_LOAD(&s->breaker_state);
    if (state == GWG_BREAKER_CLOSED) {
        return;                     /* the common case: one load */
    }
    if (state == GWG_BREAKER_OPEN) {
        until = GWG_LOAD(&s->breaker_until);
        if (now < until
            && until - now
               <= (uint64_t)gwg_breaker_cooldown_max(c) * 1000000u) {
            refuse(a, until, now);
            return;
        }
        expected = GWG_BREAKER_OPEN;
        if (GWG_CAS(&s->breaker_state, &expected, GWG_BREAKER_HALF_OPEN)) {
            GWG_STORE(&s->breaker_changed, now);
            a->event = GWG_BREAKER_EV_HALF_OPENED;
        }
        else if (expected != GWG_BREAKER_HALF_OPEN) {
            return;                 /* closed meanwhile (a reset) */
        }
    }
    /* Even if we made the half-open transition, another caller may win
     * the trial: then we log the transition and are refused. */
    claim_trial(a, s, now);
}

gwg_breaker_outcome gwg_breaker_outcome_of(gwg_class_t cls, int intercepted)
{
    switch (cls) {
    case GWG_CLASS_NONE:
        return GWG_BREAKER_SUCCESS;
    case GWG_CLASS_CLIENT_ABORT:
    case GWG_CLASS_CIRCUIT_OPEN:
    case GWG_CLASS_MAINTENANCE:
        return GWG_BREAKER_NEUTRAL;
    case GWG_CLASS_UPSTREAM_5XX:
        return intercepted ? GWG_BREAKER_FAILURE : GWG_BREAKER_SUCCESS;
    default:
        return gwg_class_is_upstream_failure(cls) ? GWG_BREAKER_FAILURE
                                                  : GWG_BREAKER_NEUTRAL;
    }
}

uint32_t gwg_breaker_cooldown_max(const gwg_breaker_conf *c)
{
    return c->max_cooldown_s > c->cooldown_s ? c->max_cooldown_s
                                             : c->cooldown_s;
}

/* Clamped to the configuration: the slot may be from another config or
 * hostile, and an out-of-range value must not stretch a refusal. */
uint32_t gwg_breaker_cooldown_now(const gwg_slot *s, const gwg_breaker_conf *c)
{
    uint64_t v = GWG_LOAD(&s->breaker_cooldown);

    if (v < c->cooldown_s) {
        return c->cooldown_s;
    }
    return v > gwg_breaker_cooldown_max(c) ? gwg_breaker_cooldown_max(c)
                                           : (uint32_t)v;
}

/* Moves the state from `from` to open, until now + cooldown: the base one
 * from closed; after a failed trial, the last one doubled (backoff, as
 * APISIX's api-breaker) up to the cap. */
static int open_from(gwg_slot *s, const gwg_breaker_conf *c, uint64_t from,
                     uint64_t now)
{
    uint64_t expected = from, cd = c->cooldown_s;

    if (from == GWG_BREAKER_HALF_OPEN) {
        cd = 2u * (uint64_t)gwg_breaker_cooldown_now(s, c);
        if (cd > gwg_breaker_cooldown_max(c)) {
            cd = gwg_breaker_cooldown_max(c);
        }
    }
    GWG_STORE(&s->breaker_cooldown, cd);
    GWG_STORE(&s->breaker_until, now + cd * 1000000u);
    if (!GWG_CAS(&s->breaker_state, &expected, GWG_BREAKER_OPEN)) {
        return 0;
    }
    GWG_ADD(&s->breaker_opens, 1);
    GWG_STORE(&s->breaker_changed, now);
    return 1;
}

/* Counts a failure in the window (starting a new one if it has run out)
 * and returns the count in the window it landed in. */
static uint64_t count_in_window(gwg_slot *s, const gwg_breaker_conf *c,
                                uint64_t now)
{
    uint64_t tick = now / US_PER_TICK;
    uint64_t span = (uint64_t)c->window_s * (1000000u / US_PER_TICK);
    uint64_t old = GWG_LOAD(&s->breaker_window_failures), next;
    int fresh;

    do {
        uint64_t start = old >> WIN_COUNT_BITS, n = old & WIN_COUNT_MASK;

        fresh = (n == 0 || tick < start || tick - start >= span);
        if (fresh) {
            next = (tick << WIN_COUNT_BITS) | 1u;
        }
        else {
            next = old + (n < WIN_COUNT_MASK ? 1u : 0u);
        }
    } while (!GWG_CAS(&s->breaker_window_failures, &old, next));
    if (fresh) {
        GWG_STORE(&s->breaker_window_start, now);
    }
    return next & WIN_COUNT_MASK;
}

static gwg_breaker_event finish_trial(gwg_slot *s, const gwg_breaker_conf *c,
                                      uint64_t trial,
                                      gwg_breaker_outcome outcome,
                                      uint64_t now)
{
    gwg_breaker_event ev = GWG_BREAKER_EV_NONE;
    uint64_t expected = GWG_BREAKER_HALF_OPEN;

    if (outcome == GWG_BREAKER_FAILURE) {
        if (open_from(s, c, GWG_BREAKER_HALF_OPEN, now)) {
            ev = GWG_BREAKER_EV_REOPENED;
        }
    }
    else if (outcome == GWG_BREAKER_SUCCESS) {
        GWG_STORE(&s->breaker_window_failures, 0);
        GWG_STORE(&s->breaker_cooldown, 0);     /* backoff starts over */
        if (GWG_CAS(&s->breaker_state, &expected, GWG_BREAKER_CLOSED)) {
            GWG_STORE(&s->breaker_changed, now);
            ev = GWG_BREAKER_EV_CLOSED;
        }
    }
    /* Release the trial only if it is still ours: after a reset or a lost
     * lease another request may hold it now. A neutral outcome (the
     * client went away) just lets the next request be the trial. */
    GWG_CAS(&s->breaker_trial, &trial, 0);
    return ev;
}

gwg_breaker_event gwg_breaker_record(gwg_slot *s, const gwg_breaker_conf *c,
                                     uint64_t trial,
                                     gwg_breaker_outcome outcome,
                                     uint64_t now)
{
    if (trial && c && c->enabled) {
        return finish_trial(s, c, trial, outcome, now);
    }
    if (trial) {                    /* turned Off meanwhile: just let go */
        GWG_CAS(&s->breaker_trial, &trial, 0);
        return GWG_BREAKER_EV_NONE;
    }
    if (!c || !c->enabled || outcome != GWG_BREAKER_FAILURE) {
        return GWG_BREAKER_EV_NONE;
    }
    /* Failures of requests still in flight when it opened do not count
     * towards the next opening: only failures while closed do. */
    if (GWG_LOAD(&s->breaker_state) != GWG_BREAKER_CLOSED) {
        return GWG_BREAKER_EV_NONE;
    }
    if (count_in_window(s, c, now) < c->failures) {
        return GWG_BREAKER_EV_NONE;
    }
    return open_from(s, c, GWG_BREAKER_CLOSED, now) ? GWG_BREAKER_EV_OPENED
                                                    : GWG_BREAKER_EV_NONE;
}

int gwg_breaker_panic(uint32_t open, uint32_t members, uint32_t pct)
{
    return pct > 0 && members > 0
           && (uint64_t)open * 100u > (uint64_t)pct * members;
}

uint64_t gwg_breaker_window_count(const gwg_slot *s)
{
    return GWG_LOAD(&s->breaker_window_failures) & WIN_COUNT_MASK;
}

/* --- GwGuardBreaker's arguments ------------------------------------- */

#define BREAKER_EXPECTED "expected failures=N window=SEC cooldown=SEC " \
                         "[max_cooldown=SEC] [panic=PERCENT], " \
                         "On or Off, optionally after an upstream origin " \
                         "such as http://127.0.0.1:8080"

typedef struct {
    const char *name;            /* "failures" */
    size_t      offset;          /* into gwg_breaker_conf */
    uint32_t    min, max;
    const char *unit;            /* for the message */
} breaker_key;

static const breaker_key breaker_keys[] = {
    { "failures", offsetof(gwg_breaker_conf, failures), 1,
      GWG_BREAKER_FAILURES_MAX, "a number of failures" },
    { "window", offsetof(gwg_breaker_conf, window_s), 1,
      GWG_BREAKER_SECONDS_MAX, "seconds" },
    { "cooldown", offsetof(gwg_breaker_conf, cooldown_s), 1,
      GWG_BREAKER_SECONDS_MAX, "seconds" },
    { "max_cooldown", offsetof(gwg_breaker_conf, max_cooldown_s), 1,
      GWG_BREAKER_SECONDS_MAX, "seconds" },
    { "panic", offsetof(gwg_breaker_conf, panic_pct), 0, 100,
      "a percentage" },
};
#define NKEYS (sizeof(breaker_keys) / sizeof(breaker_keys[0]))

/* An upstream key as GwGuardBreaker's first argument: an origin only
 * (a trailing "/" is allowed), normalised as the slots are named. */
static const char *parse_origin(const char **origin, const char *directive,
                                const char *arg, apr_pool_t *p)
{
    const char *host = strstr(arg, "://") + 3;
    const char *rest = host + strcspn(host, "/?#");
    char key[GWG_KEY_MAX];
    int n = -1;

    if (host - 3 > arg && rest > host && (!*rest || strcmp(rest, "/") == 0)) {
        n = gwg_upstream_key_from_url(key, sizeof(key), arg);
    }
    if (n < 0 || (n > 2 && strcmp(key + n - 2, ":0") == 0)) {
        return apr_psprintf(p, "%s: '%s' is not an upstream origin; "
                            "expected scheme://host:port with no path, "
                            "e.g. http://127.0.0.1:8080", directive, arg);
    }
    *origin = apr_pstrdup(p, key);
    return NULL;
}

/* One "name=value" setting; seen[] catches a setting given twice. */
static const char *parse_setting(gwg_breaker_conf *out, int *seen,
                                 const char *directive, const char *arg,
                                 apr_pool_t *p)
{
    const char *eq = strchr(arg, '=');
    size_t i;

    for (i = 0; eq && i < NKEYS; i++) {
        const breaker_key *k = &breaker_keys[i];
        unsigned long v;
        const char *err;

        if (strlen(k->name) != (size_t)(eq - arg)
            || strncasecmp(arg, k->name, (size_t)(eq - arg)) != 0) {
            continue;
        }
        if (seen[i]++) {
            return apr_psprintf(p, "%s: '%s' sets %s twice; give each "
                                "setting once", directive, arg, k->name);
        }
        err = gwg_conf_uint(&v, directive, eq + 1, k->min, k->max, p);
        if (err) {
            return apr_psprintf(p, "%s: '%s': %s must be %s from %u to %u",
                                directive, arg, k->name, k->unit, k->min,
                                k->max);
        }
        *(uint32_t *)((char *)out + k->offset) = (uint32_t)v;
        return NULL;
    }
    return apr_psprintf(p, "%s: '%s' is not a valid setting; "
                        BREAKER_EXPECTED, directive, arg);
}

const char *gwg_conf_breaker(gwg_breaker_conf *out, const char **origin,
                             const char *directive, int argc,
                             char *const argv[], apr_pool_t *p)
{
    int seen[NKEYS] = { 0 }, i = 0, flag;
    const char *err;

    *origin = NULL;
    out->enabled = 1;
    out->failures = (uint32_t)gwg_default.breaker_failures;
    out->window_s = (uint32_t)gwg_default.breaker_window_s;
    out->cooldown_s = (uint32_t)gwg_default.breaker_cooldown_s;
    out->max_cooldown_s = (uint32_t)gwg_default.breaker_max_cooldown_s;
    out->panic_pct = (uint32_t)gwg_default.breaker_panic_pct;
    if (argc > 0 && strstr(argv[0], "://")) {
        if ((err = parse_origin(origin, directive, argv[0], p))) {
            return err;
        }
        i = 1;
    }
    if (i >= argc) {
        return apr_psprintf(p, "%s: no settings given; " BREAKER_EXPECTED,
                            directive);
    }
    if (!strchr(argv[i], '=')
        && !gwg_conf_flag(&flag, directive, argv[i], p)) {
        if (i + 1 < argc) {
            return apr_psprintf(p, "%s: '%s' cannot be combined with other "
                                "settings; " BREAKER_EXPECTED, directive,
                                argv[i]);
        }
        out->enabled = flag;
        return NULL;
    }
    for (; i < argc; i++) {
        if ((err = parse_setting(out, seen, directive, argv[i], p))) {
            return err;
        }
    }
    if (out->max_cooldown_s && out->max_cooldown_s < out->cooldown_s) {
        return apr_psprintf(p, "%s: max_cooldown=%u is below cooldown=%u; "
                            "the cap must be at least the cooldown",
                            directive, out->max_cooldown_s, out->cooldown_s);
    }
    return NULL;
}
