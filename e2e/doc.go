// Package e2e proves the drain on real servers: an nginx + php-fpm pod,
// each container in its own PID namespace, stopped under load with vegeta
// as the load balancer. The tests live in drain_test.go; the scenario in
// scenario/; the demo in cmd/demo. It is its own Go module so that vegeta
// never enters drainit's go.mod.
package e2e
