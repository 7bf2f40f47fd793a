// Package words splits a command line into words the way a POSIX shell
// does (single and double quotes, backslashes), with no shell behind it:
// nothing is expanded, globbed or redirected. drainit uses it for
// --backend 'COMMAND ARGS', so an image author can write a backend the
// way they would write it in a shell, and for DRAINIT_BACKENDS, which
// holds several commands separated by an unquoted ';'.
//
// What a shell would do differently is refused rather than taken
// literally: an unquoted $ or ` (expansion), | & < > ( ) (operators), a #
// that starts a word (a comment) and, outside a list, an unquoted ';'. A
// value that names them means what it says only inside single quotes.
package words
