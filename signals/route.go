package signals

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
)

// Action is what drainit does with a signal it received.
type Action int

const (
	// Forward passes the (possibly rewritten) signal on to the child.
	Forward Action = iota
	// Drain starts the drain, or hurries it along if it is delaying.
	Drain
	// Drop discards the signal because a rewrite maps it to 0.
	Drop
	// Ignore discards a signal that is never forwarded (see NeverForwarded).
	Ignore
)

func (a Action) String() string {
	switch a {
	case Forward:
		return "forward"
	case Drain:
		return "drain"
	case Drop:
		return "drop"
	case Ignore:
		return "ignore"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Rewrite maps one received signal to another; To of 0 drops it.
type Rewrite struct {
	From, To syscall.Signal
}

func (r Rewrite) String() string {
	return fmt.Sprintf("%s:%s", Name(r.From), nameOrZero(r.To))
}

func nameOrZero(sig syscall.Signal) string {
	if sig == 0 {
		return "0"
	}
	return Name(sig)
}

// ParseRewrite reads FROM:TO, where each side is anything Parse accepts and
// TO may also be 0. dumb-init's "--rewrite 15:3" means the same here. A
// rewrite that could never apply is an error: a FROM that drainit cannot
// receive or never forwards, or a TO that CheckSendable refuses.
func ParseRewrite(s string) (Rewrite, error) {
	from, to, ok := strings.Cut(s, ":")
	if !ok {
		return Rewrite{}, fmt.Errorf("rewrite %q: want FROM:TO, such as 15:3 or TERM:QUIT", s)
	}
	fromSig, err := Parse(from)
	if err != nil {
		return Rewrite{}, fmt.Errorf("rewrite %q: %w", s, err)
	}
	var toSig syscall.Signal
	if strings.TrimSpace(to) != "0" {
		if toSig, err = Parse(to); err != nil {
			return Rewrite{}, fmt.Errorf("rewrite %q: %w", s, err)
		}
		if err := CheckSendable(toSig); err != nil {
			return Rewrite{}, fmt.Errorf("rewrite %q: %w", s, err)
		}
	}
	switch {
	case !Catchable(fromSig):
		return Rewrite{}, fmt.Errorf("rewrite %q: %s cannot be caught", s, Name(fromSig))
	case slices.Contains(NeverForwarded, fromSig):
		return Rewrite{}, fmt.Errorf("rewrite %q: %s is never forwarded", s, Name(fromSig))
	}
	return Rewrite{From: fromSig, To: toSig}, nil
}

// Table routes received signals: rewrite first, then decide. A signal that
// is TERM, QUIT or INT after rewriting starts the drain, so "15:3" keeps
// TERM a drain trigger and "INT:USR1" turns Ctrl-C into a forwarded USR1.
type Table struct {
	rewrites map[syscall.Signal]syscall.Signal
}

// NewTable builds a routing table. Rewriting the same signal twice is an
// error rather than a silent "last one wins".
func NewTable(rewrites []Rewrite) (*Table, error) {
	t := &Table{rewrites: make(map[syscall.Signal]syscall.Signal, len(rewrites))}
	for _, r := range rewrites {
		if prev, dup := t.rewrites[r.From]; dup {
			return nil, fmt.Errorf("rewrite %s: %s is already rewritten to %s", r, Name(r.From), nameOrZero(prev))
		}
		t.rewrites[r.From] = r.To
	}
	return t, nil
}

// Route says what to do with a received signal, and which signal to send
// when the answer is Forward.
func (t *Table) Route(sig syscall.Signal) (syscall.Signal, Action) {
	if slices.Contains(NeverForwarded, sig) {
		return sig, Ignore
	}
	if to, ok := t.rewrites[sig]; ok {
		if to == 0 {
			return 0, Drop
		}
		sig = to
	}
	if slices.Contains(Triggers, sig) {
		return sig, Drain
	}
	return sig, Forward
}
