package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestAdaptiveGoalIsLagQuietLongestRequestAndMargin(t *testing.T) {
	// 1.5 s lag + 1 s quiet + 1.5 s slow request + 1.5 s margin.
	if got, want := adaptiveGoal(1500*time.Millisecond), 5500*time.Millisecond; got != want {
		t.Errorf("want %v, got %v", want, got)
	}
}

func TestGoalAppliesToTheAdaptiveDrainUnlessKeepAliveClientsAreNotEvicted(t *testing.T) {
	fixed, quiet, evict := matrixDrains()[0], matrixDrains()[1], matrixDrains()[2]
	newConns, keepAlive := matrixClients[0], matrixClients[1]
	for _, tc := range []struct {
		drain  matrixDrain
		client matrixClient
		want   bool
	}{
		{fixed, newConns, false}, {fixed, keepAlive, false},
		{quiet, newConns, true}, {quiet, keepAlive, false},
		{evict, newConns, true}, {evict, keepAlive, true},
	} {
		c := &matrixCell{drain: tc.drain, client: tc.client}
		if got := c.goalApplies(); got != tc.want {
			t.Errorf("%s, %s: want %v, got %v", tc.drain.name, tc.client.name, tc.want, got)
		}
	}
}

func TestGoalMetNeedsNothingLostInAnyRunAndTheMedianStopWithin(t *testing.T) {
	lag := time.Second // goal: 5 s
	for _, tc := range []struct {
		name         string
		failed, stop []float64
		want         bool
	}{
		{"clean and in time", []float64{0, 0, 0}, []float64{3, 4.9, 6}, true},
		{"one run lost requests, the median none", []float64{0, 0, 3}, []float64{3, 3, 3}, false},
		{"the median stop past the goal", []float64{0, 0, 0}, []float64{4, 5.1, 5.2}, false},
	} {
		c := &matrixCell{lag: lag, drain: matrixDrains()[1], client: matrixClients[0], failed: tc.failed, stop: tc.stop,
			kinds: map[string]int{"refused": 3}, endedBy: map[string]int{"quiet / quiet": 3}}
		if got := c.goalMet(); got != tc.want {
			t.Errorf("%s: want %v, got %v", tc.name, tc.want, got)
		}
		if !tc.want && !strings.Contains(c.miss(), "quiet / quiet 3") {
			t.Errorf("%s: want the miss to say why the delays ended, got %q", tc.name, c.miss())
		}
	}
}

func TestMatrixSectionGivesEachCellAndTheRatioToTheFixedDelay(t *testing.T) {
	cells := matrixCells()
	for _, c := range cells {
		c.sent, c.failed, c.stop = []float64{100}, []float64{0}, []float64{3}
		c.endedBy["quiet / quiet"] = 1
		if !c.drain.adaptive() {
			c.stop = []float64{6}
		}
	}
	missed := cells[2] // 0.5 s lag, eviction, new connections: goal 4.5 s
	missed.stop = []float64{4.6}
	var b strings.Builder
	matrixSection(func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }, cells, 1, "6")
	out := b.String()
	for _, want := range []string{
		"| 500ms | `--quiet 1s --delay 20s` | 100 | **0** | none | quiet / quiet 1 | 3.000 s | ≤ 4.5 s: yes | 0.50 |",
		"| 500ms | the same + `--evict-keepalive` | 100 | **0** | none | quiet / quiet 1 | 4.600 s | ≤ 4.5 s: **no** | 0.77 |",
		"| 8s | fixed `--delay 5s` | 100 | **0** | none | quiet / quiet 1 | 6.000 s |  |  |",
		"img/matrix-keep-alive.svg",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want the line %q in:\n%s", want, out)
		}
	}
	if got := matrixMisses(cells); len(got) != 1 || got[0] != missed {
		t.Errorf("want the one missed cell, got %d cells", len(got))
	}
}

func TestSummaryValueReadsOneField(t *testing.T) {
	log := `drainit: time=… level=INFO msg="drain summary" clean=true delay_waited=2.5s delay_ended_by=quiet delay_requests=12`
	if got := summaryValue(log, "delay_ended_by"); got != "quiet" {
		t.Errorf("want quiet, got %q", got)
	}
	if got := summaryValue(log, "ended_by"); got != "" {
		t.Errorf("want nothing for a key the summary lacks, got %q", got)
	}
}
