// Package testkit is what drainit's test suites (this module's, e2e's)
// and the benchmarks share: building drainit as it ships, the one slow PHP
// app, and real nginx and php-fpm configurations on loopback.
package testkit
