package signals

import (
	"strings"
	"testing"
)

// FuzzParse checks that any accepted text names a catchable-range signal
// whose canonical name parses back to the same number.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"TERM", "sigquit", "15", "RTMIN+3", "rtmax-0", "", "0", "SIG", "99999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sig, err := Parse(in)
		if err != nil {
			return
		}
		if sig < 1 || sig > maxSignal {
			t.Fatalf("Parse(%q) = %d: out of range", in, sig)
		}
		if sig == 32 || sig == 33 {
			return // valid numbers without a name
		}
		back, err := Parse(Name(sig))
		if err != nil || back != sig {
			t.Fatalf("Parse(Name(%d)): want %d, got %d (err %v)", sig, sig, back, err)
		}
	})
}

// FuzzParseRewrite checks that an accepted rewrite never has an uncatchable
// FROM and that its string form parses back to itself.
func FuzzParseRewrite(f *testing.F) {
	for _, seed := range []string{"15:3", "TERM:QUIT", "usr1:0", "HUP", ":", "KILL:1", "1:1:1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ParseRewrite(in)
		if err != nil {
			if strings.Contains(in, ":") || strings.Contains(err.Error(), "FROM:TO") {
				return
			}
			t.Fatalf("ParseRewrite(%q): error without a colon should ask for FROM:TO, got %v", in, err)
		}
		if !Catchable(r.From) {
			t.Fatalf("ParseRewrite(%q) accepted uncatchable %s", in, Name(r.From))
		}
		if r.From == 32 || r.From == 33 || r.To == 32 || r.To == 33 {
			return
		}
		back, err := ParseRewrite(r.String())
		if err != nil || back != r {
			t.Fatalf("ParseRewrite(%q) round trip: want %v, got %v (err %v)", r.String(), r, back, err)
		}
	})
}
