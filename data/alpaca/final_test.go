package alpaca

import (
	"context"
	"iter"
	"path/filepath"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/data/fetch"
	"github.com/barkeep-trading/barkeep/data/parquet"
	"github.com/barkeep-trading/barkeep/internal/alpacatest"
)

// world is what the fake server's "Alpaca" knows: bars on a grid (first stamp and step), of
// which the one holding the server's clock is still forming (its close moves with the clock),
// and optionally a 2-for-1 split that adjusted requests reflect once the clock has passed its
// ex-date. It stands in for behaviour Alpaca does not document: whether a forming bar is
// returned (v1 said no incomplete bars; v2 is silent), so the worst case is served.
type world struct {
	clock  *alpacatest.Clock
	first  time.Time
	step   func(time.Time) time.Time
	exDate time.Time // zero: no split
}

func (w *world) Feed() string { return "sip" }

func (w *world) Bars(ctx context.Context, req data.Request) iter.Seq2[[]data.Bar, error] {
	return func(yield func([]data.Bar, error) bool) {
		now := w.clock.Now()
		var page []data.Bar
		for t, i := w.first, 0; t.Before(req.End) && !t.After(now); t, i = w.step(t), i+1 {
			next := w.step(t)
			c := 100 + float64(i)
			if next.After(now) { // forming: its close is the last trade so far
				c += now.Sub(t).Hours() / 1000
			}
			if !w.exDate.IsZero() && req.Adjustment != data.Raw && t.Before(w.exDate) && !now.Before(w.exDate) {
				c /= 2
			}
			if t.Before(req.Start) {
				continue
			}
			for _, sym := range req.Symbols {
				page = append(page, data.Bar{Symbol: sym, Time: t, Open: c, High: c, Low: c, Close: c, Volume: 1})
			}
		}
		if len(page) > 0 {
			yield(page, nil)
		}
	}
}

func days(n int) func(time.Time) time.Time {
	return func(t time.Time) time.Time { return t.AddDate(0, 0, n) }
}

func months(t time.Time) time.Time { return t.AddDate(0, 1, 0) }

// TestFinalByServerClock runs each timeframe with the server's clock in the middle of a
// period and the local end two days ahead: the forming bar is stored but its range is not
// covered; once the clock passes the period, the next run fetches the bar again, replaces it
// and covers it.
func TestFinalByServerClock(t *testing.T) {
	chi, _ := time.LoadLocation("America/Chicago")
	ny := calendar.NewYork
	tests := []struct {
		name       string
		sym        string
		tf         data.Timeframe
		first      time.Time // the first bar's stamp, which gives the alignment
		step       func(time.Time) time.Time
		mid, after time.Time // the server's clock in the forming period, then past it
		forming    time.Time // the forming bar's open
	}{
		{"stock 1Day, midnight New York", "AAPL", data.OneDay, time.Date(2025, 3, 3, 0, 0, 0, 0, ny), days(1),
			time.Date(2025, 3, 12, 15, 0, 0, 0, ny), time.Date(2025, 3, 13, 0, 0, 1, 0, ny), time.Date(2025, 3, 12, 0, 0, 0, 0, ny)},
		{"stock 1Week, Monday New York", "AAPL", data.Timeframe{N: 1, Unit: data.Week}, time.Date(2025, 1, 6, 0, 0, 0, 0, ny), days(7),
			time.Date(2025, 3, 12, 15, 0, 0, 0, ny), time.Date(2025, 3, 17, 0, 0, 1, 0, ny), time.Date(2025, 3, 10, 0, 0, 0, 0, ny)},
		{"stock 1Month, the 1st New York", "AAPL", data.Timeframe{N: 1, Unit: data.Month}, time.Date(2024, 9, 1, 0, 0, 0, 0, ny), months,
			time.Date(2025, 3, 12, 15, 0, 0, 0, ny), time.Date(2025, 4, 1, 0, 0, 1, 0, ny), time.Date(2025, 3, 1, 0, 0, 0, 0, ny)},
		{"crypto 1Day, midnight UTC", "BTC/USD", data.OneDay, time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC), days(1),
			time.Date(2025, 3, 12, 2, 0, 0, 0, time.UTC), time.Date(2025, 3, 13, 0, 0, 1, 0, time.UTC), time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC)},
		{"crypto 1Day, midnight Chicago", "BTC/USD", data.OneDay, time.Date(2025, 3, 3, 0, 0, 0, 0, chi), days(1),
			time.Date(2025, 3, 12, 23, 0, 0, 0, chi), time.Date(2025, 3, 13, 0, 0, 1, 0, chi), time.Date(2025, 3, 12, 0, 0, 0, 0, chi)},
		{"stock 1Hour", "AAPL", data.OneHour, time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC), func(t time.Time) time.Time { return t.Add(time.Hour) },
			time.Date(2025, 3, 12, 15, 30, 0, 0, time.UTC), time.Date(2025, 3, 12, 16, 0, 1, 0, time.UTC), time.Date(2025, 3, 12, 15, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := alpacatest.NewClock(tt.mid)
			w := &world{clock: clock, first: tt.first, step: tt.step} // stepped in its own zone
			srv := alpacatest.NewServer(t, alpacatest.Options{Source: w, Now: clock.Now, RecentSIP: true})
			src, _ := newTestSource(t, srv, nil, nil)
			st, err := parquet.Open(t.Context(), filepath.Join(t.TempDir(), "lake"))
			if err != nil {
				t.Fatal(err)
			}
			sr := data.Series{Symbol: tt.sym, Timeframe: tt.tf, Feed: "sip"}
			run := func(now time.Time) *fetch.Report {
				t.Helper()
				// The local clock runs two days ahead of the server's.
				rep, err := fetch.Run(t.Context(), src, st, fetch.Plan{Symbols: []string{tt.sym}, Timeframes: []data.Timeframe{tt.tf},
					Start: tt.first, End: now.Add(48 * time.Hour)}, nil)
				if err != nil {
					t.Fatal(err)
				}
				return rep
			}
			forming := func() data.Bar {
				t.Helper()
				it, err := st.Read(t.Context(), data.Query{Symbols: []string{tt.sym}, Timeframe: tt.tf, Feed: "sip", Start: tt.forming, End: tt.forming.Add(time.Second)})
				if err != nil {
					t.Fatal(err)
				}
				bars, err := data.Collect(it)
				if err != nil || len(bars) != 1 {
					t.Fatalf("the forming bar: %v (%v)", bars, err)
				}
				return bars[0]
			}
			rep := run(tt.mid)
			if d := rep.Series[0].AsOf.Sub(tt.mid); d < -time.Second || d > time.Second {
				t.Errorf("as-of %v, want the server's clock %v", rep.Series[0].AsOf, tt.mid)
			}
			cov, err := st.Coverage(t.Context(), sr)
			if err != nil {
				t.Fatal(err)
			}
			if len(cov) != 1 || !cov[0].End.Equal(tt.forming) {
				t.Fatalf("mid-period coverage %v, want it to end at the forming bar's open %v", cov, tt.forming.UTC())
			}
			before := forming()
			clock.Set(tt.after)
			run(tt.after)
			after := forming()
			if after.Close == before.Close {
				t.Errorf("the forming bar was not fetched again: close %v both times", after.Close)
			}
			cov, err = st.Coverage(t.Context(), sr)
			if err != nil {
				t.Fatal(err)
			}
			if len(cov) != 1 || cov[0].End.Before(tt.step(tt.forming)) {
				t.Fatalf("after the period coverage %v, want it past %v", cov, tt.step(tt.forming).UTC())
			}
			if at, err := st.AsOf(t.Context(), sr); err != nil || at.Sub(tt.after).Abs() > time.Second {
				t.Errorf("stored as-of %v (%v), want %v", at, err, tt.after)
			}
		})
	}
}

// TestSplitBetweenRuns fetches a split-adjusted series, lets the server's clock pass a 2-for-1
// split's ex-date, and fetches again: the corporate-actions endpoint names the split, so the
// series is refetched whole and replaced, all on the new basis; a third run finds nothing new.
func TestSplitBetweenRuns(t *testing.T) {
	ny := calendar.NewYork
	ex := time.Date(2025, 3, 10, 0, 0, 0, 0, ny)
	clock := alpacatest.NewClock(time.Date(2025, 3, 6, 20, 0, 0, 0, ny))
	w := &world{clock: clock, first: time.Date(2025, 3, 3, 0, 0, 0, 0, ny), step: days(1), exDate: ex}
	srv := alpacatest.NewServer(t, alpacatest.Options{Source: w, Now: clock.Now, RecentSIP: true,
		Actions: []alpacatest.Action{{Type: "forward_split", Symbol: "AAPL", ExDate: ex, OldRate: 1, NewRate: 2}}})
	src, _ := newTestSource(t, srv, nil, nil)
	st, err := parquet.Open(t.Context(), filepath.Join(t.TempDir(), "lake"))
	if err != nil {
		t.Fatal(err)
	}
	run := func() fetch.SeriesReport {
		t.Helper()
		rep, err := fetch.Run(t.Context(), src, st, fetch.Plan{Symbols: []string{"AAPL"}, Timeframes: []data.Timeframe{data.OneDay},
			Adjustment: data.Split, Start: w.first, End: clock.Now()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Series[0]
	}
	closes := func() []float64 {
		t.Helper()
		it, err := st.Read(t.Context(), data.Query{Symbols: []string{"AAPL"}, Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip"})
		if err != nil {
			t.Fatal(err)
		}
		bars, err := data.Collect(it)
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, b := range bars {
			out = append(out, b.Close)
		}
		return out
	}
	if r := run(); r.Replaced {
		t.Fatalf("first run replaced a series that was not there")
	}
	if got := closes(); len(got) != 3 || got[0] != 100 {
		t.Fatalf("before the split: %v", got)
	}
	clock.Set(time.Date(2025, 3, 12, 20, 0, 0, 0, ny))
	r := run()
	if !r.Replaced || len(r.Actions) != 1 || r.Actions[0].Type != "forward_split" || !r.Actions[0].ExDate.Equal(ex) {
		t.Fatalf("after the split: replaced %v, actions %+v", r.Replaced, r.Actions)
	}
	got := closes()
	want := []float64{50, 50.5, 51, 51.5, 52, 52.5, 53, 107, 108} // Mar 3..9 halved, then the 10th and 11th
	if len(got) != len(want) {
		t.Fatalf("after the split: closes %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("after the split: closes %v, want %v (one basis)", got, want)
		}
	}
	if r := run(); r.Replaced || len(r.Actions) != 0 {
		t.Fatalf("third run: replaced %v, actions %v", r.Replaced, r.Actions)
	}
	if n := srv.Requests(alpacatest.CorporateActionsPath); n != 2 {
		t.Errorf("%d corporate-actions requests, want 2 (the first run had nothing stored to check)", n)
	}
}
