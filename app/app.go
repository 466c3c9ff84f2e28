package app

import (
	"context"
	"io"
	"os"

	"github.com/barkeep-trading/barkeep/internal/backtestcmd"
	"github.com/barkeep-trading/barkeep/internal/fetchcmd"
)

// Backtest runs the backtest command on os.Args[1:] and exits with its code.
func Backtest() { backtestcmd.Main() }

// Fetch runs the fetch command on os.Args[1:] and exits with its code.
func Fetch() { fetchcmd.Main() }

// RunBacktest runs the backtest command with args (without the program name) and returns its
// exit code instead of exiting. It stops when ctx is cancelled.
func RunBacktest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return backtestcmd.Run(ctx, args, stdout, stderr)
}

// RunFetch runs the fetch command with args (without the program name), reading the
// environment of this process for keys, and returns its exit code instead of exiting.
func RunFetch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return fetchcmd.Run(ctx, args, stdout, stderr, os.Getenv)
}
