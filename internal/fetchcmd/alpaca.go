package fetchcmd

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/alpaca"
	"github.com/barkeep-trading/barkeep/data/fetch"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// checkAlpaca, when set, edits the check's configuration; tests point it at fake hosts.
var checkAlpaca func(*alpaca.CheckConfig)

// check runs fetch --check: one line per check on stdout, exit 0 when none failed, 1
// otherwise. It reads the variables as a fetch would (the dotenv file over the environment).
func check(ctx context.Context, o options, stdout, stderr io.Writer, getenv func(string) string) int {
	env, _, err := envWith(o.envFile, getenv)
	if err != nil {
		return cli.Report(stderr, "fetch", err)
	}
	cc := alpaca.CheckConfig{Getenv: env, EnvFile: o.envFile}
	if checkAlpaca != nil {
		checkAlpaca(&cc)
	}
	code := cli.ExitOK
	for _, r := range alpaca.Check(ctx, cc) {
		fmt.Fprintln(stdout, r)
		if r.Status == alpaca.StatusFail {
			code = cli.ExitFailure
		}
	}
	if ctx.Err() != nil {
		return cli.Report(stderr, "fetch", context.Cause(ctx))
	}
	return code
}

// envWith reads the dotenv file, if any, over getenv: the file's variables win. warning is
// set when the file is readable by others.
func envWith(envFile string, getenv func(string) string) (func(string) string, string, error) {
	if envFile == "" {
		return getenv, "", nil
	}
	vals, warning, err := alpaca.LoadEnvFile(envFile)
	if err != nil {
		return nil, "", cli.Usage(fmt.Errorf("--env-file: %w", err))
	}
	return func(k string) string {
		if v, ok := vals[k]; ok {
			return v
		}
		return getenv(k)
	}, warning, nil
}

func hasStocks(syms []string) bool {
	for _, s := range syms {
		if !data.IsCrypto(s) {
			return true
		}
	}
	return false
}

// horizon says which credential the fetch sends (one line, so that a user with several keys
// sees which one), then moves the plan's end back where the plan refuses recent SIP data, by
// the server's clock, with a one-line notice (alpaca.Source.Horizon). It runs once the store
// is open, so that a usage error stays the only line.
func horizon(ctx context.Context, src data.Source, plan *fetch.Plan, logger *slog.Logger) error {
	a, ok := src.(*alpaca.Source)
	if !ok || !hasStocks(plan.Symbols) {
		return nil
	}
	logger.Info("alpaca", "credential", a.Credential(), "feed", a.Feed())
	end, notice, err := a.Horizon(ctx, plan.End)
	if err != nil {
		return err
	}
	if notice != "" {
		logger.Warn(notice)
	}
	plan.End = end
	return nil
}

// retryNote shows the latest retry on the progress line while its wait lasts.
func retryNote(st alpaca.Stats) string {
	if st.LastRetryAt.IsZero() || time.Since(st.LastRetryAt) > st.LastRetry.Wait+2*time.Second {
		return ""
	}
	return fmt.Sprintf("; retry %d in %s: %s", st.LastRetry.Attempt, st.LastRetry.Wait.Round(100*time.Millisecond), st.LastRetry.Cause)
}
