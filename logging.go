package main

import (
	"bytes"
	"io"
	"log/slog"
)

// newLogger logs to w as "drainit: key=value ..." lines or as JSON.
func newLogger(w io.Writer, format string, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)).With("logger", "drainit")
	}
	return slog.New(slog.NewTextHandler(prefixWriter{w}, opts))
}

// droppedLinesLine formats, in the log's own format, the line that says
// how many log lines a stuck stderr cost.
func droppedLinesLine(format string) func(n int) []byte {
	return func(n int) []byte {
		var b bytes.Buffer
		newLogger(&b, format, false).Warn("log lines dropped: stderr did not keep up", "dropped", n)
		return b.Bytes()
	}
}

// prefixWriter starts every record with "drainit: ", so drainit's lines
// stand out among the child's on a shared stderr. slog writes each record
// with a single Write.
type prefixWriter struct{ w io.Writer }

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := p.w.Write(append([]byte("drainit: "), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}
