package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes shared by both commands (README "Errors").
const (
	ExitOK          = 0
	ExitFailure     = 1   // the work failed: network, server, disk, a damaged store
	ExitUsage       = 2   // bad flags or input: nothing was done
	ExitInterrupted = 130 // Ctrl-C / SIGTERM: finished work was kept
)

// UsageError marks an error caused by what the user asked for; commands exit 2 on it.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// Usage wraps err as a UsageError (nil stays nil).
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return &UsageError{err}
}

// Code maps an error to the exit code the commands use.
func Code(err error) int {
	var u *UsageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &u):
		return ExitUsage
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	}
	return ExitFailure
}

// Report prints err as one line prefixed by the command's name and returns its exit code.
func Report(w io.Writer, name string, err error) int {
	code := Code(err)
	switch code {
	case ExitOK:
	case ExitInterrupted:
		fmt.Fprintf(w, "%s: interrupted; finished work was kept, run the same command again to continue\n", name)
	default:
		// One line whatever the error: a joined error (errors.Join) prints one line per part.
		msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
		fmt.Fprintf(w, "%s: %s\n", name, msg)
	}
	return code
}

// SignalContext is cancelled by the first SIGINT or SIGTERM; a second one exits at once with
// code 130 (work already committed is safe either way).
func SignalContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
			signal.Stop(ch)
			return
		}
		select {
		case <-ch:
			os.Exit(ExitInterrupted)
		case <-ctx.Done():
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}
