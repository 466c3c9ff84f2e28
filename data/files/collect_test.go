package files

import (
	"context"
	"errors"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

func csvRows(name, text string) iter.Seq2[Row, error] {
	return ReadCSV(strings.NewReader(text), name)
}

func collect(t *testing.T, opts Options, name, text string) (*Set, error) {
	t.Helper()
	return Collect(context.Background(), opts, csvRows(name, text))
}

func nyTime(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.NewYork).UTC()
}

func seriesBars(t *testing.T, s *Set, sym string, adj data.Adjustment) []data.Bar {
	t.Helper()
	sr := s.index[data.Series{Symbol: sym, Timeframe: s.Timeframe, Adjustment: adj}]
	if sr == nil {
		t.Fatalf("no series %s %s in %v", sym, adj, s.Series())
	}
	return sr.bars
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		name, file, text string
		opts             Options
		tf               data.Timeframe
		sym              string
		adj              data.Adjustment
		want             []data.Bar // nil: only the count is checked
		bars             int
		covered          string
	}{{
		name: "plain, symbol from the file name, RFC 3339", file: "aapl.csv",
		text: "timestamp,open,high,low,close,volume,trade_count,vwap\n" +
			"2024-01-02T14:30:00Z,10,11,9,10.5,100,7,10.2\n" +
			"2024-01-02T14:31:00Z,10.5,10.6,10.4,10.6,50.5,,\n",
		tf: data.OneMin, sym: "AAPL", adj: data.Raw,
		want: []data.Bar{
			{Symbol: "AAPL", Time: time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC), Open: 10, High: 11, Low: 9, Close: 10.5, Volume: 100, TradeCount: 7, VWAP: 10.2},
			{Symbol: "AAPL", Time: time.Date(2024, 1, 2, 14, 31, 0, 0, time.UTC), Open: 10.5, High: 10.6, Low: 10.4, Close: 10.6, Volume: 50.5},
		},
		covered: "[2024-01-02T14:30:00Z..2024-01-02T14:32:00Z]",
	}, {
		name: "plain, symbol from --symbols, naive New York times, stamped by close", file: "x.csv",
		text: "Timestamp,Open,High,Low,Close,Volume\n2024-07-01 09:35,1,2,1,2,3\n2024-07-01 09:40,2,2,1,1,4\n",
		opts: Options{Symbols: []string{"MSFT"}, TimeIsClose: true}, tf: data.Timeframe{N: 5, Unit: data.Min}, sym: "MSFT", adj: data.Raw,
		want: []data.Bar{
			{Symbol: "MSFT", Time: nyTime(2024, 7, 1, 9, 30), Open: 1, High: 2, Low: 1, Close: 2, Volume: 3},
			{Symbol: "MSFT", Time: nyTime(2024, 7, 1, 9, 35), Open: 2, High: 2, Low: 1, Close: 1, Volume: 4},
		},
		covered: "[2024-07-01T13:30:00Z..2024-07-01T13:40:00Z]",
	}, {
		name: "naive times in another zone", file: "btc.csv",
		text: "timestamp,open,high,low,close,volume\n2024-01-01 00:00:00,1,1,1,1,0\n2024-01-01 01:00:00,1,1,1,1,0\n",
		opts: Options{Symbols: []string{"BTC/USD"}, Location: time.UTC}, tf: data.OneHour, sym: "BTC/USD", adj: data.Raw, bars: 2,
		covered: "[2024-01-01T00:00:00Z..2024-01-01T02:00:00Z]",
	}, {
		name: "symbol column, many symbols, --adjustment", file: "many.csv",
		text: "symbol,timestamp,open,high,low,close,volume\n" +
			"spy,2024-01-02,1,1,1,1,1\nSPY,2024-01-03,1,1,1,1,1\nQQQ,2024-01-05,2,2,2,2,2\nQQQ,2024-01-08,2,2,2,2,2\n",
		opts: Options{Adjustment: data.Split}, tf: data.OneDay, sym: "SPY", adj: data.Split,
		want: []data.Bar{
			{Symbol: "SPY", Time: nyTime(2024, 1, 2, 0, 0), Open: 1, High: 1, Low: 1, Close: 1, Volume: 1},
			{Symbol: "SPY", Time: nyTime(2024, 1, 3, 0, 0), Open: 1, High: 1, Low: 1, Close: 1, Volume: 1},
		},
		covered: "[2024-01-02T05:00:00Z..2024-01-04T05:00:00Z]",
	}, {
		name: "daily bars stamped at midnight UTC across a daylight-saving change", file: "d.csv",
		text: "timestamp,open,high,low,close,volume\n2024-03-08T00:00:00Z,1,1,1,1,1\n2024-03-11T00:00:00Z,1,1,1,1,1\n2024-03-12T00:00:00Z,1,1,1,1,1\n",
		opts: Options{Symbols: []string{"X"}}, tf: data.OneDay, sym: "X", adj: data.Raw, bars: 3,
		covered: "[2024-03-08T05:00:00Z..2024-03-13T04:00:00Z]",
	}, {
		name: "daily bars stamped at midnight New York, in UTC", file: "d.csv",
		text: "timestamp,open,high,low,close,volume\n2024-03-08T05:00:00Z,1,1,1,1,1\n2024-03-11T04:00:00Z,1,1,1,1,1\n",
		opts: Options{Symbols: []string{"X"}}, tf: data.OneDay, sym: "X", adj: data.Raw, bars: 2,
	}, {
		name: "weekly", file: "w.csv",
		text: "timestamp,open,high,low,close,volume\n2024-01-01,1,1,1,1,1\n2024-01-08,1,1,1,1,1\n2024-01-22,1,1,1,1,1\n",
		opts: Options{Symbols: []string{"X"}}, tf: data.Timeframe{N: 1, Unit: data.Week}, sym: "X", adj: data.Raw, bars: 3,
		covered: "[2024-01-01T05:00:00Z..2024-01-29T05:00:00Z]",
	}, {
		name: "quarterly", file: "q.csv",
		text: "timestamp,open,high,low,close,volume\n2024-01-01,1,1,1,1,1\n2024-04-01,1,1,1,1,1\n2024-10-01,1,1,1,1,1\n",
		opts: Options{Symbols: []string{"X"}}, tf: data.Timeframe{N: 3, Unit: data.Month}, sym: "X", adj: data.Raw, bars: 3,
	}, {
		name: "given timeframe coarser than one bar's spacing allows", file: "x.csv",
		text: "timestamp,open,high,low,close,volume\n2024-01-02T14:30:00Z,1,1,1,1,1\n2024-01-02T14:40:00Z,1,1,1,1,1\n",
		opts: Options{Symbols: []string{"X"}, Timeframe: data.Timeframe{N: 5, Unit: data.Min}}, tf: data.Timeframe{N: 5, Unit: data.Min}, sym: "X", adj: data.Raw, bars: 2,
	}, {
		name: "one bar with a given timeframe", file: "x.csv",
		text: "timestamp,open,high,low,close,volume\n2024-01-02,1,1,1,1,1\n",
		opts: Options{Symbols: []string{"X"}, Timeframe: data.OneDay}, tf: data.OneDay, sym: "X", adj: data.Raw, bars: 1,
		covered: "[2024-01-02T05:00:00Z..2024-01-03T05:00:00Z]",
	}, {
		name: "identical duplicates and a blank last line", file: "x.csv",
		text: "timestamp,open,high,low,close,volume\n2024-01-02,1,1,1,1,1\n2024-01-03,1,1,1,1,1\n2024-01-02,1,1,1,1,1\n\n",
		opts: Options{Symbols: []string{"X"}}, tf: data.OneDay, sym: "X", adj: data.Raw, bars: 2,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := collect(t, tc.opts, tc.file, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if s.Timeframe != tc.tf {
				t.Fatalf("timeframe %v, want %v", s.Timeframe, tc.tf)
			}
			got := seriesBars(t, s, tc.sym, tc.adj)
			if tc.want != nil {
				if len(got) != len(tc.want) {
					t.Fatalf("bars %+v\nwant %+v", got, tc.want)
				}
				for i := range got {
					if got[i] != tc.want[i] || got[i].Time.Location() != time.UTC {
						t.Fatalf("bar %d %+v\nwant %+v", i, got[i], tc.want[i])
					}
				}
			} else if len(got) != tc.bars {
				t.Fatalf("%d bars, want %d", len(got), tc.bars)
			}
			if tc.covered != "" {
				if c := s.index[data.Series{Symbol: tc.sym, Timeframe: tc.tf, Adjustment: tc.adj}].covered.String(); c != tc.covered {
					t.Fatalf("covered %s, want %s", c, tc.covered)
				}
			}
		})
	}
}

func TestYahoo(t *testing.T) {
	text := "Date,Open,High,Low,Close,Adj Close,Volume\n" +
		"2024-01-02,187.15,188.44,183.89,185.64,184.94,82488700\n" +
		"2024-01-03,184.22,185.88,183.43,184.25,183.55,58414500\n"
	s, err := collect(t, Options{}, "dir/AAPL.csv", text)
	if err != nil {
		t.Fatal(err)
	}
	if s.Timeframe != data.OneDay || len(s.Series()) != 2 {
		t.Fatalf("timeframe %v, series %v", s.Timeframe, s.Series())
	}
	raw := seriesBars(t, s, "AAPL", data.Raw)
	if raw[0] != (data.Bar{Symbol: "AAPL", Time: nyTime(2024, 1, 2, 0, 0), Open: 187.15, High: 188.44, Low: 183.89, Close: 185.64, Volume: 82488700}) {
		t.Fatalf("raw %+v", raw[0])
	}
	all := seriesBars(t, s, "AAPL", data.All)
	f := 184.94 / 185.64
	if b := all[0]; b.Close != 184.94 || b.Open != 187.15*f || b.Low != 183.89*f || b.High < b.Close || b.Volume != 82488700 || b.Validate() != nil {
		t.Fatalf("adjusted %+v", b)
	}
	if s.Counts != (Counts{Rows: 2, Bars: 4}) {
		t.Fatalf("counts %+v", s.Counts)
	}
}

func TestBadRows(t *testing.T) {
	const head = "timestamp,open,high,low,close,volume\n"
	const good = "2024-01-02T14:30:00Z,10,11,9,10,100\n"
	for _, tc := range []struct {
		name, row, reason string
		line              int
	}{
		{"high below low", "2024-01-02T14:31:00Z,10,9,11,10,1\n", "high 9 is below low 11", 3},
		{"open above high", "2024-01-02T14:31:00Z,12,11,9,10,1\n", "open 12 is outside low..high 9..11", 3},
		{"close below low", "2024-01-02T14:31:00Z,10,11,9,8,1\n", "close 8 is outside low..high 9..11", 3},
		{"zero price", "2024-01-02T14:31:00Z,0,11,0,10,1\n", "open 0 is not a positive price", 3},
		{"negative volume", "2024-01-02T14:31:00Z,10,11,9,10,-1\n", "negative volume -1", 3},
		{"unparsable time", "yesterday,10,11,9,10,1\n", `unparsable time "yesterday"`, 3},
		{"unparsable number", "2024-01-02T14:31:00Z,10,11,nine,10,1\n", `unparsable low "nine"`, 3},
		{"not a number", "2024-01-02T14:31:00Z,NaN,11,9,10,1\n", `unparsable open "NaN"`, 3},
		{"short row", "2024-01-02T14:31:00Z,10,11\n", "3 fields, want 6", 3},
		{"duplicate time with other values", "2024-01-02T14:30:00Z,10,11,9,10,101\n", "X at 2024-01-02T14:30:00Z appears again at f.csv:2 with different values", 3},
		{"daylight-saving gap", "2024-03-10 02:30,10,11,9,10,1\n", "time 2024-03-10 02:30:00 does not exist in America/New_York", 3},
		{"bare quote", "2024-01-02T14:31:00Z,1\"0,11,9,10,1\n", "bare \" in non-quoted-field", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := collect(t, Options{Symbols: []string{"X"}}, "f.csv", head+good+tc.row+"2024-01-02T14:32:00Z,10,11,9,10,100\n")
			var bad *BadRowsError
			if !errors.As(err, &bad) {
				t.Fatalf("err = %v, want bad rows", err)
			}
			want := "f.csv:" + string(rune('0'+tc.line)) + ": " + tc.reason
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %q, want it to name %q", err, want)
			}
			if !strings.Contains(err.Error(), "nothing stored") {
				t.Fatalf("err = %q", err)
			}
		})
	}
}

func TestSkipBadKeepsGoodRowsAndLeavesHoles(t *testing.T) {
	text := "timestamp,open,high,low,close,volume\n" +
		"2024-01-02T14:30:00Z,10,11,9,10,100\n" +
		"2024-01-02T14:31:00Z,10,9,11,10,1\n" + // high below low
		"2024-01-02T14:32:00Z,10,11,9,10,100\n" +
		"garbage,10,11,9,10,100\n" +
		"2024-01-02T14:34:00Z,10,11,9,10,100\n" +
		"2024-01-02T14:35:00Z,10,11,9,10,100\n"
	s, err := collect(t, Options{Symbols: []string{"X"}, SkipBad: true}, "f.csv", text)
	if err != nil {
		t.Fatal(err)
	}
	if s.Counts != (Counts{Rows: 6, Bars: 4, Rejected: 2}) || len(s.Rejected) != 2 || s.Rejected[0].Pos.Line != 3 || s.Rejected[1].Pos.Line != 5 {
		t.Fatalf("counts %+v rejected %v", s.Counts, s.Rejected)
	}
	// The bad bar's minute and the unknown row's place between its neighbours stay uncovered.
	want := "[2024-01-02T14:30:00Z..2024-01-02T14:31:00Z 2024-01-02T14:32:00Z..2024-01-02T14:33:00Z 2024-01-02T14:34:00Z..2024-01-02T14:36:00Z]"
	if got := s.Series()[0].Covered.String(); got != want {
		t.Fatalf("covered %s\nwant    %s", got, want)
	}
}

func TestFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, text string
		opts             Options
		want             string
	}{
		{"unknown column", "x.csv", "timestamp,open,high,low,close,volume,oi\n", Options{}, `x.csv:1: unknown column "oi"`},
		{"missing column", "x.csv", "timestamp,open,high,low,close\n", Options{}, "x.csv:1: no volume column"},
		{"empty file", "x.csv", "", Options{}, "x.csv: empty file"},
		{"file name not a symbol", "my prices.csv", "timestamp,open,high,low,close,volume\n2024-01-02,1,1,1,1,1\n", Options{}, "give --symbols"},
		{"one bar, no timeframe", "x.csv", "timestamp,open,high,low,close,volume\n2024-01-02,1,1,1,1,1\n", Options{}, "give --tf"},
		{"spacing no timeframe", "x.csv", "timestamp,open,high,low,close,volume\n2024-01-02T14:30:00Z,1,1,1,1,1\n2024-01-02T16:00:00Z,1,1,1,1,1\n", Options{}, "1h30m0s apart, which is no timeframe"},
		{"finer than given", "x.csv", "timestamp,open,high,low,close,volume\n2024-01-02T14:30:00Z,1,1,1,1,1\n2024-01-02T14:31:00Z,1,1,1,1,1\n", Options{Timeframe: data.OneHour}, "not a multiple of --tf 1Hour"},
		{"symbols disagree", "x.csv", "symbol,timestamp,open,high,low,close,volume\nA,2024-01-02,1,1,1,1,1\nA,2024-01-03,1,1,1,1,1\nB,2024-01-02T14:30:00Z,1,1,1,1,1\nB,2024-01-02T14:31:00Z,1,1,1,1,1\n", Options{}, "bars of A are 1Day but those of B are 1Min"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := collect(t, tc.opts, tc.file, tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSymbolsFilter(t *testing.T) {
	text := "symbol,timestamp,open,high,low,close,volume\nA,2024-01-02,1,1,1,1,1\nB,2024-01-02,1,1,1,1,1\nA,2024-01-03,1,1,1,1,1\n"
	s, err := collect(t, Options{Symbols: []string{"A"}}, "x.csv", text)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Series()) != 1 || s.Series()[0].Symbol != "A" || s.Counts != (Counts{Rows: 3, Bars: 2, Ignored: 1}) {
		t.Fatalf("series %v counts %+v", s.Series(), s.Counts)
	}
}

func TestPaths(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.CSV", "a.csv", ".hidden.csv", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Paths(dir, ".csv")
	if err != nil || !slices.Equal(got, []string{filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.CSV")}) {
		t.Fatalf("Paths = %v, %v", got, err)
	}
	if got, err := Paths(filepath.Join(dir, "notes.txt"), ".csv"); err != nil || len(got) != 1 {
		t.Fatalf("a file: %v, %v", got, err)
	}
	if _, err := Paths(dir, ".parquet"); err == nil || !strings.Contains(err.Error(), "no *.parquet files") {
		t.Fatalf("no files: %v", err)
	}
}
