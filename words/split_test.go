package words

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitLikeAShell(t *testing.T) {
	t.Parallel()
	good := map[string][]string{
		"php-fpm -F -R":                {"php-fpm", "-F", "-R"},
		"  php-fpm\t-F \n -R ":         {"php-fpm", "-F", "-R"},
		`nginx -g 'daemon off;'`:       {"nginx", "-g", "daemon off;"},
		`nginx -g "daemon off;"`:       {"nginx", "-g", "daemon off;"},
		`a 'it'\''s' b`:                {"a", "it's", "b"},
		`a "say \"hi\"" b`:             {"a", `say "hi"`, "b"},
		`a "back\slash" "\\" "\$HOME"`: {"a", `back\slash`, `\`, "$HOME"},
		`a\ b c`:                       {"a b", "c"},
		`a '' "" b`:                    {"a", "", "", "b"},
		`x'y'"z"w`:                     {"xyzw"},
		"line\\\ncontinued":            {"linecontinued"},
		`php-fpm -d 'memory_limit=256M' -y /etc/x`:  {"php-fpm", "-d", "memory_limit=256M", "-y", "/etc/x"},
		`gunicorn -b 127.0.0.1:8000 'app:create()'`: {"gunicorn", "-b", "127.0.0.1:8000", "app:create()"},
		`a b#c`:           {"a", "b#c"},
		`'$HOME' '#' '|'`: {"$HOME", "#", "|"},
	}
	for in, want := range good {
		got, err := Split(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Split(%q): want %q, got %q (err %v)", in, want, got, err)
		}
	}
}

func TestSplitRefusesWhatOnlyAShellCouldDo(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"":            "no command",
		"   ":         "no command",
		`a 'b`:        "unterminated '",
		`a "b`:        "unterminated \"",
		`a \`:         "trailing backslash",
		`a $HOME`:     "unquoted '$'",
		"a `date`":    "unquoted '`'",
		`a "$HOME"`:   "inside double quotes",
		`a | b`:       "unquoted '|'",
		`a && b`:      "unquoted '&'",
		`a > log`:     "unquoted '>'",
		`a; b`:        "unquoted ';'",
		`(a)`:         "unquoted '('",
		`a # comment`: "comment",
	}
	for in, want := range bad {
		if got, err := Split(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Split(%q): want an error containing %q, got %q (err %v)", in, want, got, err)
		}
	}
}

func TestSplitListSeparatesOnUnquotedSemicolons(t *testing.T) {
	t.Parallel()
	got, err := SplitList(`php-fpm -F -R; worker --name 'a;b' ;; `)
	want := [][]string{{"php-fpm", "-F", "-R"}, {"worker", "--name", "a;b"}}
	if err != nil || !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("SplitList: want %q, got %q (err %v)", want, got, err)
	}
	if _, err := SplitList(`a 'b; c`); err == nil {
		t.Fatal("SplitList: want an error for an unterminated quote")
	}
}
