/*
 * The one set of atomic primitives used on the shared segment, by the
 * module and by gwguardctl alike. Counters are relaxed (they order nothing);
 * publishing a slot or a ring entry uses release, and reading it acquire.
 */
#ifndef GWG_ATOMIC_H
#define GWG_ATOMIC_H

#define GWG_LOAD(p)        __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define GWG_LOAD_RELAXED(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define GWG_STORE(p, v)    __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define GWG_ADD(p, v)      __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)
#define GWG_XCHG(p, v)     __atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)
#define GWG_CAS(p, expp, v) \
    __atomic_compare_exchange_n((p), (expp), (v), 0, __ATOMIC_ACQ_REL, \
                                __ATOMIC_ACQUIRE)

#endif
