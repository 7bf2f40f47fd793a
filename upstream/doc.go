// Package upstream reads the servers drainit runs: nginx's stub_status page
// over HTTP and php-fpm's pm.status_path page over FastCGI. It exports what
// they say as drainit_upstream_* metrics and, at the moment the stop
// signal goes out, how many requests are in flight.
//
// Both status pages close with their server: once the stop signal is sent,
// drainit stops reading them (drainit_processes counts what is left).
//
// fastcgi.go holds the smallest FastCGI client that reads a status page:
// one GET as a responder, no keep-alive, no multiplexing. The FastCGI client
// libraries this project could use were either not obtainable from the
// module proxy here (yookoala/gofast, tomasen/fcgi_client, cboxdk/fcgx) or
// live inside packages that import a whole server (Caddy's fastcgi
// transport, Telegraf's phpfpm input) and would have grown drainit several
// times past its 9 MiB budget. Swap it for a library when one fits.
package upstream
