// Command demo is the README's first command: it stops the same nginx +
// php-fpm pod under load twice, once with no init and once with drainit,
// and prints what the load balancer saw. Run it as root from a clone:
//
//	make demo        (or: cd e2e && go run ./cmd/demo)
//
// It installs nginx-light and php8.2-fpm with apt-get if they are missing.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/drainit/drainit/e2e/scenario"
	"github.com/drainit/drainit/internal/testkit"
)

func main() {
	repo := flag.String("repo", "..", "the drainit repository to build")
	flag.Parse()
	if err := demo(*repo); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func demo(repo string) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("run as root: each container is a PID namespace (unshare)")
	}
	bin := scenario.DefaultBinaries("")
	if err := installMissing(map[string]string{bin.Nginx: "nginx-light", bin.PHPFPM: "php8.2-fpm"}); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "drainit-demo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin.Drainit = filepath.Join(work, "drainit")
	fmt.Println("building drainit …")
	if err := testkit.BuildDrainit(repo, bin.Drainit); err != nil {
		return err
	}

	load, d := scenario.DefaultLoad(), scenario.DefaultDrainit()
	fmt.Printf("\nA pod of nginx → php-fpm on 127.0.0.1, each container its own PID namespace.\n"+
		"Load: %d req/s (every %dth takes %d ms). At the stop both containers get SIGTERM;\n"+
		"the load balancer keeps sending new requests for %v more (endpoint propagation).\n"+
		"drainit: nginx --delay %v, php-fpm --delay %v, --timeout %v.\n\n",
		load.Rate, load.SlowEvery, load.SlowMS, load.Lag, d.NginxDelay, d.FPMDelay, d.Timeout)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "init\tsent\tfailed\tstop time\tfailures\t")
	for _, v := range []scenario.Variant{scenario.NoInit(), scenario.DrainitVariant(bin.Drainit, d)} {
		dir, err := os.MkdirTemp(work, "pod")
		if err != nil {
			return err
		}
		res, err := scenario.Run(scenario.Options{Bin: bin, Load: load, Variant: v, Dir: dir})
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%v\t%s\t\n", v.Name, len(res.Requests), len(res.Failed()),
			res.StopDuration.Round(time.Millisecond), res.FailureSummary())
	}
	return tw.Flush()
}

// installMissing apt-get installs the package of each binary not present.
func installMissing(binaries map[string]string) error {
	var pkgs []string
	for path, pkg := range binaries {
		if _, err := os.Stat(path); err != nil {
			pkgs = append(pkgs, pkg)
		}
	}
	if len(pkgs) == 0 {
		return nil
	}
	fmt.Println("installing", pkgs, "…")
	for _, args := range [][]string{{"update", "-qq"}, append([]string{"install", "-y", "-qq", "--no-install-recommends"}, pkgs...)} {
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("apt-get %v: %w", args, err)
		}
	}
	return nil
}
