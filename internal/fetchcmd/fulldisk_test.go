package fetchcmd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/cli"
	"github.com/barkeep-trading/barkeep/internal/testfs"
)

// A disk that fills up mid-fetch ends the run with exit 1 and one line, leaves a store that
// opens and whose coverage claims only bars it holds, and a rerun with room finishes the job
// to exactly the bars a clean run stores.
func TestFetchDiskFull(t *testing.T) {
	for _, name := range []string{"bars.duckdb", "lake"} {
		t.Run(name, func(t *testing.T) {
			dir := testfs.Tiny(t, "1m")
			store := filepath.Join(dir, name)
			syms := []string{"AAPL", "MSFT"}
			args := []string{"--source", "synth", "--symbols", "AAPL,MSFT", "--tf", "1Min",
				"--start", "2024-01-02", "--end", "2024-03-28", "--store", store, "--quiet"}
			res := runFetch(t, envOf(nil), args...)
			if res.code != cli.ExitFailure {
				t.Fatalf("exit %d on a full disk, want 1; stderr:\n%s", res.code, res.stderr)
			}
			line := lastLine(res.stderr)
			if !strings.HasPrefix(line, "fetch: ") || !strings.Contains(strings.ToLower(line), "no space") {
				t.Errorf("error line %q does not say the disk is full; stderr:\n%s", line, res.stderr)
			}
			if strings.Contains(line, "rollback") {
				t.Errorf("error line %q buries the cause under a failed rollback", line)
			}
			if strings.Contains(res.stderr, "goroutine ") || strings.Contains(res.stderr, "panic") {
				t.Fatalf("stack trace:\n%s", res.stderr)
			}

			// Whatever is covered is there, bar for bar.
			testfs.Resize(t, dir, "64m")
			st := openExisting(t, store)
			for _, sym := range syms {
				cov, err := st.Coverage(context.Background(), data.Series{Symbol: sym, Timeframe: data.OneMin})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range cov {
					it, err := st.Read(context.Background(), data.Query{Symbols: []string{sym}, Timeframe: data.OneMin, Start: r.Start, End: r.End})
					if err != nil {
						t.Fatal(err)
					}
					got, err := data.Collect(it)
					if err != nil {
						t.Fatal(err)
					}
					if want := wantBars(t, []string{sym}, data.OneMin, r); len(got) != len(want) {
						t.Fatalf("%s covers %s but holds %d of its %d bars", sym, r, len(got), len(want))
					}
				}
			}
			st.Close()

			if res := runFetch(t, envOf(nil), args...); res.code != cli.ExitOK {
				t.Fatalf("rerun with room: exit %d\n%s", res.code, res.stderr)
			}
			checkStore(t, store, syms, span(t, "2024-01-02", "2024-03-28"))
		})
	}
}
