package main

import (
	"testing"
	"time"
)

func TestSummaryFieldsReadsTheDrainSummary(t *testing.T) {
	log := `drainit: time=… level=INFO msg="process exited" process=nginx pid=10 status=0 after_stop=893ms
drainit: time=… level=INFO msg="drain summary" clean=true trigger=SIGTERM delay_waited=2s stop_sent=2026-12-02T12:39:22.916638902Z child_exit_after=1.5s orphans_waited=0 killed=0 duration=4.3005s exit_status=0 php-fpm8.2.status=0 php-fpm8.2.exit_after=800ms nginx.status=0 nginx.exit_after=1.5s`
	f, err := summaryFields(log)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Duration{"delay_waited": 2 * time.Second, "child_exit_after": 1500 * time.Millisecond,
		"duration": 4300500 * time.Microsecond, "php-fpm8.2.exit_after": 800 * time.Millisecond, "nginx.exit_after": 1500 * time.Millisecond}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s: want %v, got %v", k, v, f[k])
		}
	}
	if _, err := summaryFields("no summary"); err == nil {
		t.Fatal("want an error for a log without a summary")
	}
}
