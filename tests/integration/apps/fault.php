<?php
// A PHP fault app for the php-fpm fixture (tests/integration/backends.py).
// The fault is the last path segment of the request URI (or ?f=):
//   ok            200 "ok POOL"
//   pool          200 with the pool's name (env GWG_POOL), for the
//                 "two sockets, one worker" check
//   sleep?s=N     sleep N seconds (at most 30), then 200
//   die           SIGKILL this worker before any output
//   diebody       headers and 1000 of 100000 bytes, then SIGKILL
//   slowbody      headers and 1000 of 100000 bytes, then sleep 30 s
//   status/NNN    status NNN with an HTML body (?json: application/json)
$uri = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
$f = $_GET['f'] ?? '';
if ($f === '') {
    if (preg_match('~/(status/\d{3}|[a-z]+)$~', $uri, $m)) {
        $f = $m[1];
    }
}
$pool = getenv('GWG_POOL') ?: 'unknown';

function kill_self() {
    posix_kill(getmypid(), 9);   // SIGKILL: no output, no cleanup
    sleep(5);
}

function partial_body() {
    header('Content-Type: text/plain');
    header('Content-Length: 100000');
    echo str_repeat('x', 1000);
    flush();
}

if ($f === 'pool') {
    header('Content-Type: text/plain');
    echo "pool=$pool\n";
} elseif ($f === 'sleep') {
    sleep(min(30, max(0, intval($_GET['s'] ?? '10'))));
    echo "slept\n";
} elseif ($f === 'die') {
    kill_self();
} elseif ($f === 'diebody') {
    partial_body();
    usleep(200000);
    kill_self();
} elseif ($f === 'slowbody') {
    partial_body();
    sleep(30);
} elseif (preg_match('~^status/(\d{3})$~', $f, $m)) {
    http_response_code(intval($m[1]));
    if (isset($_GET['json'])) {
        header('Content-Type: application/json');
        echo json_encode(['app_error' => intval($m[1]), 'pool' => $pool]);
    } else {
        header('Content-Type: text/html; charset=utf-8');
        echo "<!doctype html><title>app error</title>"
           . "<p>php says " . intval($m[1]) . " from $pool</p>\n";
    }
} else {
    header('Content-Type: text/plain');
    echo "ok $pool\n";
}
