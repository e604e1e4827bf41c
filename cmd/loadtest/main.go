// Command loadtest seeds a large synthetic bank and measures the portal
// under load against a minimal net/http baseline in the same run.
//
//	go run ./cmd/loadtest seed --database URL --processes 100000 --messages 1000000 --brokers 1000
//	go run ./cmd/loadtest run --database URL --clients 32 --duration 20s
//
// See README, "Load test". Never point it at a real database: seed refuses
// a database that holds any user, and run adds sessions and tokens for the
// seeded accounts.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `loadtest: seed a synthetic bank and measure the portal under load.

Usage:
  loadtest seed --database URL [--processes 100000] [--messages 1000000] [--brokers 1000]
                [--firms 0] [--customers 0]
        migrate an EMPTY database with the portal's migrations, load the demo world
        (reference data, the demo staff, partner and OBP consumer) and then the
        synthetic bank in bulk
  loadtest run --database URL [--clients 32] [--duration 20s] [--rounds 2]
               [--paths list,slist,page,queue,msgs,post,obp,simulate,preview] [--post-limit 1000] [--users 1000]
               [--warmup 1s] [--log FILE] [--cpuprofile FILE]
        serve the portal in-process (web.New, JSON request log) and drive each path
        with a fixed number of concurrent clients for a fixed time (slist: the staff
        member's bank-wide process list; simulate: POST /v1/simulations, each request
        a different loan priced, computed and stored; preview: the same loans through
        the store's PreviewSimulation in-process, nothing stored); list and msgs
        alternate with a minimal net/http baseline (A/B/A/B...) and print the ratio

DATABASE URL: any form the portal accepts (postgres://..., sqlite:PATH, a path ending in .db).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "seed":
		return cmdSeed(ctx, args[1:], out)
	case "run":
		return cmdRun(ctx, args[1:], out)
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	}
	fmt.Fprint(out, usage)
	return fmt.Errorf("unknown command %q: %w", args[0], flag.ErrHelp)
}
