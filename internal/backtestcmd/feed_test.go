package backtestcmd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/duckdb"
	"github.com/barkeep-trading/barkeep/data/synth"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// TestFeedChosenLikeTimeframe: a store holding one series from two feeds makes backtest ask
// for --feed, as several timeframes make it ask for --tf; with --feed it runs on that feed's
// bars only.
func TestFeedChosenLikeTimeframe(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "feeds.duckdb")
	st, err := duckdb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	req := data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneDay,
		Start: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}
	for i, feed := range []string{"iex", "sip"} {
		var bars []data.Bar
		for page, err := range synth.New(synth.WithSeed(uint64(i))).Bars(ctx, req) {
			if err != nil {
				t.Fatal(err)
			}
			bars = append(bars, page...)
		}
		if err := st.Write(ctx, data.Batch{Timeframe: data.OneDay, Feed: feed, Bars: bars}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, "--store", path, "--out", filepath.Join(t.TempDir(), "o"))
	if code != cli.ExitUsage || !strings.Contains(stderr, "several feeds (iex, sip): choose one with --feed") {
		t.Fatalf("two feeds without --feed: exit %d, %s", code, stderr)
	}
	outs := map[string]any{}
	for _, feed := range []string{"iex", "sip"} {
		out := filepath.Join(t.TempDir(), "o")
		if code, _, stderr := runCmd(t, "--store", path, "--feed", feed, "--out", out, "--quiet"); code != 0 {
			t.Fatalf("--feed %s: exit %d, %s", feed, code, stderr)
		}
		outs[feed] = readStats(t, out)["final_equity"]
	}
	if outs["iex"] == outs["sip"] {
		t.Errorf("both feeds gave final equity %v: the bars were mixed or the feed ignored", outs["iex"])
	}
}
