// Package evict tells an nginx's keep-alive clients to reconnect elsewhere
// during the delay, without closing its listening sockets.
//
// A client with a persistent connection keeps sending on it while the pod
// drains (kube-proxy keeps existing connections on a terminating pod,
// ingress controllers keep pools), so its traffic never goes quiet, and
// at QUIT nginx closes the idle connection under it (trac.nginx.org
// #1022). Evicting writes `keepalive_requests 1;` into a file the nginx
// configuration includes, and reloads nginx with SIGHUP: from then on
// every response carries `Connection: close`, and the client's next
// request opens a new connection, which the load balancer sends to a pod
// that is not going away.
//
// keepalive_requests rather than keepalive_timeout 0: the shipped
// nginx.conf sets keepalive_timeout, and nginx refuses a second one in
// the same block; nothing sets keepalive_requests.
package evict
