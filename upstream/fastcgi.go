package upstream

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// FastCGI record types and constants (FastCGI 1.0 specification, section 8).
const (
	fcgiVersion      = 1
	fcgiBeginRequest = 1
	fcgiEndRequest   = 3
	fcgiParams       = 4
	fcgiStdin        = 5
	fcgiStdout       = 6
	fcgiStderr       = 7
	fcgiResponder    = 1
	fcgiRequestID    = 1
	maxRecordContent = 65535
	maxResponse      = 1 << 20 // a status page is a few hundred bytes
)

// fastcgiGet sends one GET for path (with query) to a FastCGI server and
// returns the response body. network is "tcp" or "unix".
func fastcgiGet(ctx context.Context, network, address, path, query string) ([]byte, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	params := map[string]string{
		"GATEWAY_INTERFACE": "CGI/1.1",
		"REQUEST_METHOD":    "GET",
		"SCRIPT_NAME":       path,
		"SCRIPT_FILENAME":   path,
		"REQUEST_URI":       path,
		"DOCUMENT_URI":      path,
		"QUERY_STRING":      query,
		"SERVER_PROTOCOL":   "HTTP/1.1",
		"REMOTE_ADDR":       "127.0.0.1",
		"SERVER_SOFTWARE":   "drainit",
	}
	w := bufio.NewWriter(conn)
	begin := []byte{0, fcgiResponder, 0, 0, 0, 0, 0, 0} // role, flags 0: close after the request
	if err := writeRecord(w, fcgiBeginRequest, begin); err != nil {
		return nil, err
	}
	if err := writeRecord(w, fcgiParams, encodeParams(params)); err != nil {
		return nil, err
	}
	for _, typ := range []byte{fcgiParams, fcgiStdin} { // empty records end each stream
		if err := writeRecord(w, typ, nil); err != nil {
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	stdout, err := readResponse(bufio.NewReader(conn))
	if err != nil {
		return nil, err
	}
	return parseCGIResponse(stdout)
}

func writeRecord(w io.Writer, typ byte, content []byte) error {
	if len(content) > maxRecordContent {
		return fmt.Errorf("fastcgi: record of %d bytes is too long", len(content))
	}
	padding := (8 - len(content)%8) % 8
	header := []byte{fcgiVersion, typ, 0, fcgiRequestID, 0, 0, byte(padding), 0}
	binary.BigEndian.PutUint16(header[4:6], uint16(len(content)))
	if _, err := w.Write(header); err != nil {
		return err
	}
	if _, err := w.Write(content); err != nil {
		return err
	}
	_, err := w.Write(make([]byte, padding))
	return err
}

// encodeParams writes name-value pairs with 1-byte lengths below 128 and
// 4-byte lengths (high bit set) otherwise.
func encodeParams(params map[string]string) []byte {
	var b bytes.Buffer
	putLen := func(n int) {
		if n < 128 {
			b.WriteByte(byte(n))
			return
		}
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(n)|1<<31)
		b.Write(l[:])
	}
	for k, v := range params {
		putLen(len(k))
		putLen(len(v))
		b.WriteString(k)
		b.WriteString(v)
	}
	return b.Bytes()
}

// readResponse collects STDOUT until END_REQUEST.
func readResponse(r io.Reader) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	for {
		var header [8]byte
		if _, err := io.ReadFull(r, header[:]); err != nil {
			return nil, fmt.Errorf("fastcgi: reading a record header: %w", err)
		}
		if header[0] != fcgiVersion {
			return nil, fmt.Errorf("fastcgi: unsupported protocol version %d", header[0])
		}
		length := int(binary.BigEndian.Uint16(header[4:6]))
		content := make([]byte, length+int(header[6]))
		if _, err := io.ReadFull(r, content); err != nil {
			return nil, fmt.Errorf("fastcgi: reading a record: %w", err)
		}
		content = content[:length]
		switch header[1] {
		case fcgiStdout:
			stdout.Write(content)
		case fcgiStderr:
			stderr.Write(content)
		case fcgiEndRequest:
			return stdout.Bytes(), nil
		}
		if stdout.Len()+stderr.Len() > maxResponse {
			return nil, errors.New("fastcgi: response too large")
		}
	}
}

// parseCGIResponse splits CGI headers from the body and turns a Status
// header other than 200 into an error.
func parseCGIResponse(stdout []byte) ([]byte, error) {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(stdout)))
	header, err := tp.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("fastcgi: response headers: %w", err)
	}
	if status := header.Get("Status"); status != "" {
		code, _, _ := strings.Cut(status, " ")
		if n, err := strconv.Atoi(code); err != nil || n != http.StatusOK {
			return nil, fmt.Errorf("fastcgi: status %q", status)
		}
	}
	return io.ReadAll(tp.R)
}
