// Package testservers writes configurations for, and starts, the real
// nginx and php-fpm that drainit's tests run against (Debian's nginx-light
// and php8.2-fpm; `make test` installs them). Only tests import it.
package testservers
