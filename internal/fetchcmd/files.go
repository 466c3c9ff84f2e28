package fetchcmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/fetch"
	"github.com/barkeep-trading/barkeep/data/files"
	"github.com/barkeep-trading/barkeep/data/parquet"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// fileSource reports whether --source names users' files rather than a data server.
func fileSource(source string) bool { return source == "csv" || source == "parquet" }

// fileOptions checks the flags of an import from files, before anything is read.
func fileOptions(o options) (files.Options, error) {
	opts := files.Options{Feed: o.source, SkipBad: o.skipBad}
	switch {
	case strings.TrimSpace(o.path) == "":
		return opts, cli.Usagef("--source %s needs --path: a file or a directory of *.%s files", o.source, o.source)
	case o.start != "" || o.end != "":
		return opts, cli.Usagef("--start and --end do not apply to --source %s: the files' bars are imported whole", o.source)
	case o.symbols != "" && o.symbolsFile != "":
		return opts, cli.Usagef("give --symbols or --symbols-file, not both")
	}
	var err error
	switch {
	case o.symbolsFile != "":
		opts.Symbols, err = cli.ReadSymbolsFile(o.symbolsFile)
	case o.symbols != "":
		opts.Symbols, err = cli.ParseSymbols(o.symbols)
	}
	if err != nil {
		return opts, err
	}
	if o.tfSet {
		tfs, err := data.ParseTimeframes(o.tf)
		if err != nil {
			return opts, cli.Usage(fmt.Errorf("--tf: %w", err))
		}
		if len(tfs) != 1 {
			return opts, cli.Usagef("--tf: files hold one timeframe, not %d", len(tfs))
		}
		opts.Timeframe = tfs[0]
	}
	if opts.Adjustment, err = data.ParseAdjustment(o.adjustment); err != nil {
		return opts, cli.Usage(fmt.Errorf("--adjustment: %w", err))
	}
	if opts.Location, err = time.LoadLocation(o.tz); err != nil || o.tz == "" || o.tz == "Local" {
		return opts, cli.Usagef("--tz: unknown time zone %q: want an IANA name such as America/New_York or UTC", o.tz)
	}
	switch o.timeIs {
	case "open":
	case "close":
		opts.TimeIsClose = true
	default:
		return opts, cli.Usagef("--time-is: %q: want open (bars stamped by their open, as Alpaca's) or close", o.timeIs)
	}
	return opts, nil
}

// collectFiles reads and checks every file at --path. Bad input, from a missing path to a bad
// row, is a usage error: nothing has been stored.
func collectFiles(ctx context.Context, o options, opts files.Options) (*files.Set, []string, error) {
	paths, err := files.Paths(o.path, "."+o.source)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, cli.Usagef("--path %s: no such file or directory", o.path)
		}
		return nil, nil, cli.Usage(fmt.Errorf("--path: %w", err))
	}
	read := files.OpenCSV
	if o.source == "parquet" {
		read = parquet.ReadRows
	}
	rows := make([]iter.Seq2[files.Row, error], len(paths))
	for i, p := range paths {
		rows[i] = read(p)
	}
	set, err := files.Collect(ctx, opts, rows...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, cli.Usage(err)
	}
	return set, paths, nil
}

// importFiles stores the bars of the files at --path, as fetchBars stores fetched ones.
func importFiles(ctx context.Context, o options, stdout, stderr io.Writer, logger *slog.Logger) error {
	opts, err := fileOptions(o)
	if err != nil {
		return err
	}
	set, paths, err := collectFiles(ctx, o, opts)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, o.store)
	if err != nil {
		return err
	}
	defer st.Close()
	bar, progress := newProgress(o, stderr, logger, "import", func() string { return "" })
	started := time.Now()
	rep, err := set.Import(ctx, st, progress)
	if bar != nil {
		bar.Done()
	}
	if rep != nil {
		imp := &importSummary{Files: len(paths), Timeframe: set.Timeframe, Counts: set.Counts, Rejected: set.Rejected}
		if o.json {
			if err := writeSummaryJSON(stdout, o.source, rep, time.Since(started), imp); err != nil {
				return err
			}
		} else {
			printSummary(stdout, rep, time.Since(started), "")
			printImport(stdout, imp, rep)
		}
	}
	if err != nil {
		return err
	}
	return st.Close()
}

// importSummary is what an import adds to the fetch summary.
type importSummary struct {
	Files     int
	Timeframe data.Timeframe
	Counts    files.Counts
	Rejected  []*files.RowError
}

func printImport(w io.Writer, imp *importSummary, rep *fetch.Report) {
	var stored int64
	for _, s := range rep.Series {
		stored += s.BarsAdded
	}
	files := "files"
	if imp.Files == 1 {
		files = "file"
	}
	fmt.Fprintf(w, "%d rows read from %d %s (%s bars): %d bars stored, %d rows rejected, %d duplicates dropped",
		imp.Counts.Rows, imp.Files, files, imp.Timeframe, stored, imp.Counts.Rejected, imp.Counts.Duplicates)
	if imp.Counts.Ignored > 0 {
		fmt.Fprintf(w, ", %d of other symbols ignored", imp.Counts.Ignored)
	}
	if already := int64(imp.Counts.Bars) - stored; already > 0 {
		fmt.Fprintf(w, "; %d bars were covered already and left as stored", already)
	}
	fmt.Fprintln(w)
	for _, r := range imp.Rejected {
		fmt.Fprintf(w, "rejected %s\n", r)
	}
}

// summaryJSON is the fetch summary for scripts (--json); its keys are stable.
type summaryJSON struct {
	Source      string              `json:"source"`
	Feed        string              `json:"feed"`
	Series      []seriesSummaryJSON `json:"series"`
	BarsAdded   int64               `json:"bars_added"`
	ChunksDone  int                 `json:"chunks_done"`
	ChunksTotal int                 `json:"chunks_total"`
	Seconds     float64             `json:"seconds"`
	Import      *importJSON         `json:"import,omitempty"` // --source csv or parquet only
}

type seriesSummaryJSON struct {
	Symbol         string          `json:"symbol"`
	Timeframe      data.Timeframe  `json:"timeframe"`
	Adjustment     data.Adjustment `json:"adjustment"`
	BarsAdded      int64           `json:"bars_added"`
	First          *time.Time      `json:"first_bar"`
	Last           *time.Time      `json:"last_bar"`
	DaysWithoutBar int             `json:"days_without_bars"`
}

type importJSON struct {
	Files        int            `json:"files"`
	Timeframe    data.Timeframe `json:"timeframe"`
	Rows         int            `json:"rows"`
	Bars         int            `json:"bars"`
	Stored       int64          `json:"stored"`
	Rejected     int            `json:"rejected"`
	Duplicates   int            `json:"duplicates"`
	Ignored      int            `json:"ignored"`
	RejectedRows []rejectedJSON `json:"rejected_rows"`
}

type rejectedJSON struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// writeSummaryJSON writes the summary of a fetch or an import as one JSON object.
func writeSummaryJSON(w io.Writer, source string, rep *fetch.Report, took time.Duration, imp *importSummary) error {
	out := summaryJSON{Source: source, Feed: rep.Feed, Series: []seriesSummaryJSON{}, ChunksDone: rep.ChunksDone,
		ChunksTotal: rep.ChunksTotal, Seconds: took.Seconds()}
	for _, s := range rep.Series {
		js := seriesSummaryJSON{Symbol: s.Symbol, Timeframe: s.Timeframe, Adjustment: s.Adjustment.Norm(),
			BarsAdded: s.BarsAdded, DaysWithoutBar: s.EmptyDays}
		if !s.First.IsZero() {
			first, last := s.First.UTC(), s.Last.UTC()
			js.First, js.Last = &first, &last
		}
		out.Series = append(out.Series, js)
		out.BarsAdded += s.BarsAdded
	}
	if imp != nil {
		out.Import = &importJSON{Files: imp.Files, Timeframe: imp.Timeframe, Rows: imp.Counts.Rows, Bars: imp.Counts.Bars,
			Stored: out.BarsAdded, Rejected: imp.Counts.Rejected, Duplicates: imp.Counts.Duplicates, Ignored: imp.Counts.Ignored,
			RejectedRows: []rejectedJSON{}}
		for _, r := range imp.Rejected {
			out.Import.RejectedRows = append(out.Import.RejectedRows, rejectedJSON{File: r.Pos.File, Line: r.Pos.Line, Reason: r.Reason})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// listStore prints what the store at --store holds (--list), as a table or as JSON.
func listStore(ctx context.Context, o options, stdout io.Writer) error {
	if _, err := os.Stat(o.store); errors.Is(err, fs.ErrNotExist) {
		return cli.Usagef("no store at %s: give --store", o.store)
	}
	st, err := cli.OpenStore(ctx, o.store, false)
	if err != nil {
		return err
	}
	defer st.Close()
	ls, err := fetch.List(ctx, st)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ls); err != nil {
			return err
		}
		return st.Close()
	}
	if len(ls) == 0 {
		fmt.Fprintf(stdout, "%s holds no series\n", o.store)
		return st.Close()
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "symbol\ttimeframe\tadjustment\tfeed\tbars\tfirst bar\tlast bar\tcovered\tdays without bars\tfetched\t")
	for _, l := range ls {
		first, last := "-", "-"
		if l.First != nil {
			first, last = l.First.Format("2006-01-02 15:04"), l.Last.Format("2006-01-02 15:04")
		}
		covered := make([]string, len(l.Covered))
		for i, c := range l.Covered {
			covered[i] = c.Start.Format("2006-01-02 15:04") + ".." + c.End.Format("2006-01-02 15:04")
		}
		cov := strings.Join(covered, ", ")
		if cov == "" {
			cov = "-"
		}
		missing := fmt.Sprint(len(l.MissingDays))
		if n := len(l.MissingDays); n > 0 {
			missing += " (" + strings.Join(l.MissingDays[:min(n, 3)], ", ")
			if n > 3 {
				missing += ", ..."
			}
			missing += ")"
		}
		fetched := "-"
		if l.FetchedAt != nil {
			fetched = l.FetchedAt.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", l.Symbol, l.Timeframe, l.Adjustment, l.Feed, l.Bars, first, last, cov, missing, fetched)
	}
	tw.Flush()
	fmt.Fprintln(stdout, "times in UTC; covered ranges are half-open; days without bars count trading days (every day for crypto)")
	return st.Close()
}
