package sweep

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// BenchmarkMemoryPerBar measures the figures behind BarBytes and RunBytes: the bytes a
// loaded bar holds, and the live heap one run adds per bar replayed, measured when its result
// is complete (the run's peak: the whole equity curve is then held).
func BenchmarkMemoryPerBar(b *testing.B) {
	const n = 500_000
	p := mustPlan(b, "sma", nil, "fast=5", "slow=50")
	cfg := engine.Config{Cash: 100000, Hours: engine.AllHours}
	var base, live runtime.MemStats
	var held, run float64
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&base)
		bars := walk(n)
		runtime.GC()
		runtime.ReadMemStats(&live)
		held = float64(live.HeapAlloc-base.HeapAlloc) / n
		score := func(r *engine.Result) (int64, error) {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			run = float64(m.HeapAlloc-live.HeapAlloc) / float64(r.Bars)
			return r.Bars, nil
		}
		if _, _, err := Execute(context.Background(), p, p.Runs, bars, cfg, score, Options{Jobs: 1}); err != nil {
			b.Fatal(err)
		}
		runtime.KeepAlive(bars)
	}
	b.ReportMetric(float64(unsafe.Sizeof(data.Bar{})), "B/bar-sizeof")
	b.ReportMetric(held, "B/bar-held")
	b.ReportMetric(run, "B/bar-run")
}

func TestCheckMemory(t *testing.T) {
	const gb = 1 << 30
	tests := []struct {
		bars      int64
		jobs      int
		available int64
		fitJobs   int // -1: fits
	}{
		{1_000_000, 2, 1 * gb, -1},
		{0, 64, 100 << 20, -1},
		{10_000_000, 8, 4 * gb, 3}, // 64 MB + 0.9 GB held + 8 × 0.97 GB: three runs fit
		{10_000_000, 1, 1 * gb, 0}, // not even one
		{50_000_000, 4, 12 * gb, 1},
	}
	for _, tt := range tests {
		err := CheckMemory(tt.bars, tt.jobs, 0, tt.available)
		if tt.fitJobs < 0 {
			if err != nil {
				t.Errorf("CheckMemory(%d, %d, %d): %v", tt.bars, tt.jobs, tt.available, err)
			}
			continue
		}
		var me *MemoryError
		if !errors.As(err, &me) || me.FitJobs != tt.fitJobs || me.Need != Need(tt.bars, tt.jobs) || me.Available != tt.available {
			t.Errorf("CheckMemory(%d, %d, %d) = %#v, want FitJobs %d", tt.bars, tt.jobs, tt.available, err, tt.fitJobs)
			continue
		}
		if me.FitJobs > 0 && (Need(tt.bars, me.FitJobs) > tt.available || Need(tt.bars, me.FitJobs+1) <= tt.available) {
			t.Errorf("FitJobs %d is not the most that fit", me.FitJobs)
		}
	}
	err := CheckMemory(10_000_000, 8, 0, 4*gb)
	if want := "a sweep of 10000000 bars with 8 parallel runs needs about 8.7 GB of memory (96 B a bar, plus 104 B a bar for each run), but 4.0 GB is available"; err == nil || err.Error() != want {
		t.Errorf("message %q\nwant    %q", err, want)
	}
}

func TestMemAvailable(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"MemTotal:       32768000 kB\nMemFree:  100 kB\nMemAvailable:   23536064 kB\nBuffers: 1 kB\n", 23536064 << 10, true},
		{"MemTotal:       32768000 kB\n", 0, false},
		{"MemAvailable:   lots kB\n", 0, false},
		{"MemAvailable:   12 MB\n", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := memAvailable([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("memAvailable(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCheckMemoryCountsKeptReturns(t *testing.T) {
	// 10,000 combinations over ten years of trading days keep 10,000 × 2,520 × 8 B ≈ 192 MB of
	// daily returns, whatever the jobs: a sweep that fits without them must be refused with them.
	kept := Kept(10_000, 2520)
	if kept != 201_600_000 {
		t.Fatalf("Kept(10000, 2520) = %d, want 201600000", kept)
	}
	bars := int64(1_000_000)
	avail := Need(bars, 1) + kept/2
	if err := CheckMemory(bars, 1, 0, avail); err != nil {
		t.Fatalf("without kept returns: %v", err)
	}
	err := CheckMemory(bars, 1, kept, avail)
	var me *MemoryError
	if !errors.As(err, &me) || me.Kept != kept || me.Need != Need(bars, 1)+kept || me.FitJobs != 0 {
		t.Fatalf("CheckMemory with kept returns = %#v", err)
	}
	if !strings.Contains(err.Error(), "daily returns kept") {
		t.Errorf("message does not name the kept returns: %v", err)
	}
}

func TestCgroupRoom(t *testing.T) {
	tests := []struct {
		max, cur string
		room     int64
		limited  bool
	}{
		{"max\n", "1000\n", 0, false},
		{"2147483648\n", "536870912\n", 1610612736, true},
		{"1000", "5000", 0, true}, // over the limit already: no room
		{"garbage", "1", 0, false},
		{"1000", "", 0, false},
	}
	for _, tt := range tests {
		room, limited := cgroupRoom([]byte(tt.max), []byte(tt.cur))
		if room != tt.room || limited != tt.limited {
			t.Errorf("cgroupRoom(%q, %q) = %d, %v; want %d, %v", tt.max, tt.cur, room, limited, tt.room, tt.limited)
		}
	}
}
