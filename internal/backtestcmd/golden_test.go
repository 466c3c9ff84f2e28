package backtestcmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/internal/golden"
)

// TestGoldenSMASynth pins the whole path (synthetic source, fetch loop, DuckDB store, engine,
// sma, statistics) on deterministic data: any change to a fill rule, an indicator, a statistic
// or the synthetic generator shows up here and must be accepted with -update.
func TestGoldenSMASynth(t *testing.T) {
	dir := fixture(t)
	o := defaults()
	o.store = filepath.Join(dir, "bars.duckdb")
	o.out = filepath.Join(t.TempDir(), "r")
	o.quiet = true
	o.commission = "0.005/share,min=1"
	o.fees = "alpaca"
	o.slippage = 2
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := backtest(context.Background(), o, &bytes.Buffer{}, &bytes.Buffer{}, now); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"stats.json", "trades.csv"} {
		got, err := os.ReadFile(filepath.Join(o.out, name))
		if err != nil {
			t.Fatal(err)
		}
		got = bytes.ReplaceAll(got, []byte(o.store), []byte("STORE"))
		golden.Compare(t, filepath.Join("testdata", "sma_synth_"+name), got)
	}
}
