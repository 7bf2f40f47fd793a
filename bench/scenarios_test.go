package main

import (
	"math"
	"testing"
)

func TestSummarySplitReadsTheDrainSummary(t *testing.T) {
	log := `drainit: time=… level=INFO msg="child exited" pid=10 status=0 after_stop=893ms
drainit: time=… level=INFO msg="drain summary" clean=true trigger=SIGTERM delay_waited=3s stop_sent=2026-12-02T12:39:22.916638902Z child_exit_after=893ms orphans_waited=0 killed=0 duration=3.8935s exit_status=0`
	exit, tail, err := summarySplit(log)
	if err != nil || math.Abs(exit-0.893) > 1e-9 || math.Abs(tail-0.0005) > 1e-9 {
		t.Fatalf("want 0.893 s and 0.0005 s, got %v and %v (%v)", exit, tail, err)
	}
	if _, _, err := summarySplit("no summary"); err == nil {
		t.Fatal("want an error for a log without a summary")
	}
}
