package main

import (
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"

	"github.com/drainit/drainit/signals"
	"github.com/drainit/drainit/words"
)

// parseBackends reads --backend (or DRAINIT_BACKENDS when no --backend is
// given) and the per-backend flags, which name a backend by its command's
// base name. mainName is COMMAND's, which no backend may share.
func parseBackends(fromFlags bool, raw rawFlags, getenv func(string) string, mainName string) ([]backend, error) {
	var argvs [][]string
	if fromFlags {
		for _, text := range raw.backends {
			argv, err := words.Split(text)
			if err != nil {
				return nil, usageError("--backend %q: %v", text, err)
			}
			argvs = append(argvs, argv)
		}
	} else if env := getenv(backendsEnv); env != "" {
		var err error
		if argvs, err = words.SplitList(env); err != nil {
			return nil, usageError("%s=%q: %v", backendsEnv, env, err)
		}
	}
	backends := make([]backend, len(argvs))
	names := []string{mainName}
	for i, argv := range argvs {
		name := filepath.Base(argv[0])
		if slices.Contains(names, name) {
			return nil, usageError("--backend %q: two processes named %s; every backend's command must have a base name of its own", strings.Join(argv, " "), name)
		}
		names = append(names, name)
		backends[i] = backend{name: name, argv: argv, stopSignal: signals.SIGQUIT}
	}
	find := func(flag, spec string) (*backend, string, error) {
		name, value, ok := strings.Cut(spec, "=")
		if !ok || value == "" {
			return nil, "", usageError("--%s %q: want NAME=VALUE", flag, spec)
		}
		for i := range backends {
			if backends[i].name == name {
				return &backends[i], value, nil
			}
		}
		return nil, "", usageError("--%s %q: no backend named %s (backends: %s)", flag, spec, name, strings.Join(names[1:], ", "))
	}
	for _, spec := range raw.backendStop {
		b, value, err := find("backend-stop-signal", spec)
		if err != nil {
			return nil, err
		}
		sig, err := signals.Parse(value)
		if err == nil {
			err = signals.CheckSendable(sig)
		}
		if err != nil {
			return nil, usageError("--backend-stop-signal %q: %v", spec, err)
		}
		b.stopSignal = sig
	}
	for _, spec := range raw.readyAddr {
		b, value, err := find("backend-ready", spec)
		if err != nil {
			return nil, err
		}
		if err := checkAddress(value); err != nil {
			return nil, usageError("--backend-ready %q: %v", spec, err)
		}
		b.readyAt = value
	}
	return backends, nil
}

// checkAddress accepts HOST:PORT and unix:/absolute/path.
func checkAddress(addr string) error {
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		if !strings.HasPrefix(path, "/") {
			return fmt.Errorf("want unix:/absolute/path")
		}
		return nil
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return fmt.Errorf("want HOST:PORT or unix:/path")
	}
	return nil
}
