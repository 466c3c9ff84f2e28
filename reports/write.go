package reports

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/internal/atomicfile"
)

// PricePoint is one close of a traded symbol, for the price plots.
type PricePoint struct {
	Time  time.Time
	Price float64
}

// WriteOptions tune WriteDir.
type WriteOptions struct {
	NoHTML bool // skip index.html (the plots with it)
	// Prices holds an optional close series per symbol; each symbol that has one gets a price
	// plot with its trades' entries and exits. The Result does not keep bars, so the caller
	// collects them.
	Prices     map[string][]PricePoint
	PlotPoints int // most points drawn per plotted series; 2000 when zero
	// MaxTradeRows is the most trades index.html holds (sorted and paged in the page, all of
	// them); 20000 when zero. Past it the page lists the first ones and says so; trades.csv has
	// all.
	MaxTradeRows int
}

func (o WriteOptions) withDefaults() WriteOptions {
	if o.PlotPoints <= 0 {
		o.PlotPoints = 2000
	}
	if o.MaxTradeRows <= 0 {
		o.MaxTradeRows = 20000
	}
	return o
}

// Report file names inside the report directory.
const (
	StatsFile  = "stats.json"
	TradesFile = "trades.csv"
	EquityFile = "equity.csv"
	HTMLFile   = "index.html"
)

// replaceDir is a variable so that tests can take the fallback path too.
var replaceDir = atomicfile.ReplaceDir

// afterFile, when set by a test, runs after each file is written; an error aborts WriteDir as
// a crash would.
var afterFile func(name string) error

// WriteDir writes the report of r into dir: stats.json, trades.csv, equity.csv (every point of
// the curve: about 70 bytes a point, so some 70 MB for a million minute bars) and, unless
// o.NoHTML, index.html.
//
// It is atomic for the whole directory: the files are written into a temporary directory beside
// dir, synced, and swapped in with one rename, so a reader (or a crash) sees the old report or
// the new one, never a mix. An existing dir is replaced whole, but only if it is empty or holds
// a previous report (a stats.json): WriteDir will not delete a directory it did not write.
func WriteDir(ctx context.Context, dir string, r *engine.Result, s Summary, o WriteOptions) error {
	if r == nil {
		return errors.New("write report: nil result")
	}
	o = o.withDefaults()
	files := []namedFile{
		{StatsFile, func(w io.Writer) error { return writeStats(w, s) }},
		{TradesFile, func(w io.Writer) error { return writeTrades(w, s.trades(r), s.Dates) }},
		{EquityFile, func(w io.Writer) error { return writeEquity(ctx, w, r.Equity, s.Dates) }},
	}
	if !o.NoHTML {
		files = append(files, namedFile{HTMLFile, func(w io.Writer) error { return writeHTML(ctx, w, r, s, o) }})
	}
	return writeDirAtomic(ctx, dir, "report", StatsFile, files)
}

// namedFile is one file of an output directory and how to write it.
type namedFile struct {
	name  string
	write func(io.Writer) error
}

// writeDirAtomic writes files into a temporary directory beside dir, syncs it and moves it into
// place in one step (atomicfile.ReplaceDir), so that a killed run leaves the previous directory
// whole, never a half-written one. It replaces only what it could have written itself: a
// missing or empty directory, or one that holds marker. what names the output in errors
// ("report", "sweep").
func writeDirAtomic(ctx context.Context, dir, what, marker string, files []namedFile) error {
	dir = filepath.Clean(dir)
	fail := func(err error) error { return fmt.Errorf("write %s %s: %w", what, dir, err) }
	if err := checkReplaceable(dir, marker, what); err != nil {
		return fail(err)
	}
	parent := filepath.Dir(dir)
	if err := atomicfile.MkdirAll(parent); err != nil {
		return fail(err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fail(err)
	}
	defer func() {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fail(err)
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		if err := atomicfile.WriteNew(filepath.Join(tmp, f.name), f.write); err != nil {
			return fail(fmt.Errorf("%s: %w", f.name, err))
		}
		if afterFile != nil {
			if err := afterFile(f.name); err != nil {
				return fail(fmt.Errorf("%s: %w", f.name, err))
			}
		}
	}
	if err := atomicfile.SyncDir(tmp); err != nil {
		return fail(err)
	}
	if err := replaceDir(tmp, dir); err != nil {
		return fail(err)
	}
	tmp = "" // renamed into place, or holding the old output and already removed
	if err := atomicfile.SyncDir(parent); err != nil {
		return fail(err)
	}
	return nil
}

// checkReplaceable refuses to replace anything that is not a previous output of the same kind
// (one holding marker), so that a mistyped --out (a home directory, a source tree) cannot be
// wiped.
func checkReplaceable(dir, marker, what string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return errors.New("exists and is not a directory")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, marker)); err != nil {
		return fmt.Errorf("refusing to replace a non-empty directory that holds no %s (not a previous %s)", marker, what)
	}
	return nil
}

func writeStats(w io.Writer, s Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// TradesHeader is the header line of trades.csv.
var TradesHeader = []string{"symbol", "side", "qty", "entry_time", "entry_price", "exit_time", "exit_price",
	"pnl", "return", "bars_held", "commission_and_fees", "open", "exit_reason"}

// writeTrades writes times in the one convention of every output (fmtWhen).
func writeTrades(w io.Writer, trades tradeLog, dates bool) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TradesHeader); err != nil {
		return err
	}
	var werr error
	err := trades.each(func(t *engine.Trade) bool {
		side := "long"
		if t.Side == engine.Sell {
			side = "short"
		}
		werr = cw.Write([]string{t.Symbol, side, fmtFloat(t.Qty), fmtWhen(t.EntryTime, dates), fmtFloat(t.EntryPrice),
			fmtWhen(t.ExitTime, dates), fmtFloat(t.ExitPrice), fmtFloat(t.PnL), fmtFloat(t.Return),
			strconv.Itoa(t.BarsHeld), fmtFloat(t.Commission), strconv.FormatBool(t.Open), t.ExitReason.String()})
		return werr == nil
	})
	if err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	cw.Flush()
	return cw.Error()
}

// writeEquity formats by hand: encoding/csv allocates a []string per row, which shows at a
// million rows, and these fields never need quoting.
func writeEquity(ctx context.Context, w io.Writer, eq []engine.EquityPoint, dates bool) error {
	if _, err := io.WriteString(w, "time,equity,cash,long,short\n"); err != nil {
		return err
	}
	buf := make([]byte, 0, 256)
	for i, p := range eq {
		if i&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		buf = appendWhen(buf[:0], p.Time(), dates)
		for _, v := range [...]float64{p.Equity(), p.Cash, p.Long, p.Short} {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, v, 'f', -1, 64)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
