package drain

import "time"

// TrafficSample is one reading of an upstream's request counter during
// the delay, drainit's own status reads already taken out.
type TrafficSample struct {
	Upstream string
	Requests float64 // requests others sent it so far; meaningful when OK
	InFlight int     // requests it is serving, not counting this reading
	// Peer: a server that is not one of drainit's processes (the nginx in
	// front of php-fpm, in its own container), only probed: OK means it
	// still accepts connections, so it may still send; Refused, that it
	// has quit. Its own drainit ends its delay only with nothing in flight.
	Peer    bool
	OK      bool // the status page answered (a peer: it accepted)
	Refused bool // nothing listens any more: the server has quit
}

// Why the delay ended; Summary.DelayEndedBy.
const (
	EndedByQuiet         = "quiet"          // every upstream went --quiet without a request
	EndedByUpperBound    = "upper_bound"    // --delay ran out
	EndedBySecondTrigger = "second_trigger" // a second TERM, QUIT or INT
	EndedByExit          = "exit"           // a member exited by itself
)

// quiet decides when the delay can end early: once every upstream has
// had no new request and none in flight for the quiet window, and at
// least the minimum delay has passed since the trigger.
//
// A request in flight counts because the server may still pass it on:
// nginx reads a whole request body before it connects to php-fpm, so an
// upload in flight at nginx is a php-fpm request to come that php-fpm's
// counter cannot show yet.
//
// An upstream whose page never answered during this delay is never quiet,
// so the delay runs its full length. One that answered with nothing in
// flight and then refused connections has quit serving, and is quiet; one
// that refused while it was still serving requests (QUIT closes nginx's
// listeners at once) may still pass them on, unseen, and is never quiet
// again in this delay.
type quiet struct {
	window, min time.Duration
	trigger     time.Time
	state       map[string]*upstreamQuiet // by upstream
	requests    float64                   // sent to the upstreams during the delay
}

type upstreamQuiet struct {
	answered   bool      // its page answered at least once in this delay
	gone       bool      // answered, then refused: its server has quit
	busy       bool      // the last answer showed requests in flight
	lost       bool      // refused while busy: what it still serves is unseen
	failed     bool      // the fallback was reported
	last       float64   // the counter at the last answer
	lastChange time.Time // a new request, or anything that may hide one
}

func newQuiet(window, min time.Duration, upstreams []string, trigger time.Time) *quiet {
	q := &quiet{window: window, min: min, trigger: trigger, state: map[string]*upstreamQuiet{}}
	for _, u := range upstreams {
		q.state[u] = &upstreamQuiet{lastChange: trigger}
	}
	return q
}

// Why an upstream can no longer end the delay early; observe's result.
const (
	fallbackUnreadable = "cannot read the upstream's status page: the delay runs its full length"
	fallbackQuitBusy   = "the upstream quit while it still served requests it may pass on: the delay runs its full length"
)

// observe takes one sample. The first time an upstream can no longer end
// the delay early, it says why, so that the caller can log the fallback
// to the full delay.
func (q *quiet) observe(s TrafficSample, now time.Time) (fallback string) {
	u, ok := q.state[s.Upstream]
	if !ok {
		return ""
	}
	switch {
	case s.Peer && s.OK:
		u.answered, u.gone, u.lastChange = true, false, now
	case s.OK && !u.answered:
		// What came between the trigger and this first reading is
		// unknown: the window starts here.
		u.answered, u.last, u.lastChange = true, s.Requests, now
		u.busy = s.InFlight > 0
	case s.OK:
		u.gone, u.lost, u.busy = false, false, s.InFlight > 0
		if s.Requests > u.last {
			q.requests += s.Requests - u.last
			u.last, u.lastChange = s.Requests, now
		}
		if u.busy {
			u.lastChange = now
		}
	case u.answered && s.Refused && !u.busy:
		u.gone = true
	case u.answered && s.Refused:
		if !u.lost {
			u.lost = true
			return fallbackQuitBusy
		}
	case u.answered:
		// A timeout or an error page: it may be too busy to answer, so
		// the window starts over.
		u.lastChange = now
	case !u.failed:
		u.failed = true
		return fallbackUnreadable
	}
	return ""
}

// at is when the delay may end, once every upstream has answered (or
// quit): the minimum delay after the trigger, or the quiet window after
// the last sign of traffic, whichever is later.
func (q *quiet) at() (time.Time, bool) {
	end := q.trigger.Add(q.min)
	for _, u := range q.state {
		if u.gone {
			continue
		}
		if !u.answered || u.lost {
			return time.Time{}, false
		}
		if t := u.lastChange.Add(q.window); t.After(end) {
			end = t
		}
	}
	return end, true
}

// watchTraffic starts the readings that can end the delay early.
func (m *Machine) watchTraffic(now time.Time) {
	if m.cfg.Quiet <= 0 {
		return
	}
	m.quiet = newQuiet(m.cfg.Quiet, m.cfg.MinDelay, m.cfg.Upstreams, now)
	if m.cfg.WatchTraffic != nil {
		m.stopWatching = m.cfg.WatchTraffic()
	}
	m.log.Info("waiting for traffic to stop", "quiet", m.cfg.Quiet.String(), "min_delay", m.cfg.MinDelay.String(), "upper_bound", m.cfg.Delay.String())
}

// endWatch stops the readings, and counts the requests they saw.
func (m *Machine) endWatch() {
	if m.stopWatching != nil {
		m.stopWatching()
		m.stopWatching = nil
	}
	if m.quiet != nil {
		m.sum.DelayRequests = int(m.quiet.requests)
		m.sum.QuietWatched = true
		m.quiet = nil
	}
}

// HandleTraffic takes one reading of an upstream's request counter during
// the delay, and ends the delay once every upstream has gone quiet.
func (m *Machine) HandleTraffic(s TrafficSample, now time.Time) {
	if m.phase != Delaying || m.quiet == nil {
		return
	}
	if why := m.quiet.observe(s, now); why != "" {
		m.log.Warn(why, "upstream", s.Upstream, "delay", m.cfg.Delay.String())
	}
	m.wake = m.delayBound
	if at, ok := m.quiet.at(); ok && at.Before(m.delayBound) {
		m.wake = at
	}
	if !now.Before(m.wake) {
		m.HandleWake(now)
	}
}
