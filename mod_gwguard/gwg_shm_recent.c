/*
 * The ring of recent failures: written without locks by any process, read
 * by gwguardctl. Each entry is a seqlock: a writer takes a ticket, marks the
 * entry odd (being written), fills it, and publishes 2 * ticket + 2. A
 * reader copies the entry and accepts it only if seq was even, unchanged,
 * and the one the ticket it wanted would have written.
 * Two writers can hold tickets for the same entry (a small ring, or a
 * writer that stalls while the ring wraps), so a writer marks the entry
 * odd with a CAS from an even value older than its own ticket: only one
 * writes at a time, and an older one never overwrites a newer one. The
 * loser drops its entry; the ring is a best-effort record.
 */
#include <string.h>

#include "gwg_atomic.h"
#include "gwg_shm.h"

gwg_recent *gwg_shm_recent_claim(gwg_shm *shm, uint64_t *ticket)
{
    uint64_t seq, size = shm->recent_size;
    gwg_recent *slot;

    if (size == 0) {
        return NULL;
    }
    *ticket = GWG_ADD(&shm->hdr->recent_next, 1);
    slot = &shm->recent[*ticket % size];
    seq = GWG_LOAD(&slot->seq);
    do {
        if ((seq & 1) || seq >= 2 * *ticket + 1) {
            return NULL;                /* another writer has it, or newer */
        }
    } while (!GWG_CAS(&slot->seq, &seq, 2 * *ticket + 1));
    __atomic_thread_fence(__ATOMIC_RELEASE);
    return slot;
}

void gwg_shm_recent_publish(gwg_recent *slot, uint64_t ticket)
{
    GWG_STORE(&slot->seq, 2 * ticket + 2);
}

void gwg_shm_recent_add(gwg_shm *shm, const gwg_recent *e)
{
    uint64_t ticket;
    gwg_recent *slot = gwg_shm_recent_claim(shm, &ticket);

    if (slot) {
        memcpy((char *)slot + sizeof(slot->seq), (const char *)e
               + sizeof(e->seq), sizeof(*e) - sizeof(e->seq));
        gwg_shm_recent_publish(slot, ticket);
    }
}

int gwg_shm_recent_get(const gwg_shm *shm, uint64_t n, gwg_recent *out)
{
    uint64_t next = GWG_LOAD(&shm->hdr->recent_next);
    uint64_t size = shm->recent_size, ticket, seq;
    const gwg_recent *slot;
    int tries;

    if (size == 0 || n >= next || n >= size) {
        return -1;
    }
    ticket = next - 1 - n;
    slot = &shm->recent[ticket % size];
    for (tries = 0; tries < 100; tries++) {
        seq = GWG_LOAD(&slot->seq);
        if (seq & 1) {
            continue;                   /* being written */
        }
        memcpy(out, slot, sizeof(*out));
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (GWG_LOAD(&slot->seq) != seq) {
            continue;                   /* torn: retry */
        }
        if (seq != 2 * ticket + 2) {
            return -1;                  /* overwritten or never finished */
        }
        out->request_id[sizeof(out->request_id) - 1] = '\0';
        out->key[sizeof(out->key) - 1] = '\0';
        out->method[sizeof(out->method) - 1] = '\0';
        out->path[sizeof(out->path) - 1] = '\0';
        out->detail[sizeof(out->detail) - 1] = '\0';
        return 0;
    }
    return -1;
}
