package words

import (
	"errors"
	"fmt"
	"strings"
)

// Split splits one command into its words.
func Split(s string) ([]string, error) {
	cmds, err := split(s, false)
	if err != nil {
		return nil, err
	}
	if len(cmds) != 1 || len(cmds[0]) == 0 {
		return nil, errors.New("no command")
	}
	return cmds[0], nil
}

// SplitList splits commands separated by unquoted ';' into the words of
// each. Empty commands (";;", a trailing ';') are dropped.
func SplitList(s string) ([][]string, error) {
	cmds, err := split(s, true)
	if err != nil {
		return nil, err
	}
	out := cmds[:0]
	for _, c := range cmds {
		if len(c) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// splitter holds the command being built.
type splitter struct {
	cmds   [][]string
	word   strings.Builder
	inWord bool // a word has begun, even if it is empty so far ('')
}

func (p *splitter) endWord() {
	if p.inWord {
		last := len(p.cmds) - 1
		p.cmds[last] = append(p.cmds[last], p.word.String())
		p.word.Reset()
		p.inWord = false
	}
}

func split(s string, list bool) ([][]string, error) {
	p := &splitter{cmds: [][]string{nil}}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			p.endWord()
		case c == '\\':
			if i+1 == len(s) {
				return nil, errors.New("a trailing backslash escapes nothing")
			}
			i++
			if s[i] != '\n' { // backslash-newline joins lines
				p.word.WriteByte(s[i])
				p.inWord = true
			}
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated ' at byte %d", i)
			}
			p.word.WriteString(s[i+1 : i+1+end])
			p.inWord = true
			i += end + 1
		case c == '"':
			n, err := p.doubleQuoted(s, i)
			if err != nil {
				return nil, err
			}
			i = n
		case c == ';' && list:
			p.endWord()
			p.cmds = append(p.cmds, nil)
		case c == '#' && !p.inWord:
			return nil, fmt.Errorf("unquoted # at byte %d would start a comment in a shell; quote it", i)
		case strings.IndexByte("$`|&;<>()", c) >= 0:
			return nil, fmt.Errorf("unquoted %q at byte %d: drainit runs no shell, so nothing is expanded or redirected; quote it with '' to mean it literally", c, i)
		default:
			p.word.WriteByte(c)
			p.inWord = true
		}
	}
	p.endWord()
	return p.cmds, nil
}

// doubleQuoted reads the double-quoted part starting at s[open] and
// returns the index of its closing quote. Inside, a backslash escapes only
// $ ` " \ and newline, as in a shell; $ and ` themselves are refused.
func (p *splitter) doubleQuoted(s string, open int) (int, error) {
	p.inWord = true
	for i := open + 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return i, nil
		case '\\':
			if i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
				i++
				if s[i] != '\n' {
					p.word.WriteByte(s[i])
				}
				continue
			}
			p.word.WriteByte(c)
		case '$', '`':
			return 0, fmt.Errorf("%q at byte %d inside double quotes would be expanded by a shell; drainit expands nothing: use single quotes or \\%c", c, i, c)
		default:
			p.word.WriteByte(c)
		}
	}
	return 0, fmt.Errorf("unterminated \" at byte %d", open)
}
