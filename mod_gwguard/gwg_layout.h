/*
 * The shared-memory segment as it lies in the file (docs/shm-layout.md).
 * Module and gwguardctl both include this one header, so they cannot disagree.
 *
 *   offset 0              gwg_header          (GWG_HEADER_SIZE bytes)
 *   header.index_off      uint32_t index[index_size]
 *                           open-addressing hash of upstream keys; 0 = empty,
 *                           top bit set = a claim in progress (the low 31
 *                           bits: when it began, see GWG_INDEX_CLAIM_BIT),
 *                           else slot number + 1
 *   header.slots_off      gwg_slot slots[slot_count + 1]
 *                           the last one is the *overflow* slot
 *   header.recent_off     gwg_recent recent[recent_size]
 *   header.total_size     end of file
 *
 * No pointers are stored: every process maps the file at its own address.
 * Every field that changes while httpd serves is written and read only with
 * __atomic builtins (64-bit, lock-free on every platform Debian builds httpd
 * for), so the module, its children and gwguardctl share one primitive.
 * Times are microseconds since the Unix epoch, UTC.
 */
#ifndef GWG_LAYOUT_H
#define GWG_LAYOUT_H

#include <stdint.h>

#define GWG_MAGIC            "GWGUARD"   /* 7 chars + NUL = 8 bytes */
#define GWG_LAYOUT_VERSION   1u
#define GWG_HEADER_SIZE      512u
#define GWG_ALIGN            64u

#define GWG_KEY_MAX          320   /* scheme://[host]:port, host <= 255 */
#define GWG_WORKER_MAX       384   /* mod_proxy's PROXY_WORKER_EXT_NAME_SIZE */
#define GWG_BALANCER_MAX     128
#define GWG_CLASS_SLOTS      24    /* >= GWG_CLASS_COUNT: room to add */
#define GWG_STATUS_MIN       500   /* statuses[] counts 500..599 */
#define GWG_STATUS_SLOTS     100
#define GWG_TTFB_BUCKETS     16    /* bounds in gwg_ttfb_bounds_us[] */
#define GWG_MAINT_MSG_WORDS  7     /* a maintenance message: 56 bytes */
#define GWG_MAINT_MSG_MAX    (GWG_MAINT_MSG_WORDS * 8 - 1) /* + NUL */

/* A claim in progress is GWG_INDEX_CLAIM_BIT | (CLOCK_MONOTONIC in ms
 * modulo GWG_INDEX_CLAIM_MOD), so anyone can tell how old it is and take
 * over one whose claimer died. GWG_INDEX_CLAIMING is never written by this
 * build: it reads as a claim of unknown age, that is, a stale one. */
#define GWG_INDEX_CLAIM_BIT  0x80000000u
#define GWG_INDEX_CLAIM_MOD  0x7fffffffu
#define GWG_INDEX_CLAIMING   0xffffffffu
#define GWG_OVERFLOW_KEY     "*overflow*"

enum { GWG_SLOT_FREE = 0, GWG_SLOT_READY = 1 };
enum { GWG_BREAKER_CLOSED = 0, GWG_BREAKER_OPEN = 1,
       GWG_BREAKER_HALF_OPEN = 2 };

typedef struct {
    char     magic[8];
    uint32_t layout_version;
    uint32_t header_size;        /* GWG_HEADER_SIZE */
    uint32_t slot_size;          /* sizeof(gwg_slot) */
    uint32_t recent_entry_size;  /* sizeof(gwg_recent) */
    uint32_t slot_count;         /* named slots, overflow not included */
    uint32_t index_size;         /* power of two >= 2 * slot_count */
    uint32_t recent_size;        /* ring entries, may be 0 */
    uint32_t pad0;
    uint64_t index_off;
    uint64_t slots_off;
    uint64_t recent_off;
    uint64_t total_size;
    uint64_t created;            /* when this file was initialised */
    uint64_t started;            /* when the httpd parent last started */
    uint64_t generation;         /* +1 on every start and restart */
    uint64_t reset_time;         /* last reset, 0 = never */
    uint64_t reset_uid;          /* uid that did it */
    uint64_t slots_used;         /* allocator; may exceed slot_count */
    uint64_t overflow_noted;     /* 0 until the table first filled up */
    uint64_t recent_next;        /* next ring ticket */
    uint64_t dynamic_used;       /* slots claimed for keys taken from a
                                    request's URL (default workers) */
    uint64_t reserved[46];
} gwg_header;

typedef struct {
    uint32_t state;              /* GWG_SLOT_FREE, then GWG_SLOT_READY */
    uint32_t hash;               /* gwg_key_hash(key) */
    char     key[GWG_KEY_MAX];   /* NUL-terminated upstream origin */
    char     worker[GWG_WORKER_MAX];     /* mod_proxy worker name */
    char     balancer[GWG_BALANCER_MAX]; /* "" unless a balancer member */

    /* monotonic counters; reset exchanges them with 0 */
    uint64_t requests;           /* attempts that reached this upstream */
    uint64_t successes;
    uint64_t failures;           /* upstream failures, client_abort excluded */
    uint64_t classes[GWG_CLASS_SLOTS];
    uint64_t statuses[GWG_STATUS_SLOTS];  /* answers gwguard sent, by status */
    uint64_t ttfb_buckets[GWG_TTFB_BUCKETS]; /* non-cumulative */
    uint64_t ttfb_count;
    uint64_t ttfb_sum_us;

    /* state */
    uint64_t consecutive_failures;
    uint64_t streak_start;       /* first failure of the current streak */
    uint64_t first_failure;
    uint64_t last_failure;
    uint64_t last_success;
    uint64_t last_class;         /* gwg_class_t + 1, 0 = none */

    /* circuit breaker (docs/breaker.md) */
    uint64_t breaker_state;      /* GWG_BREAKER_* */
    uint64_t breaker_until;      /* open: when it half-opens */
    uint64_t breaker_window_start; /* for people: start of the window */
    uint64_t breaker_window_failures; /* window start in 1/100 s << 24 |
                                         failures in it (gwg_breaker.c) */
    uint64_t breaker_trial;      /* half-open: non-zero while a trial is
                                    out (its claim time, the token) */
    uint64_t breaker_opens;      /* how often it opened */
    uint64_t breaker_changed;    /* last transition */

    /* state-change log lines with hysteresis (gwg_shm_slots.c) */
    uint64_t failing;            /* 1 between "starts failing" and
                                    "recovered" */
    uint64_t consecutive_successes;
    uint64_t episode_failures;   /* failures since "starts failing" */

    /* graceful degradation (docs/degrade.md); from reserved, layout 1 */
    uint64_t breaker_cooldown;   /* open: the cooldown in force, seconds
                                    (doubles per failed trial up to
                                    max_cooldown); 0 = the base one */
    uint64_t breaker_panic;      /* a balancer member whose open breaker
                                    gwguard lets through because its
                                    balancer is in panic: since when, 0 =
                                    not */
    uint64_t panic_logged;       /* on a balancer's first member: 1 while
                                    the balancer is in panic (logged once) */
    uint64_t stale;              /* failed requests mod_cache answered with
                                    a stale copy (CacheStaleOnError) */

    /* maintenance window (docs/degrade.md, "Maintenance"); from reserved,
     * layout 1. Written by gwguardctl (gwg_maint.c), read on the request
     * path: maint_until and the message are stored before maint_on
     * (release), so a reader that sees maint_on (acquire) sees them. */
    uint64_t maint_on;           /* 0 = none, else when it was set, in
                                    seconds since the epoch, << 32 | the
                                    uid that set it */
    uint64_t maint_until;        /* when it ends by itself (us); 0 = when
                                    turned off */
    uint64_t maint_message[GWG_MAINT_MSG_WORDS]; /* NUL-padded UTF-8, one
                                    atomic word at a time; a reader
                                    sanitises what it copies */
    uint64_t reserved[1];
} __attribute__((aligned(GWG_ALIGN))) gwg_slot;

#define GWG_PATH_MAX       257   /* 256 bytes of path + NUL */
#define GWG_REQID_MAX      48
#define GWG_METHOD_MAX     16
#define GWG_DETAIL_MAX     128

/* One recent failure. seq is odd while a writer fills the entry and
 * 2 * ticket + 2 once it is complete; readers copy, re-read seq, retry. */
typedef struct {
    uint64_t seq;
    uint64_t time;
    uint32_t class_id;
    uint32_t status;             /* sent to the client, 0 if committed */
    uint32_t ah_number;          /* httpd's AHnnnnn, 0 if none seen */
    int32_t  apr_status;         /* what httpd reported, 0 if none */
    uint64_t t_connect_us;       /* timings of the failing attempt */
    uint64_t t_ttfb_us;
    uint64_t t_total_us;
    char     request_id[GWG_REQID_MAX];
    char     key[GWG_KEY_MAX];
    char     method[GWG_METHOD_MAX];
    char     path[GWG_PATH_MAX];
    char     detail[GWG_DETAIL_MAX];
    uint8_t  retryable;          /* the retry hint: GWG_RETRY_*; in the
                                    entry's tail padding, so the size and
                                    the layout version stay */
} __attribute__((aligned(GWG_ALIGN))) gwg_recent;

enum { GWG_RETRY_UNKNOWN = 0, GWG_RETRY_NO = 1, GWG_RETRY_YES = 2 };

/* Upper bounds (microseconds, inclusive) of the time-to-first-byte buckets;
 * the last bucket is +Inf. */
#define GWG_TTFB_BOUNDS_US { 1000, 2500, 5000, 10000, 25000, 50000, 100000, \
    250000, 500000, 1000000, 2500000, 5000000, 10000000, 30000000, 60000000, \
    UINT64_MAX }

_Static_assert(sizeof(gwg_header) == GWG_HEADER_SIZE, "header size");
_Static_assert(sizeof(gwg_recent) == 832, "recent entry size (layout 1)");
_Static_assert(sizeof(gwg_slot) == 2240, "slot size (layout 1)");

#endif
