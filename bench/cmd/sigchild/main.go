// Command sigchild is the child the overhead benchmarks put under each
// init. "sigchild hup" prints the wall-clock time in nanoseconds of every
// SIGHUP it receives; "sigchild exit" prints the time and exits at once.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "exit" {
		fmt.Println(time.Now().UnixNano())
		return
	}
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGHUP)
	fmt.Println("ready")
	for range sigs {
		fmt.Println(time.Now().UnixNano())
	}
}
