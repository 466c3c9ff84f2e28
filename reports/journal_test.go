package reports_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/synth"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/reports"
)

// TestJournalSameReport: a run recorded into a Journal gives the report the engine's Result
// gives, file for file and byte for byte. Three symbols with hundreds of trades each take the
// paths that thin: the price plots' markers and the HTML trade table's cap.
func TestJournalSameReport(t *testing.T) {
	ctx := context.Background()
	req := data.Request{Symbols: []string{"AAA", "BBB", "CCC"}, Timeframe: data.Timeframe{N: 15, Unit: data.Min},
		Start: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)}
	var bars []data.Bar
	for page, err := range synth.New(synth.WithSeed(3)).Bars(ctx, req) {
		if err != nil {
			t.Fatal(err)
		}
		bars = append(bars, page...)
	}
	slices.SortFunc(bars, func(a, b data.Bar) int {
		if data.Less(&a, &b) {
			return -1
		}
		return 1
	})
	prices := map[string][]reports.PricePoint{}
	for _, b := range bars {
		prices[b.Symbol] = append(prices[b.Symbol], reports.PricePoint{Time: b.Time, Price: b.Close})
	}
	cfg := engine.Config{Cash: 100000, Commission: engine.Commission{Kind: engine.PerShare, Rate: 0.005, Min: 1},
		Fees: engine.AlpacaFees, SlippageBps: 2, Strategy: "flipper",
		Provenance: engine.Provenance{Store: "synth", Symbols: req.Symbols, Timeframe: req.Timeframe, Start: req.Start, End: req.End, Feed: "synth"}}
	ropts := reports.Options{RiskFree: 0.02, Version: "test", RunDate: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	wopts := reports.WriteOptions{Prices: prices}

	res, err := engine.Run(ctx, cfg, data.NewSliceIterator(bars), &flipper{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Trades) < 3*400 {
		t.Fatalf("%d trades: too few to thin the markers and cap the table", len(res.Trades))
	}
	want := writeReport(t, res, ropts, wopts)

	j, err := reports.NewJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	rec, err := engine.RunRecorded(ctx, cfg, data.NewSliceIterator(bars), &flipper{}, j)
	if err != nil {
		t.Fatal(err)
	}
	ropts.Journal = j
	got := writeReport(t, rec, ropts, wopts)
	for _, name := range []string{reports.StatsFile, reports.TradesFile, reports.EquityFile, reports.HTMLFile} {
		a, b := readAll(t, filepath.Join(want, name)), readAll(t, filepath.Join(got, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs with a Journal (%d bytes, want %d)", name, len(b), len(a))
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeReport(t *testing.T, r *engine.Result, o reports.Options, w reports.WriteOptions) string {
	t.Helper()
	s, err := reports.Compute(r, o)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "report")
	if err := reports.WriteDir(context.Background(), dir, r, s, w); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readAll(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
