package testkit

import "fmt"

// Debian's binaries, which `make test` installs.
const (
	NginxBin  = "/usr/sbin/nginx"
	PHPFPMBin = "/usr/sbin/php-fpm8.2"
)

// SlowApp is the PHP app every test serves. It answers "ok" after ?ms=
// milliseconds. With ?hold=NAME it first creates NAME.started beside
// itself, then answers once NAME.release appears there (or after 120 s):
// a request that a test ends when the scenario is where it wants it, not
// after a guessed time. The waits are usleep() in a loop, because a signal
// cuts a single sleep() short and the wait must survive the drain.
const SlowApp = `<?php
if (isset($_GET['hold'])) {
    $mark = __DIR__ . '/' . basename($_GET['hold']);
    touch("$mark.started");
    $end = microtime(true) + 120;
    while (!file_exists("$mark.release") && microtime(true) < $end) { usleep(10000); }
} else {
    $end = microtime(true) + ((int)($_GET['ms'] ?? 0)) / 1000;
    while (($left = $end - microtime(true)) > 0) { usleep((int)min($left * 1e6, 10000)); }
}
header('Content-Type: text/plain');
echo "ok\n";
`

// NginxTempPaths keeps every nginx temporary directory under dir, so a
// test's nginx never touches the system's /var/lib/nginx.
func NginxTempPaths(dir string) string {
	return fmt.Sprintf(`client_body_temp_path %[1]s/tmp;
  proxy_temp_path %[1]s/tmp;
  fastcgi_temp_path %[1]s/tmp;
  uwsgi_temp_path %[1]s/tmp;
  scgi_temp_path %[1]s/tmp;`, dir)
}
