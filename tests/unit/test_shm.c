/*
 * The shared segment: creation, validation of hostile files, lock-free
 * claims and counts from many processes, overflow, reset, the ring.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gwg_atomic.h"
#include "gwg_shm.h"
#include "gwg_time.h"
#include "unit.h"

static char dir[64], path[128];

static void setup(void)
{
    strcpy(dir, "/tmp/gwg-unit-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/gwguard.shm", dir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
}

static void create(gwg_shm *shm, uint32_t slots, uint32_t recent)
{
    char why[GWG_ERRMAX];
    int fresh = -1;

    ck_assert_int_eq(gwg_shm_attach_or_create(shm, path, slots, recent,
                                              &fresh, why, sizeof(why)),
                     APR_SUCCESS);
    ck_assert_int_eq(fresh, 1);
}

static gwg_outcome outcome(gwg_class_t cls, int status)
{
    gwg_outcome o = { cls, status, gwg_now_us(), -1 };
    return o;
}

START_TEST(fresh_file_is_valid_and_private)
{
    gwg_shm shm;
    struct stat st;
    char why[GWG_ERRMAX];

    create(&shm, 64, 8);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_uint_eq((uint64_t)st.st_size, shm.hdr->total_size);
    ck_assert_uint_eq(shm.hdr->slot_count, 64);
    ck_assert_uint_eq(shm.hdr->index_size, 128);
    ck_assert_uint_eq(shm.hdr->recent_size, 8);
    ck_assert_str_eq(shm.slots[64].key, GWG_OVERFLOW_KEY);
    ck_assert_int_eq(gwg_shm_validate(shm.base, shm.size, why, sizeof(why)),
                     APR_SUCCESS);
    ck_assert_int_eq(gwg_shm_used(&shm), 0);
    gwg_shm_close(&shm);
}
END_TEST

START_TEST(reuse_keeps_counters_and_new_size_replaces)
{
    gwg_shm shm;
    gwg_transition t;
    gwg_outcome o = outcome(GWG_CLASS_NONE, 0);
    char why[GWG_ERRMAX];
    int fresh = -1, of;
    uint32_t s;

    create(&shm, 32, 4);
    s = gwg_shm_slot_for(&shm, "http://a:1", "w", "", &of);
    gwg_shm_record(&shm, s, &o, &t);
    gwg_shm_close(&shm);

    ck_assert_int_eq(gwg_shm_attach_or_create(&shm, path, 32, 4, &fresh, why,
                                              sizeof(why)), APR_SUCCESS);
    ck_assert_int_eq(fresh, 0);
    ck_assert_int_eq(gwg_shm_find(&shm, "http://a:1"), (long)s);
    ck_assert_uint_eq(shm.slots[s].requests, 1);
    gwg_shm_close(&shm);

    ck_assert_int_eq(gwg_shm_attach_or_create(&shm, path, 64, 4, &fresh, why,
                                              sizeof(why)), APR_SUCCESS);
    ck_assert_int_eq(fresh, 1);
    ck_assert_ptr_nonnull(strstr(why, "made for 32 upstreams"));
    ck_assert_int_eq(gwg_shm_find(&shm, "http://a:1"), -1);
    gwg_shm_close(&shm);
}
END_TEST

/* Corrupts the file with fn, then expects open to refuse with reason and
 * attach_or_create to replace it. */
static void expect_refused(void (*fn)(int fd, gwg_shm *shm),
                           const char *reason)
{
    gwg_shm shm;
    char err[GWG_ERRMAX * 2];
    int fd, fresh = -1;

    create(&shm, 16, 2);
    fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    fn(fd, &shm);
    close(fd);
    gwg_shm_close(&shm);
    ck_assert_int_ne(gwg_shm_open(&shm, path, 0, err, sizeof(err)),
                     APR_SUCCESS);
    ck_assert_msg(strstr(err, reason) != NULL, "'%s' lacks '%s'", err,
                  reason);
    ck_assert_ptr_nonnull(strstr(err, "refusing"));
    ck_assert_int_eq(gwg_shm_attach_or_create(&shm, path, 16, 2, &fresh, err,
                                              sizeof(err)), APR_SUCCESS);
    ck_assert_int_eq(fresh, 1);
    ck_assert_msg(strstr(err, reason) != NULL, "'%s' lacks '%s'", err,
                  reason);
    gwg_shm_close(&shm);
}

static void bad_magic(int fd, gwg_shm *shm)
{
    (void)fd;
    memcpy(shm->hdr->magic, "NOTGWG!", 8);
}

static void bad_version(int fd, gwg_shm *shm)
{
    (void)fd;
    shm->hdr->layout_version = GWG_LAYOUT_VERSION + 1;
}

static void grown(int fd, gwg_shm *shm)
{
    ck_assert_int_eq(ftruncate(fd, (off_t)shm->size + 4096), 0);
}

static void truncated(int fd, gwg_shm *shm)
{
    (void)shm;
    ck_assert_int_eq(ftruncate(fd, 100), 0);
}

static void cut_short(int fd, gwg_shm *shm)
{
    ck_assert_int_eq(ftruncate(fd, (off_t)shm->size - 64), 0);
}

static void garbage_name(int fd, gwg_shm *shm)
{
    int of;
    uint32_t s = gwg_shm_slot_for(shm, "http://a:1", "", "", &of);

    (void)fd;
    memset(shm->slots[s].key, 0xff, sizeof(shm->slots[s].key));
}

static void wild_index(int fd, gwg_shm *shm)
{
    (void)fd;
    shm->index[3] = 9999;
}

START_TEST(refuses_wrong_magic)   { expect_refused(bad_magic, "wrong magic"); }
END_TEST
START_TEST(refuses_wrong_version) { expect_refused(bad_version,
                                                   "layout version"); }
END_TEST
START_TEST(refuses_wrong_size)    { expect_refused(grown, "size"); }
END_TEST
START_TEST(refuses_truncated)     { expect_refused(truncated, "truncated"); }
END_TEST
START_TEST(refuses_cut_short)     { expect_refused(cut_short, "size"); }
END_TEST
START_TEST(refuses_garbage_name)  { expect_refused(garbage_name,
                                                   "garbage name"); }
END_TEST
START_TEST(refuses_wild_index)    { expect_refused(wild_index,
                                                   "points at bad slot"); }
END_TEST

START_TEST(refuses_missing_and_empty)
{
    gwg_shm shm;
    char err[GWG_ERRMAX * 2];
    int fd;

    ck_assert_int_ne(gwg_shm_open(&shm, path, 0, err, sizeof(err)),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(strstr(err, "no such file"));
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    close(fd);
    ck_assert_int_ne(gwg_shm_open(&shm, path, 0, err, sizeof(err)),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(strstr(err, "truncated"));
}
END_TEST

#define PROCS 8
#define ROUNDS 20000
#define KEYS 40

/* Every process claims the same KEYS keys in a different order and counts
 * ROUNDS outcomes spread over them: totals must be exact and every key
 * must have exactly one slot. */
START_TEST(concurrent_claims_and_counts_are_exact)
{
    gwg_shm shm;
    uint64_t requests = 0, failures = 0, refused = 0;
    int p, k, status;
    char key[64];

    create(&shm, 64, 0);
    for (p = 0; p < PROCS; p++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            int r, of;
            for (r = 0; r < ROUNDS; r++) {
                gwg_transition t;
                gwg_outcome o = outcome(r % 3 ? GWG_CLASS_NONE
                                        : GWG_CLASS_CONNECT_REFUSED, 0);
                snprintf(key, sizeof(key), "http://10.0.0.%d:80",
                         (r * 7 + p * 13) % KEYS);
                gwg_shm_record(&shm, gwg_shm_slot_for(&shm, key, "", "", &of),
                               &o, &t);
            }
            _exit(0);
        }
    }
    for (p = 0; p < PROCS; p++) {
        ck_assert_int_gt(wait(&status), 0);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    ck_assert_uint_eq(gwg_shm_used(&shm), KEYS);
    for (k = 0; k < KEYS; k++) {
        long s;
        snprintf(key, sizeof(key), "http://10.0.0.%d:80", k);
        s = gwg_shm_find(&shm, key);
        ck_assert_int_ge(s, 0);
        requests += shm.slots[s].requests;
        failures += shm.slots[s].failures;
        refused += shm.slots[s].classes[GWG_CLASS_CONNECT_REFUSED];
        ck_assert_uint_eq(shm.slots[s].requests,
                          shm.slots[s].successes + shm.slots[s].failures);
    }
    ck_assert_uint_eq(requests, (uint64_t)PROCS * ROUNDS);
    ck_assert_uint_eq(failures, (uint64_t)PROCS * ((ROUNDS + 2) / 3));
    ck_assert_uint_eq(refused, failures);
    gwg_shm_close(&shm);
}
END_TEST

START_TEST(overflow_slot_when_full)
{
    gwg_shm shm;
    gwg_transition t;
    gwg_outcome o = outcome(GWG_CLASS_NONE, 0);
    int i, of, firsts = 0;
    char key[64];
    uint32_t s;

    create(&shm, 16, 0);
    for (i = 0; i < 20; i++) {
        snprintf(key, sizeof(key), "http://h%d:80", i);
        s = gwg_shm_slot_for(&shm, key, "", "", &of);
        firsts += of;
        ck_assert_uint_eq(s, i < 16 ? (uint32_t)i
                                    : gwg_shm_overflow_slot(&shm));
        gwg_shm_record(&shm, s, &o, &t);
    }
    /* known keys still find their own slot once the table is full */
    s = gwg_shm_slot_for(&shm, "http://h3:80", "", "", &of);
    ck_assert_uint_eq(s, 3);
    ck_assert_int_eq(of, 0);
    ck_assert_int_eq(firsts, 1);
    ck_assert_uint_eq(gwg_shm_used(&shm), 16);
    ck_assert_uint_eq(shm.slots[gwg_shm_overflow_slot(&shm)].requests, 4);
    ck_assert_int_eq(gwg_shm_find(&shm, GWG_OVERFLOW_KEY), 16);
    ck_assert_int_eq(gwg_shm_find(&shm, "http://h19:80"), -1);
    gwg_shm_close(&shm);
}
END_TEST

START_TEST(record_transitions_statuses_and_latency)
{
    gwg_shm shm;
    gwg_transition t;
    gwg_outcome o;
    gwg_slot *sl;
    int of;
    uint32_t s;

    create(&shm, 16, 0);
    s = gwg_shm_slot_for(&shm, "http://a:1", "w", "balancer://c", &of);
    sl = &shm.slots[s];
    ck_assert_str_eq(sl->balancer, "balancer://c");
    o = outcome(GWG_CLASS_CONNECT_REFUSED, 503);
    gwg_shm_record(&shm, s, &o, &t);
    ck_assert(t.started_failing && !t.recovered);
    gwg_shm_record(&shm, s, &o, &t);
    ck_assert(!t.started_failing && !t.recovered);
    o = outcome(GWG_CLASS_CLIENT_ABORT, 0);
    gwg_shm_record(&shm, s, &o, &t);
    ck_assert_uint_eq(sl->consecutive_failures, 2);   /* abort: no change */
    o = outcome(GWG_CLASS_NONE, 0);
    o.ttfb_us = 3000;
    /* the first success after a quiet period ends the episode */
    o.now = sl->last_failure + GWG_RECOVER_QUIET_US;
    gwg_shm_record(&shm, s, &o, &t);
    ck_assert(t.recovered);
    ck_assert_uint_eq(t.streak_failures, 2);
    ck_assert_uint_eq(sl->requests, 4);
    ck_assert_uint_eq(sl->failures, 2);
    ck_assert_uint_eq(sl->successes, 1);
    ck_assert_uint_eq(sl->classes[GWG_CLASS_CLIENT_ABORT], 1);
    ck_assert_uint_eq(sl->statuses[503 - GWG_STATUS_MIN], 2);
    ck_assert_uint_eq(sl->consecutive_failures, 0);
    ck_assert_uint_eq(sl->last_class, GWG_CLASS_CONNECT_REFUSED + 1);
    ck_assert_uint_eq(sl->ttfb_buckets[gwg_ttfb_bucket(3000)], 1);
    ck_assert_uint_eq(gwg_ttfb_bucket(3000), 2);
    ck_assert_uint_eq(gwg_ttfb_bucket(UINT64_MAX), GWG_TTFB_BUCKETS - 1);
    ck_assert_uint_eq(sl->ttfb_sum_us, 3000);
    /* statuses: both ends of 500..599 count, nothing outside it does */
    {
        static const int st[] = { 500, 599, 499, 600, 0 };
        uint64_t sum = 0;
        size_t i;

        for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
            o = outcome(GWG_CLASS_OTHER, st[i]);
            gwg_shm_record(&shm, s, &o, &t);
        }
        ck_assert_uint_eq(sl->statuses[0], 1);
        ck_assert_uint_eq(sl->statuses[GWG_STATUS_SLOTS - 1], 1);
        for (i = 0; i < GWG_STATUS_SLOTS; i++) {
            sum += sl->statuses[i];
        }
        ck_assert_uint_eq(sum, 2 + 2);          /* with the two 503s */
    }
    gwg_shm_close(&shm);
}
END_TEST

/* Keys from request URLs (default workers) take at most a quarter of the
 * table; known ones keep their slot; the rest go to *overflow*. */
START_TEST(dynamic_keys_have_a_budget)
{
    gwg_shm shm;
    char key[64];
    int of, i, overflowed = 0, noted = 0;
    uint32_t s, first;

    create(&shm, 64, 0);
    ck_assert_uint_eq(gwg_shm_dynamic_budget(&shm), 16);
    first = gwg_shm_slot_for_dynamic(&shm, "http://c0:80", "proxy:reverse",
                                     &of);
    for (i = 0; i < 40; i++) {
        snprintf(key, sizeof(key), "http://c%d:80", i);
        s = gwg_shm_slot_for_dynamic(&shm, key, "proxy:reverse", &of);
        overflowed += s == gwg_shm_overflow_slot(&shm);
        noted += of;
    }
    ck_assert_int_eq(overflowed, 40 - 16);
    ck_assert_int_eq(noted, 1);
    /* a key that has its slot keeps it */
    ck_assert_uint_eq(gwg_shm_slot_for_dynamic(&shm, "http://c0:80", "", &of),
                      first);
    /* declared workers still get slots of their own */
    s = gwg_shm_slot_for(&shm, "http://declared:80", "w", "", &of);
    ck_assert_uint_ne(s, gwg_shm_overflow_slot(&shm));
    ck_assert_uint_eq(gwg_shm_used(&shm), 17);
    gwg_shm_close(&shm);
}
END_TEST

/* Alternating failures and successes: one "starts failing", no
 * "recovered" until a run of successes; then each once. */
START_TEST(flapping_is_reported_once)
{
    gwg_shm shm;
    gwg_transition t;
    gwg_outcome o;
    int of, i, started = 0, recovered = 0;
    uint32_t s;

    create(&shm, 16, 0);
    s = gwg_shm_slot_for(&shm, "http://flap:1", "w", "", &of);
    for (i = 0; i <= 100; i++) {           /* ends with a failure */
        o = outcome(i % 2 ? GWG_CLASS_NONE : GWG_CLASS_UPSTREAM_5XX,
                    i % 2 ? 0 : 500);
        gwg_shm_record(&shm, s, &o, &t);
        started += t.started_failing;
        recovered += t.recovered;
    }
    ck_assert_int_eq(started, 1);
    ck_assert_int_eq(recovered, 0);
    for (i = 0; i < GWG_RECOVER_SUCCESSES; i++) {
        o = outcome(GWG_CLASS_NONE, 0);
        gwg_shm_record(&shm, s, &o, &t);
        int last = i == GWG_RECOVER_SUCCESSES - 1;
        ck_assert_int_eq(t.recovered, last);
    }
    ck_assert_uint_eq(t.streak_failures, 51);
    o = outcome(GWG_CLASS_NONE, 0);
    gwg_shm_record(&shm, s, &o, &t);
    ck_assert(!t.recovered && !t.started_failing);
    o = outcome(GWG_CLASS_CIRCUIT_OPEN, 503);
    gwg_shm_record(&shm, s, &o, &t);
    /* gwguard's own refusal: not an attempt, not a failure */
    ck_assert(!t.started_failing);
    ck_assert_uint_eq(shm.slots[s].requests, 101 + GWG_RECOVER_SUCCESSES + 1);
    ck_assert_uint_eq(shm.slots[s].failures, 51);
    ck_assert_uint_eq(shm.slots[s].classes[GWG_CLASS_CIRCUIT_OPEN], 1);
    gwg_shm_close(&shm);
}
END_TEST

/* Writers count while the parent resets: every increment a writer made
 * after it saw the reset recorded must survive. */
START_TEST(reset_under_load_loses_nothing_after_it)
{
    gwg_shm shm;
    int p, of, status, pipes[PROCS][2];
    uint64_t after = 0, total = 0;
    uint32_t s;

    create(&shm, 16, 0);
    s = gwg_shm_slot_for(&shm, "http://a:1", "", "", &of);
    for (p = 0; p < PROCS; p++) {
        ck_assert_int_eq(pipe(pipes[p]), 0);
        if (fork() == 0) {
            uint64_t mine = 0;
            int r;
            for (r = 0; r < ROUNDS; r++) {
                gwg_transition t;
                gwg_outcome o = outcome(GWG_CLASS_NONE, 0);
                int seen = GWG_LOAD(&shm.hdr->reset_time) != 0;
                gwg_shm_record(&shm, s, &o, &t);
                mine += seen;
            }
            ck_assert_int_eq(write(pipes[p][1], &mine, sizeof(mine)),
                             sizeof(mine));
            _exit(0);
        }
    }
    while (GWG_LOAD(&shm.slots[s].requests) < ROUNDS) {
        ;
    }
    gwg_shm_reset_slot(&shm, s, 1);
    gwg_shm_note_reset(&shm, gwg_now_us(), 0);
    for (p = 0; p < PROCS; p++) {
        uint64_t mine;
        ck_assert_int_gt(wait(&status), 0);
        ck_assert_int_eq(read(pipes[p][0], &mine, sizeof(mine)),
                         sizeof(mine));
        after += mine;
        total += ROUNDS;
    }
    ck_assert_uint_ge(shm.slots[s].requests, after);
    ck_assert_uint_lt(shm.slots[s].requests, total);
    /* Counters are exchanged one by one, so a request in flight during
     * the reset can land in one counter and not the other: at most one
     * such request per writer. */
    ck_assert_uint_le(shm.slots[s].requests, shm.slots[s].successes + PROCS);
    ck_assert_uint_le(shm.slots[s].successes, shm.slots[s].requests + PROCS);
    ck_assert_uint_ne(shm.hdr->reset_time, 0);
    gwg_shm_close(&shm);
}
END_TEST

START_TEST(reset_zeroes_and_keeps_the_key)
{
    gwg_shm shm;
    gwg_transition t;
    gwg_outcome o = outcome(GWG_CLASS_DNS, 502);
    int of;
    uint32_t s;

    create(&shm, 16, 0);
    s = gwg_shm_slot_for(&shm, "http://a:1", "", "", &of);
    gwg_shm_record(&shm, s, &o, &t);
    shm.slots[s].breaker_state = GWG_BREAKER_OPEN;
    gwg_shm_reset_slot(&shm, s, 0);
    ck_assert_uint_eq(shm.slots[s].requests, 0);
    ck_assert_uint_eq(shm.slots[s].classes[GWG_CLASS_DNS], 0);
    ck_assert_uint_eq(shm.slots[s].statuses[2], 0);
    ck_assert_uint_eq(shm.slots[s].last_failure, 0);
    ck_assert_uint_eq(shm.slots[s].breaker_state, GWG_BREAKER_OPEN);
    gwg_shm_reset_slot(&shm, s, 1);
    ck_assert_uint_eq(shm.slots[s].breaker_state, GWG_BREAKER_CLOSED);
    ck_assert_int_eq(gwg_shm_find(&shm, "http://a:1"), (long)s);
    gwg_shm_close(&shm);
}
END_TEST

START_TEST(recent_ring_newest_first_and_wraps)
{
    gwg_shm shm;
    gwg_recent e, out;
    int i;

    create(&shm, 16, 4);
    ck_assert_int_eq(gwg_shm_recent_get(&shm, 0, &out), -1);
    memset(&e, 0, sizeof(e));
    for (i = 0; i < 6; i++) {
        snprintf(e.request_id, sizeof(e.request_id), "req-%d", i);
        e.class_id = (uint32_t)i;
        gwg_shm_recent_add(&shm, &e);
    }
    ck_assert_int_eq(gwg_shm_recent_get(&shm, 0, &out), 0);
    ck_assert_str_eq(out.request_id, "req-5");
    ck_assert_int_eq(gwg_shm_recent_get(&shm, 3, &out), 0);
    ck_assert_str_eq(out.request_id, "req-2");
    ck_assert_int_eq(gwg_shm_recent_get(&shm, 4, &out), -1);
    gwg_shm_close(&shm);
}
END_TEST

/* An entry written in place is invisible until published, and a writer
 * that finds its entry being written drops its own. */
START_TEST(recent_claim_in_place)
{
    gwg_shm shm;
    gwg_recent out, *e, *held;
    uint64_t ticket, t1, t2;

    create(&shm, 16, 2);
    e = gwg_shm_recent_claim(&shm, &ticket);
    ck_assert_ptr_nonnull(e);
    snprintf(e->request_id, sizeof(e->request_id), "in-place");
    ck_assert_int_eq(gwg_shm_recent_get(&shm, 0, &out), -1);
    gwg_shm_recent_publish(e, ticket);
    ck_assert_int_eq(gwg_shm_recent_get(&shm, 0, &out), 0);
    ck_assert_str_eq(out.request_id, "in-place");
    /* ticket 1 holds the other entry; ticket 3 wants it too: dropped */
    held = gwg_shm_recent_claim(&shm, &t1);
    ck_assert_ptr_nonnull(held);
    e = gwg_shm_recent_claim(&shm, &t2);
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_null(gwg_shm_recent_claim(&shm, &ticket));
    ck_assert_uint_eq(ticket, 3);
    gwg_shm_recent_publish(e, t2);
    gwg_shm_recent_publish(held, t1);
    ck_assert_int_eq(gwg_shm_recent_get(&shm, 1, &out), 0);
    ck_assert_int_eq(gwg_shm_recent_get(&shm, 0, &out), -1);
    gwg_shm_close(&shm);
}
END_TEST

Suite *shm_suite(void)
{
    Suite *s = suite_create("shm");
    TCase *file = tcase_create("file");
    TCase *slots = tcase_create("slots");

    tcase_add_checked_fixture(file, setup, teardown);
    tcase_add_test(file, fresh_file_is_valid_and_private);
    tcase_add_test(file, reuse_keeps_counters_and_new_size_replaces);
    tcase_add_test(file, refuses_wrong_magic);
    tcase_add_test(file, refuses_wrong_version);
    tcase_add_test(file, refuses_wrong_size);
    tcase_add_test(file, refuses_truncated);
    tcase_add_test(file, refuses_cut_short);
    tcase_add_test(file, refuses_garbage_name);
    tcase_add_test(file, refuses_wild_index);
    tcase_add_test(file, refuses_missing_and_empty);
    suite_add_tcase(s, file);

    tcase_add_checked_fixture(slots, setup, teardown);
    tcase_set_timeout(slots, 60);
    tcase_add_test(slots, concurrent_claims_and_counts_are_exact);
    tcase_add_test(slots, overflow_slot_when_full);
    tcase_add_test(slots, record_transitions_statuses_and_latency);
    tcase_add_test(slots, flapping_is_reported_once);
    tcase_add_test(slots, dynamic_keys_have_a_budget);
    tcase_add_test(slots, reset_under_load_loses_nothing_after_it);
    tcase_add_test(slots, reset_zeroes_and_keeps_the_key);
    tcase_add_test(slots, recent_ring_newest_first_and_wraps);
    tcase_add_test(slots, recent_claim_in_place);
    suite_add_tcase(s, slots);
    return s;
}
