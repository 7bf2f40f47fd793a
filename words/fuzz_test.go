package words

import (
	"strings"
	"testing"
)

// quote writes w so that Split reads it back as one word.
func quote(w string) string { return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'" }

// FuzzSplit checks that Split never panics, that what it accepts has at
// least one word, and that the words, quoted again, split back to
// themselves.
func FuzzSplit(f *testing.F) {
	for _, seed := range []string{"php-fpm -F -R", `nginx -g 'daemon off;'`, `a "b\"c" d\ e`, `'`, `"`, `\`, "a\\\nb", `a $b`, "#", `x'y'"z"`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ws, err := Split(in)
		if err != nil {
			return
		}
		if len(ws) == 0 {
			t.Fatalf("Split(%q) accepted no words", in)
		}
		quoted := make([]string, len(ws))
		for i, w := range ws {
			quoted[i] = quote(w)
		}
		back, err := Split(strings.Join(quoted, " "))
		if err != nil || strings.Join(back, "\x00") != strings.Join(ws, "\x00") || len(back) != len(ws) {
			t.Fatalf("round trip of %q: want %q, got %q (err %v)", in, ws, back, err)
		}
	})
}
