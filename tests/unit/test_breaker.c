/*
 * The circuit breaker's state machine on a slot, with a clock the tests
 * choose, and from many processes at once (fork) to prove that exactly one
 * trial goes through in half-open and that no failure is lost; and the
 * parsing of GwGuardBreaker's arguments.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gwg_atomic.h"
#include "gwg_breaker.h"
#include "gwg_classify.h"
#include "gwg_conf.h"
#include "gwg_shm.h"
#include "unit.h"

#include <apr_strings.h>

#define S   1000000u            /* one second in microseconds */
#define T0  (UINT64_C(1800000000) * S)

static const gwg_breaker_conf conf3 = { 1, 3, 10, 5, 0, 0 };  /* 3 in 10 s, 5 s */

static gwg_breaker_event fail_at(gwg_slot *s, const gwg_breaker_conf *c,
                              uint64_t now)
{
    return gwg_breaker_record(s, c, 0, GWG_BREAKER_FAILURE, now);
}

/* Opens the breaker at T0 with three failures. */
static void open_at_t0(gwg_slot *s)
{
    memset(s, 0, sizeof(*s));
    ck_assert_int_eq(fail_at(s, &conf3, T0 - 2 * S), GWG_BREAKER_EV_NONE);
    ck_assert_int_eq(fail_at(s, &conf3, T0 - S), GWG_BREAKER_EV_NONE);
    ck_assert_int_eq(fail_at(s, &conf3, T0), GWG_BREAKER_EV_OPENED);
}

START_TEST(threshold_opens_inside_the_window)
{
    gwg_slot s;
    gwg_breaker_admission a;

    open_at_t0(&s);
    ck_assert_uint_eq(s.breaker_state, GWG_BREAKER_OPEN);
    ck_assert_uint_eq(s.breaker_until, T0 + 5 * S);
    ck_assert_uint_eq(s.breaker_opens, 1);
    ck_assert_uint_eq(s.breaker_changed, T0);
    gwg_breaker_admit(&a, &s, &conf3, T0 + S / 2);
    ck_assert_int_eq(a.admit, 0);
    ck_assert_uint_eq(a.retry_after, 5);        /* 4.5 s, rounded up */
    ck_assert_int_eq(a.event, GWG_BREAKER_EV_NONE);
    gwg_breaker_admit(&a, &s, &conf3, T0 + 5 * S - 1);
    ck_assert_int_eq(a.admit, 0);
    ck_assert_uint_eq(a.retry_after, 1);
}
END_TEST

START_TEST(window_runs_out)
{
    gwg_slot s;

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(fail_at(&s, &conf3, T0), GWG_BREAKER_EV_NONE);
    ck_assert_int_eq(fail_at(&s, &conf3, T0 + 9 * S), GWG_BREAKER_EV_NONE);
    ck_assert_uint_eq(gwg_breaker_window_count(&s), 2);
    /* 10 s after the first failure a new window starts */
    ck_assert_int_eq(fail_at(&s, &conf3, T0 + 10 * S), GWG_BREAKER_EV_NONE);
    ck_assert_uint_eq(gwg_breaker_window_count(&s), 1);
    ck_assert_uint_eq(s.breaker_window_start, T0 + 10 * S);
    ck_assert_int_eq(fail_at(&s, &conf3, T0 + 11 * S), GWG_BREAKER_EV_NONE);
    ck_assert_int_eq(fail_at(&s, &conf3, T0 + 19 * S), GWG_BREAKER_EV_OPENED);
}
END_TEST

START_TEST(successes_do_not_reset_the_window)
{
    gwg_slot s;
    gwg_breaker_admission a;

    memset(&s, 0, sizeof(s));
    fail_at(&s, &conf3, T0);
    ck_assert_int_eq(gwg_breaker_record(&s, &conf3, 0, GWG_BREAKER_SUCCESS,
                                        T0 + 1), GWG_BREAKER_EV_NONE);
    fail_at(&s, &conf3, T0 + 2);
    gwg_breaker_record(&s, &conf3, 0, GWG_BREAKER_NEUTRAL, T0 + 3);
    ck_assert_int_eq(fail_at(&s, &conf3, T0 + 4), GWG_BREAKER_EV_OPENED);
    gwg_breaker_admit(&a, &s, &conf3, T0 + 5);
    ck_assert_int_eq(a.admit, 0);
}
END_TEST

START_TEST(half_open_admits_one_trial_that_closes)
{
    gwg_slot s;
    gwg_breaker_admission a, b;

    open_at_t0(&s);
    gwg_breaker_admit(&a, &s, &conf3, T0 + 5 * S);
    ck_assert_int_eq(a.admit, 1);
    ck_assert_int_eq(a.event, GWG_BREAKER_EV_HALF_OPENED);
    ck_assert_uint_eq(a.trial, T0 + 5 * S);
    ck_assert_uint_eq(s.breaker_state, GWG_BREAKER_HALF_OPEN);
    gwg_breaker_admit(&b, &s, &conf3, T0 + 6 * S);
    ck_assert_int_eq(b.admit, 0);
    ck_assert_uint_eq(b.trial, 0);
    ck_assert_uint_eq(b.retry_after, 1);
    ck_assert_int_eq(b.event, GWG_BREAKER_EV_NONE);
    ck_assert_int_eq(gwg_breaker_record(&s, &conf3, a.trial,
                                        GWG_BREAKER_SUCCESS, T0 + 7 * S),
                     GWG_BREAKER_EV_CLOSED);
    ck_assert_uint_eq(s.breaker_state, GWG_BREAKER_CLOSED);
    ck_assert_uint_eq(s.breaker_trial, 0);
    ck_assert_uint_eq(gwg_breaker_window_count(&s), 0);
    gwg_breaker_admit(&b, &s, &conf3, T0 + 7 * S);
    ck_assert_int_eq(b.admit, 1);
    ck_assert_uint_eq(b.trial, 0);
    /* it takes `failures` new failures to open again */
    ck_assert_int_eq(fail_at(&s, &conf3, T0 + 8 * S), GWG_BREAKER_EV_NONE);
}
END_TEST

START_TEST(failed_trial_reopens_for_a_new_cooldown)
{
    gwg_slot s;
    gwg_breaker_admission a;

    open_at_t0(&s);
    gwg_breaker_admit(&a, &s, &conf3, T0 + 6 * S);
    ck_assert_int_eq(a.admit, 1);
    ck_assert_int_eq(gwg_breaker_record(&s, &conf3, a.trial,
                                        GWG_BREAKER_FAILURE, T0 + 8 * S),
                     GWG_BREAKER_EV_REOPENED);
    ck_assert_uint_eq(s.breaker_state, GWG_BREAKER_OPEN);
    ck_assert_uint_eq(s.breaker_until, T0 + 13 * S);
    ck_assert_uint_eq(s.breaker_opens, 2);
    ck_assert_uint_eq(s.breaker_trial, 0);
    gwg_breaker_admit(&a, &s, &conf3, T0 + 12 * S);
    ck_assert_int_eq(a.admit, 0);
    ck_assert_uint_eq(a.retry_after, 1);
    gwg_breaker_admit(&a, &s, &conf3, T0 + 13 * S);
    ck_assert_int_eq(a.admit, 1);
    ck_assert_uint_ne(a.trial, 0);
}
END_TEST

/* Backoff: 3 in 10 s open for 5 s; each failed trial doubles, up to 18. */
static const gwg_breaker_conf backoff = { 1, 3, 10, 5, 18, 0 };

/* The trial at `at` fails; returns when the breaker half-opens again. */
static uint64_t fail_trial(gwg_slot *s, const gwg_breaker_conf *c,
                           uint64_t at)
{
    gwg_breaker_admission a;

    gwg_breaker_admit(&a, s, c, at);
    ck_assert_int_eq(a.admit, 1);
    ck_assert_uint_ne(a.trial, 0);
    ck_assert_int_eq(gwg_breaker_record(s, c, a.trial, GWG_BREAKER_FAILURE,
                                        at), GWG_BREAKER_EV_REOPENED);
    return s->breaker_until;
}

START_TEST(failed_trials_double_the_cooldown_up_to_the_cap)
{
    gwg_slot s;
    gwg_breaker_admission a;
    uint64_t at;

    memset(&s, 0, sizeof(s));
    fail_at(&s, &backoff, T0 - 2 * S);
    fail_at(&s, &backoff, T0 - S);
    ck_assert_int_eq(fail_at(&s, &backoff, T0), GWG_BREAKER_EV_OPENED);
    ck_assert_uint_eq(s.breaker_until, T0 + 5 * S);     /* the base */
    ck_assert_uint_eq(gwg_breaker_cooldown_now(&s, &backoff), 5);
    at = fail_trial(&s, &backoff, T0 + 5 * S);
    ck_assert_uint_eq(at, T0 + 15 * S);                 /* 10 */
    /* Retry-After is the real time left of the doubled cooldown */
    gwg_breaker_admit(&a, &s, &backoff, T0 + 6 * S);
    ck_assert_int_eq(a.admit, 0);
    ck_assert_uint_eq(a.retry_after, 9);
    at = fail_trial(&s, &backoff, at);
    ck_assert_uint_eq(at, T0 + 33 * S);                 /* 18, not 20 */
    gwg_breaker_admit(&a, &s, &backoff, T0 + 16 * S);
    ck_assert_int_eq(a.admit, 0);                       /* inside the cap */
    ck_assert_uint_eq(a.retry_after, 17);
    at = fail_trial(&s, &backoff, at);
    ck_assert_uint_eq(at, T0 + 51 * S);                 /* stays at 18 */
    ck_assert_uint_eq(s.breaker_cooldown, 18);
    /* a success closes it and the next opening starts from the base */
    gwg_breaker_admit(&a, &s, &backoff, at);
    ck_assert_int_eq(gwg_breaker_record(&s, &backoff, a.trial,
                                        GWG_BREAKER_SUCCESS, at),
                     GWG_BREAKER_EV_CLOSED);
    ck_assert_uint_eq(s.breaker_cooldown, 0);
    fail_at(&s, &backoff, at + 1);
    fail_at(&s, &backoff, at + 2);
    ck_assert_int_eq(fail_at(&s, &backoff, at + 3), GWG_BREAKER_EV_OPENED);
    ck_assert_uint_eq(s.breaker_until, at + 3 + 5 * S);
}
END_TEST

START_TEST(no_cap_means_no_doubling_and_hostile_values_are_clamped)
{
    gwg_slot s;
    gwg_breaker_admission a;

    open_at_t0(&s);                         /* conf3: no max_cooldown */
    ck_assert_uint_eq(fail_trial(&s, &conf3, T0 + 5 * S), T0 + 10 * S);
    ck_assert_uint_eq(fail_trial(&s, &conf3, T0 + 10 * S), T0 + 15 * S);
    /* a value the configuration cannot produce is held to the cap */
    s.breaker_cooldown = UINT64_MAX;
    ck_assert_uint_eq(gwg_breaker_cooldown_now(&s, &backoff), 18);
    ck_assert_uint_eq(fail_trial(&s, &backoff, T0 + 15 * S), T0 + 33 * S);
    /* an until further ahead than the cap is a clock step: not trusted */
    s.breaker_until = T0 + 40 * S;
    gwg_breaker_admit(&a, &s, &backoff, T0 + 21 * S);
    ck_assert_int_eq(a.admit, 1);           /* 19 s > 18: elapsed */
    ck_assert_int_eq(a.event, GWG_BREAKER_EV_HALF_OPENED);
}
END_TEST

START_TEST(neutral_trial_lets_the_next_request_try)
{
    gwg_slot s;
    gwg_breaker_admission a, b;

    open_at_t0(&s);
    gwg_breaker_admit(&a, &s, &conf3, T0 + 5 * S);
    ck_assert_int_eq(gwg_breaker_record(&s, &conf3, a.trial,
                                        GWG_BREAKER_NEUTRAL, T0 + 6 * S),
                     GWG_BREAKER_EV_NONE);
    ck_assert_uint_eq(s.breaker_state, GWG_BREAKER_HALF_OPEN);
    gwg_breaker_admit(&b, &s, &conf3, T0 + 6 * S);
    ck_assert_int_eq(b.admit, 1);
    ck_assert_uint_eq(b.trial, T0 + 6 * S);
    ck_assert_int_eq(b.event, GWG_BREAKER_EV_NONE);
}
END_TEST

START_TEST(lost_trial_is_replaced_after_its_lease)
{
    gwg_slot s;
    gwg_breaker_admission a, b;
    uint64_t later;

    open_at_t0(&s);
    gwg_breaker_admit(&a, &s, &conf3, T0 + 5 * S);
    later = a.trial + GWG_BREAKER_TRIAL_LEASE_US;
    gwg_breaker_admit(&b, &s, &conf3, later - 1);
    ck_assert_int_eq(b.admit, 0);
    gwg_breaker_admit(&b, &s, &conf3, later);
    ck_assert_int_eq(b.admit, 1);
    ck_assert_int_eq(b.event, GWG_BREAKER_EV_TRIAL_LOST);
    /* the old trial reports late: it no longer holds the trial, but its
     * success still closes the breaker; the new one's report is then
     * harmless */
    ck_assert_int_eq(gwg_breaker_record(&s, &conf3, a.trial,
                                        GWG_BREAKER_SUCCESS, later + 1),
                     GWG_BREAKER_EV_CLOSED);
    ck_assert_uint_eq(s.breaker_trial, b.trial);
    ck_assert_int_eq(gwg_breaker_record(&s, &conf3, b.trial,
                                        GWG_BREAKER_FAILURE, later + 2),
                     GWG_BREAKER_EV_NONE);
    ck_assert_uint_eq(s.breaker_state, GWG_BREAKER_CLOSED);
    ck_assert_uint_eq(s.breaker_trial, 0);
}
END_TEST

START_TEST(failures_while_open_do_not_count)
{
    gwg_slot s;

    open_at_t0(&s);
    ck_assert_int_eq(fail_at(&s, &conf3, T0 + S), GWG_BREAKER_EV_NONE);
    ck_assert_uint_eq(s.breaker_opens, 1);
    ck_assert_uint_eq(s.breaker_until, T0 + 5 * S);
}
END_TEST

START_TEST(clock_stepped_back_does_not_keep_it_open)
{
    gwg_slot s;
    gwg_breaker_admission a;

    open_at_t0(&s);
    /* the clock went back an hour: until is now far more than a cooldown
     * ahead; it must not mean an hour of refusals */
    gwg_breaker_admit(&a, &s, &conf3, T0 - 3600 * S);
    ck_assert_int_eq(a.admit, 1);
    ck_assert_int_eq(a.event, GWG_BREAKER_EV_HALF_OPENED);
}
END_TEST

START_TEST(off_admits_and_ignores)
{
    gwg_slot s;
    gwg_breaker_admission a;
    gwg_breaker_conf off = conf3;

    off.enabled = 0;
    open_at_t0(&s);
    gwg_breaker_admit(&a, &s, &off, T0 + 1);
    ck_assert_int_eq(a.admit, 1);
    gwg_breaker_admit(&a, &s, NULL, T0 + 1);
    ck_assert_int_eq(a.admit, 1);
    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(fail_at(&s, &off, T0), GWG_BREAKER_EV_NONE);
    ck_assert_uint_eq(gwg_breaker_window_count(&s), 0);
    /* a trial token reported after the breaker was turned off is let go */
    s.breaker_trial = 42;
    gwg_breaker_record(&s, &off, 42, GWG_BREAKER_FAILURE, T0);
    ck_assert_uint_eq(s.breaker_trial, 0);
}
END_TEST

START_TEST(one_failure_threshold)
{
    gwg_slot s;
    gwg_breaker_conf one = { 1, 1, 1, 1, 0, 0 };

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(fail_at(&s, &one, T0), GWG_BREAKER_EV_OPENED);
}
END_TEST

START_TEST(reset_closes_it)
{
    gwg_shm shm;
    gwg_slot slots[2];
    gwg_breaker_admission a;

    memset(slots, 0, sizeof(slots));
    open_at_t0(&slots[0]);
    memset(&shm, 0, sizeof(shm));
    shm.slots = slots;
    gwg_shm_reset_slot(&shm, 0, 0);
    ck_assert_uint_eq(slots[0].breaker_state, GWG_BREAKER_OPEN);
    gwg_shm_reset_slot(&shm, 0, 1);
    gwg_breaker_admit(&a, &slots[0], &conf3, T0 + 1);
    ck_assert_int_eq(a.admit, 1);
    ck_assert_uint_eq(a.trial, 0);
    ck_assert_uint_eq(gwg_breaker_window_count(&slots[0]), 0);
    /* the history stays: how often it opened */
    ck_assert_uint_eq(slots[0].breaker_opens, 1);
}
END_TEST

START_TEST(outcomes)
{
    ck_assert_int_eq(gwg_breaker_outcome_of(GWG_CLASS_NONE, 0),
                     GWG_BREAKER_SUCCESS);
    ck_assert_int_eq(gwg_breaker_outcome_of(GWG_CLASS_CONNECT_REFUSED, 0),
                     GWG_BREAKER_FAILURE);
    ck_assert_int_eq(gwg_breaker_outcome_of(GWG_CLASS_BODY_RESET, 0),
                     GWG_BREAKER_FAILURE);
    ck_assert_int_eq(gwg_breaker_outcome_of(GWG_CLASS_OTHER, 0),
                     GWG_BREAKER_FAILURE);
    ck_assert_int_eq(gwg_breaker_outcome_of(GWG_CLASS_UNAVAILABLE, 0),
                     GWG_BREAKER_FAILURE);
    ck_assert_int_eq(gwg_breaker_outcome_of(GWG_CLASS_UPSTREAM_5XX, 0),
                     GWG_BREAKER_SUCCESS);
    ck_assert_int_eq(gwg_breaker_outcome_of(GWG_CLASS_UPSTREAM_5XX, 1),
                     GWG_BREAKER_FAILURE);
    ck_assert_int_eq(gwg_breaker_outcome_of(GWG_CLASS_CLIENT_ABORT, 1),
                     GWG_BREAKER_NEUTRAL);
    ck_assert_int_eq(gwg_breaker_outcome_of(GWG_CLASS_CIRCUIT_OPEN, 1),
                     GWG_BREAKER_NEUTRAL);
    /* a maintenance answer says nothing about the upstream's health */
    ck_assert_int_eq(gwg_breaker_outcome_of(GWG_CLASS_MAINTENANCE, 0),
                     GWG_BREAKER_NEUTRAL);
}
END_TEST

START_TEST(seconds_left)
{
    ck_assert_uint_eq(gwg_breaker_seconds_left(T0, T0), 1);
    ck_assert_uint_eq(gwg_breaker_seconds_left(T0, T0 + S), 1);
    ck_assert_uint_eq(gwg_breaker_seconds_left(T0 + 1, T0), 1);
    ck_assert_uint_eq(gwg_breaker_seconds_left(T0 + S, T0), 1);
    ck_assert_uint_eq(gwg_breaker_seconds_left(T0 + S + 1, T0), 2);
    ck_assert_uint_eq(gwg_breaker_seconds_left(T0 + 30 * S, T0), 30);
}
END_TEST

START_TEST(refused_attempts_classify_as_circuit_open)
{
    gwg_observation o;
    gwg_verdict v;

    memset(&o, 0, sizeof(o));
    o.handler_status = 503;
    o.attempts = 1;
    o.final_attempt = 1;
    gwg_classify(&v, &o);
    ck_assert_int_ne(v.cls, GWG_CLASS_CIRCUIT_OPEN);
    o.breaker_refused = 1;
    gwg_classify(&v, &o);
    ck_assert_int_eq(v.cls, GWG_CLASS_CIRCUIT_OPEN);
    ck_assert_str_eq(v.rule, "circuit_open");
    /* an earlier attempt of a failover that we refused */
    o.final_attempt = 0;
    o.attempts = 2;
    o.handler_status = 0;
    gwg_classify(&v, &o);
    ck_assert_int_eq(v.cls, GWG_CLASS_CIRCUIT_OPEN);
}
END_TEST

/* --- many processes at once ---------------------------------------- */

#define PROCS 8
#define ROUNDS 2000

typedef struct {
    gwg_slot slot;
    uint64_t go;                 /* children spin until it is 1 */
    uint64_t ready;
    uint64_t admitted;           /* trials admitted, over all children */
    uint64_t clock;              /* a shared clock, in ticks */
    uint64_t round, done, bad_rounds;
    uint64_t events[8];          /* transitions made, by event */
} shared_area;

static shared_area *shared_map(void)
{
    shared_area *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    ck_assert_ptr_ne(sh, MAP_FAILED);
    memset(sh, 0, sizeof(*sh));
    return sh;
}

static void line_up(shared_area *sh)
{
    GWG_ADD(&sh->ready, 1);
    while (!GWG_LOAD(&sh->go)) {
        /* spin: all children start together */
    }
}

static void run_children(shared_area *sh, void (*body)(shared_area *, int))
{
    pid_t pids[PROCS];
    int i, status;

    for (i = 0; i < PROCS; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0) {
            body(sh, i);
            _exit(0);
        }
    }
    while (GWG_LOAD(&sh->ready) < PROCS) {
        usleep(1000);
    }
    GWG_STORE(&sh->go, 1);
    for (i = 0; i < PROCS; i++) {
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}

/* Every child asks ROUNDS times, all after the cooldown; the trial never
 * reports back (it is still out), so exactly one may ever be admitted. */
static void ask_for_trial(shared_area *sh, int i)
{
    gwg_breaker_admission a;
    int r;

    (void)i;
    line_up(sh);
    for (r = 0; r < ROUNDS; r++) {
        gwg_breaker_admit(&a, &sh->slot, &conf3, T0 + 6 * S + (uint64_t)r);
        if (a.admit) {
            GWG_ADD(&sh->admitted, 1);
        }
        GWG_ADD(&sh->events[a.event], 1);
    }
}

START_TEST(exactly_one_trial_across_processes)
{
    shared_area *sh = shared_map();

    open_at_t0(&sh->slot);
    run_children(sh, ask_for_trial);
    ck_assert_uint_eq(sh->admitted, 1);
    ck_assert_uint_eq(sh->events[GWG_BREAKER_EV_HALF_OPENED], 1);
    ck_assert_uint_eq(sh->events[GWG_BREAKER_EV_TRIAL_LOST], 0);
    ck_assert_uint_eq(sh->slot.breaker_state, GWG_BREAKER_HALF_OPEN);
    ck_assert_uint_ne(sh->slot.breaker_trial, 0);
    munmap(sh, sizeof(*sh));
}
END_TEST

/* The same race many times over: in each round the parent re-opens the
 * breaker with its cooldown over and releases all children at once, each
 * asks once; exactly one of them may be the trial in every round. */
#define RACES 300

static void race_rounds(shared_area *sh, int i)
{
    gwg_breaker_admission a;
    uint64_t k;

    (void)i;
    line_up(sh);
    for (k = 1; k <= RACES; k++) {
        while (GWG_LOAD(&sh->round) < k) {
            sched_yield();
        }
        gwg_breaker_admit(&a, &sh->slot, &conf3, T0 + 6 * S);
        if (a.admit) {
            GWG_ADD(&sh->admitted, 1);
        }
        GWG_ADD(&sh->done, 1);
    }
}

static void race_parent(shared_area *sh)
{
    uint64_t k;

    for (k = 1; k <= RACES; k++) {
        open_at_t0(&sh->slot);
        GWG_STORE(&sh->admitted, 0);
        GWG_STORE(&sh->done, 0);
        GWG_STORE(&sh->round, k);
        while (GWG_LOAD(&sh->done) < PROCS) {
            sched_yield();
        }
        if (GWG_LOAD(&sh->admitted) != 1) {
            sh->bad_rounds++;
        }
    }
}

START_TEST(exactly_one_trial_in_every_race)
{
    shared_area *sh = shared_map();
    pid_t pids[PROCS];
    int i, status;

    for (i = 0; i < PROCS; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0) {
            race_rounds(sh, i);
            _exit(0);
        }
    }
    while (GWG_LOAD(&sh->ready) < PROCS) {
        usleep(1000);
    }
    GWG_STORE(&sh->go, 1);
    race_parent(sh);
    for (i = 0; i < PROCS; i++) {
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
    }
    ck_assert_uint_eq(sh->bad_rounds, 0);
    munmap(sh, sizeof(*sh));
}
END_TEST

/* Trials that report back at once: each admitted trial fails and re-opens
 * it, so over many cooldowns there is never more than one trial out. The
 * children share one clock that ticks 1 ms per call, so the cooldown (1 s)
 * passes every 1000 calls and no trial outlives its lease. */
static void trial_and_fail(shared_area *sh, int i)
{
    static const gwg_breaker_conf fast = { 1, 1, 10, 1, 0, 0 };
    gwg_breaker_admission a;
    uint64_t now;
    int r;

    (void)i;
    line_up(sh);
    for (r = 0; r < 2 * ROUNDS; r++) {
        now = T0 + GWG_ADD(&sh->clock, 1) * 1000u;
        gwg_breaker_admit(&a, &sh->slot, &fast, now);
        if (a.admit && a.trial) {
            if (GWG_ADD(&sh->admitted, 1) != 0) {
                _exit(3);                   /* a second trial is out */
            }
            GWG_ADD(&sh->events[7], 1);
            GWG_ADD(&sh->admitted, (uint64_t)-1);
            now = T0 + GWG_ADD(&sh->clock, 1) * 1000u;
            GWG_ADD(&sh->events[gwg_breaker_record(&sh->slot, &fast,
                                                   a.trial,
                                                   GWG_BREAKER_FAILURE,
                                                   now)], 1);
        }
    }
}

START_TEST(trials_never_overlap_across_processes)
{
    shared_area *sh = shared_map();
    static const gwg_breaker_conf fast = { 1, 1, 10, 1, 0, 0 };

    ck_assert_int_eq(fail_at(&sh->slot, &fast, T0), GWG_BREAKER_EV_OPENED);
    run_children(sh, trial_and_fail);
    ck_assert_uint_eq(sh->admitted, 0);
    ck_assert_uint_gt(sh->events[7], 0);
    /* every trial that ran re-opened the breaker, and logged it once */
    ck_assert_uint_eq(sh->events[GWG_BREAKER_EV_REOPENED], sh->events[7]);
    munmap(sh, sizeof(*sh));
}
END_TEST

/* Every child counts failures while closed: none is lost, and the one
 * that reaches the threshold (and only that one) opens it. */
static void many_failures(shared_area *sh, int i)
{
    gwg_breaker_conf c = { 1, PROCS * ROUNDS, 60, 5, 0, 0 };
    int r;

    (void)i;
    line_up(sh);
    for (r = 0; r < ROUNDS; r++) {
        GWG_ADD(&sh->events[fail_at(&sh->slot, &c, T0 + (uint64_t)r)], 1);
    }
}

START_TEST(no_failure_lost_across_processes)
{
    shared_area *sh = shared_map();

    run_children(sh, many_failures);
    ck_assert_uint_eq(sh->events[GWG_BREAKER_EV_OPENED], 1);
    ck_assert_uint_eq(sh->slot.breaker_state, GWG_BREAKER_OPEN);
    ck_assert_uint_eq(gwg_breaker_window_count(&sh->slot), PROCS * ROUNDS);
    munmap(sh, sizeof(*sh));
}
END_TEST

/* --- GwGuardBreaker ------------------------------------------------- */

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static const char *parse(gwg_breaker_conf *c, const char **origin,
                         const char *line)
{
    char *argv[8], *copy = apr_pstrdup(pool, line), *last;
    int argc = 0;
    char *tok = apr_strtok(copy, " ", &last);

    while (tok && argc < 8) {
        argv[argc++] = tok;
        tok = apr_strtok(NULL, " ", &last);
    }
    return gwg_conf_breaker(c, origin, "GwGuardBreaker", argc, argv, pool);
}

START_TEST(conf_settings)
{
    gwg_breaker_conf c;
    const char *origin = "x";

    ck_assert_ptr_null(parse(&c, &origin,
                             "failures=3 window=7 cooldown=11"));
    ck_assert_ptr_null(origin);
    ck_assert_int_eq(c.enabled, 1);
    ck_assert_uint_eq(c.failures, 3);
    ck_assert_uint_eq(c.window_s, 7);
    ck_assert_uint_eq(c.cooldown_s, 11);
    ck_assert_ptr_null(parse(&c, &origin, "Cooldown=2 FAILURES=1"));
    ck_assert_uint_eq(c.failures, 1);
    ck_assert_uint_eq(c.window_s, gwg_default.breaker_window_s);
    ck_assert_uint_eq(c.cooldown_s, 2);
    ck_assert_ptr_null(parse(&c, &origin, "off"));
    ck_assert_int_eq(c.enabled, 0);
    ck_assert_ptr_null(parse(&c, &origin, "On"));
    ck_assert_int_eq(c.enabled, 1);
    ck_assert_uint_eq(c.failures, gwg_default.breaker_failures);
    ck_assert_uint_eq(c.cooldown_s, gwg_default.breaker_cooldown_s);
}
END_TEST

START_TEST(conf_origin)
{
    gwg_breaker_conf c;
    const char *origin;

    ck_assert_ptr_null(parse(&c, &origin,
                             "HTTP://Backend.Example failures=2"));
    ck_assert_str_eq(origin, "http://backend.example:80");
    ck_assert_ptr_null(parse(&c, &origin, "https://[::1]:8443/ Off"));
    ck_assert_str_eq(origin, "https://[::1]:8443");
    ck_assert_int_eq(c.enabled, 0);
    ck_assert_str_eq(parse(&c, &origin, "http://h:1/app failures=2"),
                     "GwGuardBreaker: 'http://h:1/app' is not an upstream "
                     "origin; expected scheme://host:port with no path, "
                     "e.g. http://127.0.0.1:8080");
    ck_assert_ptr_nonnull(parse(&c, &origin, "://h:1 failures=2"));
    ck_assert_ptr_nonnull(parse(&c, &origin, "http:// failures=2"));
    ck_assert_ptr_nonnull(parse(&c, &origin, "foo://h failures=2"));
    ck_assert_str_eq(parse(&c, &origin, "http://h:1"),
                     "GwGuardBreaker: no settings given; expected "
                     "failures=N window=SEC cooldown=SEC [max_cooldown=SEC] [panic=PERCENT], "
                     "On or Off, optionally after an upstream origin such as "
                     "http://127.0.0.1:8080");
}
END_TEST

START_TEST(conf_errors)
{
    gwg_breaker_conf c;
    const char *origin;

    ck_assert_str_eq(parse(&c, &origin, "failures=0"),
                     "GwGuardBreaker: 'failures=0': failures must be a "
                     "number of failures from 1 to 1000000");
    ck_assert_str_eq(parse(&c, &origin, "window=1.5"),
                     "GwGuardBreaker: 'window=1.5': window must be seconds "
                     "from 1 to 86400");
    ck_assert_ptr_nonnull(parse(&c, &origin, "cooldown=86401"));
    ck_assert_ptr_nonnull(parse(&c, &origin, "cooldown="));
    ck_assert_ptr_nonnull(parse(&c, &origin, "cooldown=-1"));
    ck_assert_str_eq(parse(&c, &origin, "window=3 window=3"),
                     "GwGuardBreaker: 'window=3' sets window twice; give "
                     "each setting once");
    ck_assert_str_eq(parse(&c, &origin, "retries=3"),
                     "GwGuardBreaker: 'retries=3' is not a valid setting; "
                     "expected failures=N window=SEC cooldown=SEC "
                     "[max_cooldown=SEC] [panic=PERCENT], On or Off, optionally after an upstream origin such as "
                     "http://127.0.0.1:8080");
    ck_assert_ptr_nonnull(parse(&c, &origin, "failure=3"));
    ck_assert_ptr_nonnull(parse(&c, &origin, "failures"));
    ck_assert_ptr_nonnull(parse(&c, &origin, "maybe"));
    ck_assert_ptr_nonnull(parse(&c, &origin, "failures=3 Off"));
    ck_assert_str_eq(parse(&c, &origin, "Off failures=3"),
                     "GwGuardBreaker: 'Off' cannot be combined with other "
                     "settings; expected failures=N window=SEC "
                     "cooldown=SEC [max_cooldown=SEC] [panic=PERCENT], On or Off, optionally after an upstream "
                     "origin such as http://127.0.0.1:8080");
    ck_assert_ptr_nonnull(parse(&c, &origin, ""));
    ck_assert_str_eq(parse(&c, &origin, "cooldown=30 max_cooldown=10"),
                     "GwGuardBreaker: max_cooldown=10 is below "
                     "cooldown=30; the cap must be at least the cooldown");
    ck_assert_ptr_null(parse(&c, &origin, "cooldown=30 max_cooldown=600"));
    ck_assert_uint_eq(c.max_cooldown_s, 600);
    ck_assert_ptr_null(parse(&c, &origin, "cooldown=30"));
    ck_assert_uint_eq(c.max_cooldown_s, 0);
    ck_assert_uint_eq(c.panic_pct, gwg_default.breaker_panic_pct);
    ck_assert_ptr_null(parse(&c, &origin, "panic=0"));
    ck_assert_uint_eq(c.panic_pct, 0);
    ck_assert_str_eq(parse(&c, &origin, "panic=101"),
                     "GwGuardBreaker: 'panic=101': panic must be a "
                     "percentage from 0 to 100");
}
END_TEST

START_TEST(panic_share)
{
    ck_assert(!gwg_breaker_panic(2, 4, 50));     /* 50 %: not more */
    ck_assert(gwg_breaker_panic(3, 4, 50));
    ck_assert(gwg_breaker_panic(1, 4, 20));
    ck_assert(!gwg_breaker_panic(4, 4, 100));    /* never more than all */
    ck_assert(!gwg_breaker_panic(4, 4, 0));      /* 0: never */
    ck_assert(!gwg_breaker_panic(0, 0, 50));
    ck_assert(gwg_breaker_panic(UINT32_MAX, UINT32_MAX, 99));
}
END_TEST

Suite *breaker_suite(void)
{
    Suite *s = suite_create("breaker");
    TCase *tc = tcase_create("state");
    TCase *mp = tcase_create("processes");
    TCase *cf = tcase_create("conf");

    tcase_add_test(tc, threshold_opens_inside_the_window);
    tcase_add_test(tc, window_runs_out);
    tcase_add_test(tc, successes_do_not_reset_the_window);
    tcase_add_test(tc, half_open_admits_one_trial_that_closes);
    tcase_add_test(tc, failed_trial_reopens_for_a_new_cooldown);
    tcase_add_test(tc, failed_trials_double_the_cooldown_up_to_the_cap);
    tcase_add_test(tc, no_cap_means_no_doubling_and_hostile_values_are_clamped);
    tcase_add_test(tc, neutral_trial_lets_the_next_request_try);
    tcase_add_test(tc, lost_trial_is_replaced_after_its_lease);
    tcase_add_test(tc, failures_while_open_do_not_count);
    tcase_add_test(tc, clock_stepped_back_does_not_keep_it_open);
    tcase_add_test(tc, off_admits_and_ignores);
    tcase_add_test(tc, one_failure_threshold);
    tcase_add_test(tc, reset_closes_it);
    tcase_add_test(tc, outcomes);
    tcase_add_test(tc, seconds_left);
    tcase_add_test(tc, refused_attempts_classify_as_circuit_open);
    suite_add_tcase(s, tc);
    tcase_add_test(mp, exactly_one_trial_across_processes);
    tcase_add_test(mp, exactly_one_trial_in_every_race);
    tcase_add_test(mp, trials_never_overlap_across_processes);
    tcase_add_test(mp, no_failure_lost_across_processes);
    tcase_set_timeout(mp, 60);
    suite_add_tcase(s, mp);
    tcase_add_checked_fixture(cf, setup, teardown);
    tcase_add_test(cf, conf_settings);
    tcase_add_test(cf, conf_origin);
    tcase_add_test(cf, conf_errors);
    tcase_add_test(cf, panic_share);
    suite_add_tcase(s, cf);
    return s;
}
