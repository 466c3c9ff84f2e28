package fetchcmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/fetch"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

var noEnv = envOf(nil)

// vendorCSV writes bars as a vendor's export with a symbol column: RFC 3339 times and every
// digit, so that the file holds exactly the bars.
func vendorCSV(t *testing.T, path string, bars []data.Bar) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("symbol,timestamp,open,high,low,close,volume,trade_count,vwap\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, x := range bars {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%d,%s\n", x.Symbol, x.Time.Format(time.RFC3339),
			f(x.Open), f(x.High), f(x.Low), f(x.Close), f(x.Volume), x.TradeCount, f(x.VWAP))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// vendorParquet writes bars as a user's Parquet file: a symbol, a UTC timestamp and OHLCV.
func vendorParquet(t *testing.T, path string, bars []data.Bar) {
	t.Helper()
	nodes := []struct {
		name string
		lt   schema.LogicalType
		typ  pq.Type
	}{
		{"symbol", schema.StringLogicalType{}, pq.Types.ByteArray},
		{"timestamp", schema.NewTimestampLogicalType(true, schema.TimeUnitMicros), pq.Types.Int64},
		{"open", schema.NoLogicalType{}, pq.Types.Double}, {"high", schema.NoLogicalType{}, pq.Types.Double},
		{"low", schema.NoLogicalType{}, pq.Types.Double}, {"close", schema.NoLogicalType{}, pq.Types.Double},
		{"volume", schema.NoLogicalType{}, pq.Types.Double},
	}
	fields := make(schema.FieldList, len(nodes))
	for i, n := range nodes {
		node, err := schema.NewPrimitiveNodeLogical(n.name, pq.Repetitions.Required, n.lt, n.typ, -1, -1)
		if err != nil {
			t.Fatal(err)
		}
		fields[i] = node
	}
	g, err := schema.NewGroupNode("schema", pq.Repetitions.Required, fields, -1)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fw := file.NewParquetWriter(f, g)
	rg := fw.AppendRowGroup()
	for i := range nodes {
		cw, err := rg.NextColumn()
		if err != nil {
			t.Fatal(err)
		}
		switch w := cw.(type) {
		case *file.ByteArrayColumnChunkWriter:
			vals := make([]pq.ByteArray, len(bars))
			for k, b := range bars {
				vals[k] = pq.ByteArray(b.Symbol)
			}
			_, err = w.WriteBatch(vals, nil, nil)
		case *file.Int64ColumnChunkWriter:
			vals := make([]int64, len(bars))
			for k, b := range bars {
				vals[k] = b.Time.UnixMicro()
			}
			_, err = w.WriteBatch(vals, nil, nil)
		case *file.Float64ColumnChunkWriter:
			vals := make([]float64, len(bars))
			for k, b := range bars {
				vals[k] = [...]float64{b.Open, b.High, b.Low, b.Close, b.Volume}[i-2]
			}
			_, err = w.WriteBatch(vals, nil, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := cw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rg.Close(); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestImportFiles imports a CSV file and a Parquet file of the bars fetch would store, into
// both stores: the store holds exactly those bars with the feed of their files, and a rerun
// stores nothing and changes nothing.
func TestImportFiles(t *testing.T) {
	tf := data.Timeframe{N: 15, Unit: data.Min}
	syms := []string{"AAPL", "MSFT"}
	want := wantBars(t, syms, tf, span(t, "2024-01-29", "2024-02-09"))
	for _, source := range []string{"csv", "parquet"} {
		t.Run(source, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, store string) {
				dir := t.TempDir()
				in := filepath.Join(dir, "bars."+source)
				if source == "csv" {
					vendorCSV(t, in, want)
				} else {
					for i := range want {
						want[i].TradeCount, want[i].VWAP = 0, 0 // the Parquet file has neither
					}
					vendorParquet(t, in, want)
				}
				res := runFetch(t, noEnv, "--source", source, "--path", dir, "--store", store, "--quiet")
				if res.code != cli.ExitOK {
					t.Fatalf("exit %d\n%s", res.code, res.stderr)
				}
				if !strings.Contains(res.stdout, fmt.Sprintf("%d rows read from 1 file (15Min bars): %d bars stored, 0 rows rejected", len(want), len(want))) {
					t.Fatalf("summary:\n%s", res.stdout)
				}
				if got := readStore(t, store, syms, tf); len(got) != len(want) {
					t.Fatalf("%d bars stored, want %d", len(got), len(want))
				} else {
					for i := range got {
						if got[i] != want[i] {
							t.Fatalf("bar %d: %+v, want %+v", i, got[i], want[i])
						}
					}
				}

				list := runFetch(t, noEnv, "--list", "--json", "--store", store)
				if list.code != cli.ExitOK {
					t.Fatalf("--list exit %d\n%s", list.code, list.stderr)
				}
				var ls []fetch.Listing
				if err := json.Unmarshal([]byte(list.stdout), &ls); err != nil {
					t.Fatalf("--list --json: %v\n%s", err, list.stdout)
				}
				if len(ls) != 2 || ls[0].Symbol != "AAPL" || ls[0].Feed != source || ls[0].Bars == 0 || len(ls[0].Covered) != 1 ||
					!ls[0].Covered[0].Start.Equal(want[0].Time) || len(ls[0].MissingDays) != 0 {
					t.Fatalf("listing %+v", ls)
				}
				text := runFetch(t, noEnv, "--list", "--store", store)
				if text.code != cli.ExitOK || !strings.Contains(text.stdout, "MSFT") || !strings.Contains(text.stdout, source) {
					t.Fatalf("--list exit %d\n%s%s", text.code, text.stdout, text.stderr)
				}

				before := snapshot(t, filepath.Dir(store))
				again := runFetch(t, noEnv, "--source", source, "--path", in, "--store", store, "--json")
				if again.code != cli.ExitOK {
					t.Fatalf("rerun exit %d\n%s", again.code, again.stderr)
				}
				var sum struct {
					BarsAdded int64 `json:"bars_added"`
					Import    struct {
						Rows, Bars, Rejected int
						Stored               int64
					} `json:"import"`
				}
				if err := json.Unmarshal([]byte(again.stdout), &sum); err != nil {
					t.Fatalf("--json: %v\n%s", err, again.stdout)
				}
				if sum.BarsAdded != 0 || sum.Import.Stored != 0 || sum.Import.Rows != len(want) || sum.Import.Bars != len(want) {
					t.Fatalf("rerun summary %+v\n%s", sum, again.stdout)
				}
				sameSnapshot(t, before, snapshot(t, filepath.Dir(store)))
			})
		})
	}
}

// TestImportBadRows: a bad row stops the import with its file:line and reason, exit 2, before
// the store is touched; --skip-bad stores the rest and lists it.
func TestImportBadRows(t *testing.T) {
	forEachStore(t, func(t *testing.T, store string) {
		dir := t.TempDir()
		in := filepath.Join(dir, "spy.csv")
		good := "timestamp,open,high,low,close,volume\n2024-01-02,470,472,468,471,1000\n2024-01-03,471,473,469,470,1000\n"
		if err := os.WriteFile(in, []byte(good), 0o644); err != nil {
			t.Fatal(err)
		}
		if res := runFetch(t, noEnv, "--source", "csv", "--path", in, "--store", store, "--quiet"); res.code != cli.ExitOK {
			t.Fatalf("exit %d\n%s", res.code, res.stderr)
		}
		bad := good + "2024-01-04,471,468,472,470,1000\n2024-01-05,471,473,469,470,1000\n"
		if err := os.WriteFile(in, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, filepath.Dir(store))
		res := runFetch(t, noEnv, "--source", "csv", "--path", in, "--store", store)
		if res.code != cli.ExitUsage {
			t.Fatalf("exit %d, want 2\n%s", res.code, res.stderr)
		}
		line := oneLine(t, "stderr", res.stderr)
		if want := in + ":4: high 468 is below low 472"; !strings.Contains(line, want) || !strings.HasPrefix(line, "fetch: ") {
			t.Fatalf("error %q, want it to hold %q", line, want)
		}
		sameSnapshot(t, before, snapshot(t, filepath.Dir(store)))

		res = runFetch(t, noEnv, "--source", "csv", "--path", in, "--store", store, "--skip-bad", "--quiet")
		if res.code != cli.ExitOK || !strings.Contains(res.stdout, "rejected "+in+":4: high 468 is below low 472") ||
			!strings.Contains(res.stdout, "4 rows read from 1 file (1Day bars): 1 bars stored, 1 rows rejected") {
			t.Fatalf("--skip-bad exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		if got := readStore(t, store, []string{"SPY"}, data.OneDay); len(got) != 3 {
			t.Fatalf("%d bars stored, want 3", len(got))
		}
		cov := coverageOf(t, store, "SPY", data.OneDay)
		if len(cov) != 2 || cov.Covers(data.Range{Start: time.Date(2024, 1, 4, 5, 0, 0, 0, time.UTC), End: time.Date(2024, 1, 4, 6, 0, 0, 0, time.UTC)}) {
			t.Fatalf("coverage %v claims the rejected day", cov)
		}
	})
}

func TestImportUsage(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(in, []byte("timestamp,open,high,low,close,volume\n2024-01-02,1,1,1,1,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "bars.duckdb")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--source", "csv"}, "needs --path"},
		{[]string{"--source", "csv", "--path", filepath.Join(dir, "none.csv")}, "no such file"},
		{[]string{"--source", "csv", "--path", in, "--start", "2024-01-01"}, "--start and --end do not apply"},
		{[]string{"--source", "csv", "--path", in, "--tz", "Mars/Olympus"}, "--tz: unknown time zone"},
		{[]string{"--source", "csv", "--path", in, "--time-is", "middle"}, "--time-is"},
		{[]string{"--source", "csv", "--path", in, "--tf", "1Day,1Min"}, "one timeframe"},
		{[]string{"--source", "csv", "--path", in}, "give --tf"},
		{[]string{"--source", "parquet", "--path", dir}, "no *.parquet files"},
		{[]string{"--list"}, "no store at"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := snapshot(t, dir)
			res := runFetch(t, noEnv, append([]string{"--store", store}, tc.args...)...)
			if res.code != cli.ExitUsage || !strings.Contains(res.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q, want 2 and %q", res.code, res.stderr, tc.want)
			}
			sameSnapshot(t, before, snapshot(t, dir))
		})
	}
}

// TestFetchJSON: --json puts the summary on stdout as one JSON object and nothing else there.
func TestFetchJSON(t *testing.T) {
	store := filepath.Join(t.TempDir(), "bars.duckdb")
	res := runFetch(t, noEnv, "--source", "synth", "--symbols", "AAPL,MSFT", "--tf", "1Day", "--start", "2024-01-02", "--end", "2024-03-28", "--store", store, "--json")
	if res.code != cli.ExitOK {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	var sum struct {
		Source    string `json:"source"`
		Feed      string `json:"feed"`
		BarsAdded int64  `json:"bars_added"`
		Series    []struct {
			Symbol    string     `json:"symbol"`
			BarsAdded int64      `json:"bars_added"`
			First     *time.Time `json:"first_bar"`
		} `json:"series"`
		Import *struct{} `json:"import"`
	}
	dec := json.NewDecoder(strings.NewReader(res.stdout))
	if err := dec.Decode(&sum); err != nil || dec.More() {
		t.Fatalf("stdout is not one summary object (%v):\n%s", err, res.stdout)
	}
	want := int64(len(wantBars(t, []string{"AAPL", "MSFT"}, data.OneDay, span(t, "2024-01-02", "2024-03-28"))))
	if sum.Source != "synth" || sum.Feed != "synth" || sum.BarsAdded != want || len(sum.Series) != 2 || sum.Series[0].First == nil || sum.Import != nil {
		t.Fatalf("summary %+v", sum)
	}
}
