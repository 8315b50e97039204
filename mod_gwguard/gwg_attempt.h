/*
 * One attempt of a proxied request, and the failover rule: what the rules
 * read about an attempt once it is over, and the verdict on each attempt
 * of a request, every one classified once.
 */
#ifndef GWG_ATTEMPT_H
#define GWG_ATTEMPT_H

#include "gwg_classify.h"

/* The attempt was over at end_us: derives connected, elapsed_us and
 * idle_us from the times and signals recorded while it ran. */
void gwg_attempt_end(gwg_attempt_signals *a, long long end_us);

/* The verdict on attempt i of n (0 <= i < n). The last one carries the
 * request's verdict, classified once from the final observation. An
 * earlier one failed over, which proxy_handler does only after a 503
 * from the scheme handler, so it is judged as a 503 from its own
 * signals. */
void gwg_attempt_verdict(gwg_verdict *v, const gwg_verdict *request,
                         const gwg_attempt_signals *a, int i, int n);

#endif
