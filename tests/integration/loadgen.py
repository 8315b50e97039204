"""A bounded load generator for the reliability tests: N requests from C
threads, each on a fresh connection to 127.0.0.1, tallying what the
clients observed per path and status."""

import collections
import http.client
import threading


def run(port, paths, total, concurrency, timeout=30):
    """Sends `total` requests spread round-robin over `paths`; returns
    (Counter of (path, status), number of client-side errors)."""
    seen = collections.Counter()
    errors = [0]
    raised = []               # anything else a worker raised: re-raised
    lock = threading.Lock()
    next_index = [0]

    def worker():
        try:
            work()
        except BaseException as e:          # noqa: BLE001 -- re-raised
            raised.append(e)

    def work():
        while True:
            with lock:
                i = next_index[0]
                if i >= total:
                    return
                next_index[0] += 1
            path = paths[i % len(paths)]
            conn = http.client.HTTPConnection("127.0.0.1", port,
                                              timeout=timeout)
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                key = (path, resp.status)
            except (OSError, http.client.HTTPException):
                key = None
            finally:
                conn.close()
            with lock:
                if key is None:
                    errors[0] += 1
                else:
                    seen[key] += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if raised:
        raise raised[0]
    return seen, errors[0]
