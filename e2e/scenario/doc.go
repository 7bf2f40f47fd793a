// Package scenario stops a two-container PHP pod under load, the way the
// kubelet does, and records every request.
//
// The pod lives on 127.0.0.1: nginx (fastcgi_pass) in front of php-fpm,
// each PID 1 of its own PID namespace (unshare --pid --fork --mount-proc)
// behind the init under test. A vegeta attack at a constant rate plays the
// load balancer: it keeps sending new requests for Lag after the stop
// (endpoint propagation), then stops. At the stop both containers' PID 1s
// get SIGTERM in the same instant, or, for the preStop variant, QUIT after
// a sleep.
//
// The e2e tests assert on it, the bench command measures it, and the demo
// prints it.
package scenario
