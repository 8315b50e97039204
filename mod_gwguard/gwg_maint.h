/*
 * Maintenance windows (docs/degrade.md, "Maintenance"): an admin takes an
 * upstream out of service with gwguardctl; the window lives in its slot,
 * so every process sees it at once, and it ends by itself when its time
 * is up (readers compare the clock; nothing clears it). Pure core: the
 * slot's words, the message's rules, and DURATION / TIME parsing.
 */
#ifndef GWG_MAINT_H
#define GWG_MAINT_H

#include <stddef.h>
#include <stdint.h>

#include "gwg_atomic.h"
#include "gwg_layout.h"

/* --for's upper bound: a longer window is one "until turned off". */
#define GWG_MAINT_MAX_SECONDS (366u * 86400u)

typedef struct {
    int      on;                 /* in a window at the time asked */
    uint64_t since;              /* when it was set (us) */
    uint64_t until;              /* when it ends (us); 0 = when turned off */
    uint32_t by;                 /* the uid that set it */
    char     message[GWG_MAINT_MSG_MAX + 1]; /* sanitised, may be "" */
} gwg_maint;

/* Reads slot s's window as of now. Lock-free and allocation-free (the
 * request path). A window whose end has passed reads as off; so does a
 * slot whose words make no sense. The message is sanitised: whatever is
 * in the file, m->message is valid UTF-8 without control characters. */
void gwg_maint_get(gwg_maint *m, const gwg_slot *s, uint64_t now);

/* Whether slot s has a window set at all (ended or not): one load, so an
 * attempt on an upstream that never had one pays no clock read. */
static inline int gwg_maint_set_at_all(const gwg_slot *s)
{
    return GWG_LOAD(&s->maint_on) != 0;
}

/* Starts (or replaces) the window of slot s: now, until (0 = until
 * turned off), uid, and a message that passed gwg_maint_check_message
 * (NULL = none). */
void gwg_maint_set(gwg_slot *s, uint64_t now, uint64_t until, uint32_t uid,
                   const char *message);

/* Ends the window of slot s (if any). */
void gwg_maint_clear(gwg_slot *s);

/* Retry-After for a window: the seconds until its end, rounded up, at
 * least 1 and at most GWG_MAINT_MAX_SECONDS; -1 when it has no end. */
long gwg_maint_retry_after(const gwg_maint *m, uint64_t now);

/* Whether a message may be stored: at most GWG_MAINT_MSG_MAX bytes of
 * UTF-8 without control characters. NULL, or why not (in why). */
const char *gwg_maint_check_message(const char *msg, char *why, size_t len);

/* Copies the longest prefix of in (at most n bytes, stops at NUL) that
 * is valid UTF-8 without control characters into out (n + 1 bytes);
 * returns its length. */
size_t gwg_maint_sanitise(char *out, const char *in, size_t n);

/* --for DURATION: seconds, or a number with s, m, h or d ("90", "15m",
 * "2h", "1d"), 1 s to GWG_MAINT_MAX_SECONDS. NULL, or why not. */
const char *gwg_maint_parse_duration(uint64_t *seconds, const char *s,
                                     char *why, size_t len);

/* --until TIME: RFC 3339 ("2026-11-30T15:00:00Z", "...+01:00",
 * fractions of a second allowed) to microseconds since the epoch.
 * NULL, or why not. */
const char *gwg_maint_parse_time(uint64_t *us, const char *s, char *why,
                                 size_t len);

#endif
