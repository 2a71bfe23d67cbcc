// Command benchrun runs one command and prints its wall time in seconds and
// its peak resident set size in KiB ("SECONDS KIB"), for the benchmark
// scripts: its own cost is a fork and exec, where timeout(1), GNU time and
// two date(1) calls around a command added 15 ms to each measurement.
//
//	benchrun [-timeout 10m] [-stdout FILE] [-stderr FILE] -- CMD [ARG...]
//
// The exit status is the command's (1 when it could not be run, 124 when it
// ran past the timeout, as timeout(1) does).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout))
}

// run runs the command args name and prints "SECONDS KIB" to out; it
// returns the exit status.
func run(args []string, out io.Writer) int {
	fs := flag.NewFlagSet("benchrun", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 10*time.Minute, "kill the command after this long")
	stdout := fs.String("stdout", "", "file for the command's standard output (default: ours)")
	stderr := fs.String("stderr", "", "file for the command's standard error (default: ours)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchrun [-timeout D] [-stdout F] [-stderr F] -- CMD [ARG...]")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, fs.Arg(0), fs.Args()[1:]...)
	cmd.Stdin = os.Stdin
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	for _, o := range []struct {
		path string
		to   *io.Writer
	}{{*stdout, &cmd.Stdout}, {*stderr, &cmd.Stderr}} {
		if o.path == "" {
			continue
		}
		f, err := os.Create(o.path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchrun: %v\n", err)
			return 1
		}
		defer f.Close()
		*o.to = f
	}
	t0 := time.Now()
	err := cmd.Run()
	secs := time.Since(t0).Seconds()
	if ctx.Err() != nil {
		fmt.Fprintf(os.Stderr, "benchrun: %s ran past %s\n", fs.Arg(0), *timeout)
		return 124
	}
	var rss int64
	if cmd.ProcessState == nil {
		fmt.Fprintf(os.Stderr, "benchrun: %v\n", err)
		return 1
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB on Linux
	}
	fmt.Fprintf(out, "%.4f %d\n", secs, rss)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchrun: %v\n", err)
		return 1
	}
	return 0
}
