/*
 * Microbenchmark of the request-path cost in the core: slot lookup plus
 * gwg_shm_record, with N processes contending on ONE slot (the worst case:
 * every increment bounces the same cache lines). Prints ns per operation
 * for each N, and the shared-memory sizes.
 * Usage: counter_bench DIR [OPS_PER_PROC]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gwg_shm.h"
#include "gwg_time.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void work(gwg_shm *shm, long ops)
{
    gwg_outcome o = { GWG_CLASS_NONE, 0, 0, 2000 };
    gwg_transition t;
    long i;
    int of;

    for (i = 0; i < ops; i++) {
        uint32_t s = gwg_shm_slot_for(shm, "http://127.0.0.1:8080", "w", "",
                                      &of);
        o.now = (uint64_t)i;
        gwg_shm_record(shm, s, &o, &t);
    }
}

static double run(gwg_shm *shm, int procs, long ops)
{
    double t0 = now_s();
    int p, status;

    for (p = 0; p < procs; p++) {
        if (fork() == 0) {
            work(shm, ops);
            _exit(0);
        }
    }
    for (p = 0; p < procs; p++) {
        wait(&status);
    }
    /* wall time per operation per process: what one request pays */
    return (now_s() - t0) * 1e9 / (double)ops;
}

int main(int argc, char **argv)
{
    char path[4096], why[GWG_ERRMAX];
    long ops = argc > 2 ? atol(argv[2]) : 2000000;
    int fresh, procs[] = { 1, 2, 4, 8 };
    gwg_geometry g;
    gwg_shm shm;
    size_t i;

    if (argc < 2) {
        fprintf(stderr, "usage: counter_bench DIR [OPS_PER_PROC]\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/bench.shm", argv[1]);
    if (gwg_shm_attach_or_create(&shm, path, 1024, 1024, &fresh, why,
                                 sizeof(why)) != APR_SUCCESS) {
        fprintf(stderr, "counter_bench: %s\n", why);
        return 1;
    }
    for (i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
        printf("counter_ns procs=%d %.1f\n", procs[i],
               run(&shm, procs[i], ops));
    }
    printf("requests_counted %llu expected %llu\n",
           (unsigned long long)shm.slots[0].requests,
           (unsigned long long)(ops * (1 + 2 + 4 + 8)));
    gwg_geometry_compute(&g, 1024, 1024);
    printf("shm_bytes slot=%zu header=%u recent_entry=%zu "
           "default_table=%llu\n", sizeof(gwg_slot), GWG_HEADER_SIZE,
           sizeof(gwg_recent), (unsigned long long)g.total_size);
    gwg_shm_close(&shm);
    unlink(path);
    return 0;
}
