/*
 * Reading and explaining the recent-failures ring (docs/shm-layout.md,
 * docs/gwguardctl.md): `gwguardctl recent` (table, JSON) and `gwguardctl
 * explain REQUEST_ID`. Pure core, so the wording is unit-tested and could be
 * served by the module too.
 */
#ifndef GWG_RECENT_H
#define GWG_RECENT_H

#include <apr_pools.h>

#include "gwg_out.h"
#include "gwg_shm.h"

/* Up to max entries, newest first, keeping only those whose key is one of
 * keys (all when nkeys is 0). Torn or overwritten entries are skipped.
 * Returns how many were copied into *out (allocated from p). */
int gwg_recent_collect(gwg_recent **out, const gwg_shm *shm,
                       const char *const *keys, int nkeys, int max,
                       apr_pool_t *p);

/* The newest entry with this request id; 0 if found, -1 if not. */
int gwg_recent_find(const gwg_shm *shm, const char *request_id,
                    gwg_recent *out);

void gwg_recent_table(gwg_out *o, const gwg_recent *e, int n);
void gwg_recent_json(gwg_out *o, const gwg_recent *e, int n);

/* One failure in plain language: which upstream, the class and what it
 * means, what httpd reported, the timings, what to check first. */
void gwg_recent_explain(gwg_out *o, const gwg_recent *e);

/* The failed attempts of a failover that ended in `last` (the request's
 * own entry, from gwg_recent_find): the other entries of the ring with the
 * same request id, one line each, oldest first. Nothing when there are
 * none. */
void gwg_recent_explain_attempts(gwg_out *o, const gwg_shm *shm,
                                 const gwg_recent *last);

/* What to check first for a class (one or two sentences). */
const char *gwg_recent_advice(gwg_class_t cls);

#endif
