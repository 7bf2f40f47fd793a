//go:build !linux

package catch

import (
	"os"
	"os/signal"

	"github.com/drainit/drainit/signals"
)

// All delivers what os/signal can on c. drainit runs only on Linux; this
// lets the packages that use it build and vet elsewhere.
func All(c chan<- os.Signal) error {
	var sigs []os.Signal
	for _, sig := range signals.Caught() {
		sigs = append(sigs, sig)
	}
	signal.Notify(c, sigs...)
	return nil
}
