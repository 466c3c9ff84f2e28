package reports

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestWriteSample writes a sample report to $BARKEEP_REPORT_SAMPLE for looking at in a
// browser; it is skipped unless the variable is set.
func TestWriteSample(t *testing.T) {
	dir := os.Getenv("BARKEEP_REPORT_SAMPLE")
	if dir == "" {
		t.Skip("set BARKEEP_REPORT_SAMPLE=dir to write a sample report")
	}
	r, prices := synthetic(390*252*2, 7)
	s, err := Compute(r, Options{Benchmark: buyAndHold(prices), Version: "v0.0.0-sample",
		RunDate: time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(context.Background(), dir, r, s, WriteOptions{Prices: map[string][]PricePoint{"SYN": prices}}); err != nil {
		t.Fatal(err)
	}
	PrintSummary(os.Stdout, s)
}
