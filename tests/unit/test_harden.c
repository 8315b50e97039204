/*
 * The segment against a hostile or busy file (issue 11): geometry changed
 * under a mapping, owner/mode/type of the file, validation during claims,
 * claimers killed mid-claim, ring writers sharing one entry. Each test
 * reproduces a failure of the code before the fix.
 */
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <apr_pools.h>

#include "gwg_atomic.h"
#include "gwg_shm.h"
#include "gwg_snapshot.h"
#include "gwg_time.h"
#include "unit.h"

static char dir[64], path[128], other[160];

static void setup(void)
{
    strcpy(dir, "/tmp/gwg-harden-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/gwguard.shm", dir);
    snprintf(other, sizeof(other), "%s/elsewhere.shm", dir);
}

static void teardown(void)
{
    unlink(path);
    unlink(other);
    rmdir(dir);
}

static void create_at(gwg_shm *shm, const char *where, uint32_t slots,
                      uint32_t recent)
{
    char why[GWG_ERRMAX];
    int fresh = -1;

    ck_assert_int_eq(gwg_shm_attach_or_create(shm, where, slots, recent,
                                              &fresh, why, sizeof(why)),
                     APR_SUCCESS);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- item 3: geometry is read once, at map time ---- */

/* Someone with write access grows every size field of a mapped segment;
 * lookups, claims, the ring and a snapshot must stay inside the mapping
 * (before the fix: SIGSEGV, or a write at an offset chosen by the file). */
START_TEST(geometry_changed_under_a_mapping_is_ignored)
{
    gwg_shm shm, ctl;
    gwg_recent e, out;
    gwg_snapshot *snap;
    const char *missing;
    char err[GWG_ERRMAX * 2];
    apr_pool_t *p;
    int of, i;
    uint32_t s;

    create_at(&shm, path, 16, 4);
    s = gwg_shm_slot_for(&shm, "http://a:1", "", "", &of);
    ck_assert_int_eq(gwg_shm_open(&ctl, path, 0, err, sizeof(err)),
                     APR_SUCCESS);
    /* hostile sizes: far past the end of the file */
    shm.hdr->index_size = 1u << 30;
    shm.hdr->slot_count = 1u << 30;
    shm.hdr->recent_size = 1u << 30;
    shm.hdr->recent_next = (1ull << 40) + 12345;
    for (i = 0; i < 40; i++) {
        char key[64];
        snprintf(key, sizeof(key), "http://h%d:%d", i, 1000 + i);
        ck_assert_uint_le(gwg_shm_slot_for(&shm, key, "", "", &of), 16);
    }
    ck_assert_uint_eq(gwg_shm_slot_for(&shm, "http://a:1", "", "", &of), s);
    memset(&e, 0, sizeof(e));
    memcpy(e.path, "/x", 3);
    for (i = 0; i < 8; i++) {
        gwg_shm_recent_add(&shm, &e);
    }
    ck_assert_int_eq(gwg_shm_recent_get(&ctl, 0, &out), 0);
    ck_assert_str_eq(out.path, "/x");
    ck_assert_int_eq(gwg_shm_find(&ctl, "http://a:1"), (long)s);
    apr_pool_create(&p, NULL);
    ck_assert_int_eq(gwg_snapshot_take(&snap, &missing, &ctl, path, NULL, 0,
                                       p), APR_SUCCESS);
    ck_assert_uint_eq(snap->slot_count, 16);
    ck_assert_int_le(snap->nupstreams, 17);
    apr_pool_destroy(p);
    gwg_shm_close(&ctl);
    gwg_shm_close(&shm);
}
END_TEST

/* ---- item 4: who may own the file ---- */

static uid_t nobody_uid(void)
{
    struct passwd *pw = getpwnam("nobody");

    return pw ? pw->pw_uid : 65534;
}

/* httpd replaces, gwguardctl refuses: a file of another owner, one that
 * group or others may write, a symbolic link, a FIFO. */
START_TEST(untrusted_files_are_refused_and_replaced)
{
    gwg_shm shm;
    char err[GWG_ERRMAX * 2];
    struct stat st;
    int fresh = -1;

    if (geteuid() != 0) {
        return;             /* chown needs root; make check runs as root */
    }
    /* a valid file owned by nobody, 0644 */
    create_at(&shm, path, 16, 2);
    gwg_shm_close(&shm);
    ck_assert_int_eq(chown(path, nobody_uid(), nobody_uid()), 0);
    ck_assert_int_eq(chmod(path, 0644), 0);
    ck_assert_int_ne(gwg_shm_open(&shm, path, 0, err, sizeof(err)),
                     APR_SUCCESS);
    ck_assert_msg(strstr(err, "owned by uid") != NULL, "%s", err);
    ck_assert_int_eq(gwg_shm_attach_or_create(&shm, path, 16, 2, &fresh, err,
                                              sizeof(err)), APR_SUCCESS);
    ck_assert_int_ne(fresh, 0);
    gwg_shm_close(&shm);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_uid, 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);

    /* writable by the group */
    ck_assert_int_eq(chmod(path, 0660), 0);
    ck_assert_int_ne(gwg_shm_open(&shm, path, 0, err, sizeof(err)),
                     APR_SUCCESS);
    ck_assert_msg(strstr(err, "group or others") != NULL, "%s", err);

    /* a symbolic link to a valid segment */
    ck_assert_int_eq(chmod(path, 0600), 0);
    ck_assert_int_eq(rename(path, other), 0);
    ck_assert_int_eq(symlink(other, path), 0);
    ck_assert_int_ne(gwg_shm_open(&shm, path, 0, err, sizeof(err)),
                     APR_SUCCESS);
    ck_assert_msg(strstr(err, "symbolic link") != NULL, "%s", err);
    ck_assert_int_eq(gwg_shm_attach_or_create(&shm, path, 16, 2, &fresh, err,
                                              sizeof(err)), APR_SUCCESS);
    ck_assert_int_ne(fresh, 0);
    gwg_shm_close(&shm);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));

    /* a FIFO: refused without blocking on it */
    unlink(path);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ck_assert_int_ne(gwg_shm_open(&shm, path, 0, err, sizeof(err)),
                     APR_SUCCESS);
    ck_assert_msg(strstr(err, "regular file") != NULL, "%s", err);
}
END_TEST

/* ---- item 5: a segment being written to still validates ---- */

/* A child claims slot after slot; meanwhile every validation and every
 * re-attach (what a graceful restart does) must accept the file. Before
 * the fix most of them failed and a restart replaced the segment. */
START_TEST(validation_accepts_claims_in_progress)
{
    gwg_shm shm, again;
    char why[GWG_ERRMAX];
    pid_t pid;
    int fresh, status, during = 0, bad = 0, i;

    create_at(&shm, path, GWG_SLOTS_MAX, 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char key[64];
        int of;
        for (i = 0; i < GWG_SLOTS_MAX; i++) {
            snprintf(key, sizeof(key), "http://claim%d:%d", i, 1 + i % 60000);
            gwg_shm_slot_for(&shm, key, "w", "", &of);
        }
        _exit(0);
    }
    for (i = 0; i < 400 && waitpid(pid, &status, WNOHANG) == 0; i++) {
        if (gwg_shm_validate(shm.base, shm.size, why, sizeof(why))
            != APR_SUCCESS) {
            bad++;
        }
        if (i % 8 == 0) {
            ck_assert_int_eq(gwg_shm_attach_or_create(&again, path,
                                                      GWG_SLOTS_MAX, 0,
                                                      &fresh, why,
                                                      sizeof(why)),
                             APR_SUCCESS);
            bad += (fresh != 0);
            gwg_shm_close(&again);
        }
        during++;
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ck_assert_msg(bad == 0, "%d of %d validations failed during claims: %s",
                  bad, during, why);
    ck_assert_msg(during >= 5, "only %d validations overlapped the claims",
                  during);
    gwg_shm_close(&shm);
}
END_TEST

/* ---- item 8: a claim left by a dead claimer ---- */

static uint32_t home_entry(const gwg_shm *shm, const char *key)
{
    return gwg_key_hash(key) & (shm->hdr->index_size - 1);
}

/* The key's home entry holds a claim nobody will finish (its claimer was
 * killed): the next lookup takes it over, so the key gets its home entry
 * and later lookups do not wait. Before the fix every lookup spun and the
 * key was claimed a second time further on. */
START_TEST(dead_claim_is_taken_over)
{
    gwg_shm shm;
    const char *key = "http://dead-claim:80";
    uint32_t home, s;
    double t0, first, second;
    int of;

    create_at(&shm, path, 64, 0);
    home = home_entry(&shm, key);
    shm.index[home] = GWG_INDEX_CLAIMING;       /* claimer died */
    t0 = now_s();
    s = gwg_shm_slot_for(&shm, key, "", "", &of);
    first = now_s() - t0;
    ck_assert_uint_lt(s, 64);
    ck_assert_uint_eq(GWG_LOAD(&shm.index[home]), s + 1);
    t0 = now_s();
    ck_assert_uint_eq(gwg_shm_slot_for(&shm, key, "", "", &of), s);
    second = now_s() - t0;
    ck_assert_msg(second < 0.001, "second lookup took %.6fs", second);
    ck_assert_msg(first < 1.0, "first lookup took %.3fs", first);
    ck_assert_uint_eq(gwg_shm_used(&shm), 1);
    gwg_shm_close(&shm);
}
END_TEST

/* A claim that is young (its claimer may only be preempted) is waited
 * for, by time, not given up after a count of spins: the waiter takes it
 * over only once it is 250 ms old, and then in place. */
START_TEST(young_claim_is_waited_for)
{
    gwg_shm shm;
    const char *key = "http://slow-claimer:80";
    struct timespec ts;
    uint32_t home, s, now_ms;
    double t0, took;
    int of;

    create_at(&shm, path, 64, 0);
    home = home_entry(&shm, key);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    now_ms = (uint32_t)(((uint64_t)ts.tv_sec * 1000u
                         + (uint64_t)ts.tv_nsec / 1000000u)
                        % 0x7fffffffu);      /* GWG_INDEX_CLAIM_MOD */
    shm.index[home] = 0x80000000u | now_ms;   /* GWG_INDEX_CLAIM_BIT */
    t0 = now_s();
    s = gwg_shm_slot_for(&shm, key, "", "", &of);
    took = now_s() - t0;
    ck_assert_msg(took >= 0.2 && took < 2.0, "waited %.3fs", took);
    ck_assert_uint_eq(GWG_LOAD(&shm.index[home]), s + 1);
    ck_assert_uint_eq(gwg_shm_used(&shm), 1);
    gwg_shm_close(&shm);
}
END_TEST

/* Children claim the same keys and are killed at random moments, many
 * times over: afterwards every key is found quickly, the file validates
 * and no key shows twice in a snapshot. */
START_TEST(claimers_killed_mid_claim)
{
    gwg_shm shm;
    char why[GWG_ERRMAX], key[64];
    gwg_snapshot *snap;
    const char *missing;
    apr_pool_t *p;
    int round, c, i, of, status;
    double t0, took;

    create_at(&shm, path, 4000, 0);
    srand(11);
    for (round = 0; round < 40; round++) {
        pid_t kids[3];
        for (c = 0; c < 3; c++) {
            kids[c] = fork();
            ck_assert_int_ge(kids[c], 0);
            if (kids[c] == 0) {
                for (i = 0;; i = (i + 7) % 3000) {
                    snprintf(key, sizeof(key), "http://k%d:%d", i, 80 + c);
                    gwg_shm_slot_for(&shm, key, "", "", &of);
                }
            }
        }
        usleep((useconds_t)(rand() % 3000));
        for (c = 0; c < 3; c++) {
            kill(kids[c], SIGKILL);
            waitpid(kids[c], &status, 0);
        }
    }
    t0 = now_s();
    for (i = 0; i < 3000; i++) {
        for (c = 0; c < 3; c++) {
            snprintf(key, sizeof(key), "http://k%d:%d", i, 80 + c);
            gwg_shm_slot_for(&shm, key, "", "", &of);
        }
    }
    took = now_s() - t0;
    /* each stale claim costs one wait of at most ~0.25 s; a handful */
    ck_assert_msg(took < 5.0, "9000 lookups took %.2fs", took);
    ck_assert_int_eq(gwg_shm_validate(shm.base, shm.size, why, sizeof(why)),
                     APR_SUCCESS);
    apr_pool_create(&p, NULL);
    gwg_snapshot_take(&snap, &missing, &shm, path, NULL, 0, p);
    for (i = 1; i < snap->nupstreams; i++) {
        ck_assert_msg(strcmp(snap->upstreams[i - 1].name,
                             snap->upstreams[i].name) != 0,
                      "%s shows twice", snap->upstreams[i].name);
    }
    apr_pool_destroy(p);
    gwg_shm_close(&shm);
}
END_TEST

/* ---- item 9: ring entries shared by two writers ---- */

#define RING_WRITERS 2

static void fill(gwg_recent *e, int w)
{
    memset(e, 0, sizeof(*e));
    e->class_id = (uint32_t)w;
    e->status = 500 + (uint32_t)w;
    memset(e->key, 'a' + w, sizeof(e->key) - 1);
    memset(e->path, 'a' + w, sizeof(e->path) - 1);
    memset(e->detail, 'a' + w, sizeof(e->detail) - 1);
}

/* Is this entry what one writer wrote, whole? */
static int whole(const gwg_recent *e)
{
    int w = (int)e->class_id;
    size_t i;

    if (w < 0 || w >= RING_WRITERS || e->status != 500 + (uint32_t)w) {
        return 0;
    }
    for (i = 0; i < sizeof(e->key) - 1; i++) {
        if (e->key[i] != 'a' + w) {
            return 0;
        }
    }
    for (i = 0; i < sizeof(e->path) - 1; i++) {
        if (e->path[i] != 'a' + w) {
            return 0;
        }
    }
    for (i = 0; i < sizeof(e->detail) - 1; i++) {
        if (e->detail[i] != 'a' + w) {
            return 0;
        }
    }
    return 1;
}

/* GwGuardRecent 1: writers released together by a barrier, each adding
 * one entry per round; after every round the entry must be one writer's,
 * whole, or be refused. Before the fix two writers could interleave their
 * copies and the later seq made the mix look complete. */
START_TEST(tiny_ring_never_yields_a_torn_entry)
{
    gwg_shm shm;
    gwg_recent *out;
    pid_t kids[RING_WRITERS];
    volatile uint64_t *sync;
    int c, status, accepted = 0, torn = 0;
    uint64_t round;
    double end;
    char mem[sizeof(gwg_recent) + 64];

    out = (gwg_recent *)(((uintptr_t)mem + 63) & ~(uintptr_t)63);
    sync = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                -1, 0);
    ck_assert_ptr_ne((void *)sync, MAP_FAILED);
    create_at(&shm, path, 16, 1);
    for (c = 0; c < RING_WRITERS; c++) {
        kids[c] = fork();
        ck_assert_int_ge(kids[c], 0);
        if (kids[c] == 0) {
            gwg_recent e;
            uint64_t seen = 0;
            fill(&e, c);
            for (;;) {
                uint64_t go;
                while ((go = GWG_LOAD(&sync[0])) == seen) {
                }
                seen = go;
                gwg_shm_recent_add(&shm, &e);
                __atomic_add_fetch(&sync[8], 1, __ATOMIC_ACQ_REL);
            }
        }
    }
    end = now_s() + 2.0;
    for (round = 1; now_s() < end; round++) {
        __atomic_store_n(&sync[8], 0, __ATOMIC_RELEASE);
        __atomic_store_n(&sync[0], round, __ATOMIC_RELEASE);
        while (GWG_LOAD(&sync[8]) < RING_WRITERS) {
            sched_yield();
        }
        if (gwg_shm_recent_get(&shm, 0, out) == 0) {
            accepted++;
            torn += !whole(out);
        }
    }
    for (c = 0; c < RING_WRITERS; c++) {
        kill(kids[c], SIGKILL);
        waitpid(kids[c], &status, 0);
    }
    munmap((void *)sync, 4096);
    ck_assert_msg(torn == 0, "%d of %d accepted entries were torn (%llu "
                  "rounds)", torn, accepted, (unsigned long long)round);
    ck_assert_int_gt(accepted, 0);
    gwg_shm_close(&shm);
}
END_TEST

Suite *harden_suite(void)
{
    Suite *s = suite_create("harden");
    TCase *t = tcase_create("hostile");

    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, geometry_changed_under_a_mapping_is_ignored);
    tcase_add_test(t, untrusted_files_are_refused_and_replaced);
    tcase_add_test(t, validation_accepts_claims_in_progress);
    tcase_add_test(t, dead_claim_is_taken_over);
    tcase_add_test(t, young_claim_is_waited_for);
    tcase_add_test(t, claimers_killed_mid_claim);
    tcase_add_test(t, tiny_ring_never_yields_a_torn_entry);
    suite_add_tcase(s, t);
    return s;
}
