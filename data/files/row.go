package files

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Pos is where a row is: its file and line (for Parquet, its row number counting the header
// as line 1, so numbers read alike).
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string { return p.File + ":" + strconv.Itoa(p.Line) }

// Row is one record of a file, parsed but not yet checked.
type Row struct {
	Pos    Pos
	Symbol string
	// SymbolColumn says the file has a symbol column; without one, Collect names the rows.
	SymbolColumn bool
	// Time is the bar's time. When Naive is set only its wall clock counts (it is held in UTC)
	// and Collect reads it in Options.Location; otherwise it is an instant, kept in the zone it
	// was written in, whose date names a daily bar.
	Time                           time.Time
	Naive                          bool
	Open, High, Low, Close, Volume float64
	TradeCount                     uint64
	VWAP                           float64
	AdjClose                       float64 // Yahoo's Adj Close; 0 when the file has none
}

// RowError is a bad row: where it is and why it cannot be a bar.
type RowError struct {
	Pos    Pos
	Reason string
}

func (e *RowError) Error() string { return e.Pos.String() + ": " + e.Reason }

func rowErrorf(p Pos, format string, args ...any) *RowError {
	return &RowError{Pos: p, Reason: fmt.Sprintf(format, args...)}
}

// Column identifies a column a file may have.
type Column int

const (
	ColSymbol Column = iota
	ColTime
	ColOpen
	ColHigh
	ColLow
	ColClose
	ColVolume
	ColTradeCount
	ColVWAP
	ColAdjClose
	NumColumns
)

var columnNames = [NumColumns]string{"symbol", "timestamp", "open", "high", "low", "close", "volume", "trade_count", "vwap", "adj close"}

func (c Column) String() string { return columnNames[c] }

// Forms describes the headers Layout accepts, for error messages and --help.
const Forms = "[symbol,]timestamp,open,high,low,close,volume[,trade_count][,vwap], or Yahoo's Date,Open,High,Low,Close,Adj Close,Volume"

// Layout says which field holds each column; -1 when a file has none.
type Layout [NumColumns]int

// Yahoo reports whether the file is a Yahoo Finance download (it has Adj Close).
func (l Layout) Yahoo() bool { return l[ColAdjClose] >= 0 }

// ParseHeader recognises a file by the names of its columns, so that Parquet files, whose
// columns have names too, are recognised by the same rule as CSV headers.
func ParseHeader(names []string) (Layout, error) {
	var l Layout
	for i := range l {
		l[i] = -1
	}
	for i, raw := range names {
		key := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(raw, "\uFEFF")))
		key = strings.NewReplacer(" ", "", "_", "").Replace(key)
		var c Column
		switch key {
		case "symbol":
			c = ColSymbol
		case "timestamp", "time", "date", "datetime":
			c = ColTime
		case "open":
			c = ColOpen
		case "high":
			c = ColHigh
		case "low":
			c = ColLow
		case "close":
			c = ColClose
		case "volume":
			c = ColVolume
		case "tradecount":
			c = ColTradeCount
		case "vwap":
			c = ColVWAP
		case "adjclose":
			c = ColAdjClose
		default:
			return l, fmt.Errorf("unknown column %q: want %s", raw, Forms)
		}
		if l[c] >= 0 {
			return l, fmt.Errorf("column %q appears twice", raw)
		}
		l[c] = i
	}
	for _, c := range [...]Column{ColTime, ColOpen, ColHigh, ColLow, ColClose, ColVolume} {
		if l[c] < 0 {
			return l, fmt.Errorf("no %s column: want %s", c, Forms)
		}
	}
	if l.Yahoo() && (l[ColTradeCount] >= 0 || l[ColVWAP] >= 0) {
		return l, fmt.Errorf("a Yahoo file (with Adj Close) has no trade_count or vwap: want %s", Forms)
	}
	return l, nil
}

// TimeForms describes the accepted time spellings.
const TimeForms = "RFC 3339 (2024-01-02T14:30:00Z) or YYYY-MM-DD[ HH:MM[:SS]]"

// naiveLayouts are tried in order; the T-separated ones are what ISO 8601 writers emit.
var naiveLayouts = [...]string{
	time.DateOnly,
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// ParseTime reads one time field. An RFC 3339 time is an instant kept in its written offset;
// a naive one comes back in UTC with naive set, for the caller to read in its time zone.
func ParseTime(s string) (t time.Time, naive bool, err error) {
	in := strings.TrimSpace(s)
	if len(in) < 10 {
		return time.Time{}, false, fmt.Errorf("unparsable time %q: want %s", s, TimeForms)
	}
	if len(in) > 10 && (in[10] == ' ' || in[10] == 't') {
		// pandas writes "2024-01-02 14:30:00-05:00": RFC 3339 but for the separator.
		in = in[:10] + "T" + in[11:]
	}
	if t, err := time.Parse(time.RFC3339Nano, in); err == nil {
		return checkYear(s, t, false)
	}
	for _, layout := range naiveLayouts {
		if t, err := time.Parse(layout, in); err == nil {
			return checkYear(s, t, true)
		}
	}
	return time.Time{}, false, fmt.Errorf("unparsable time %q: want %s", s, TimeForms)
}

func checkYear(s string, t time.Time, naive bool) (time.Time, bool, error) {
	if y := t.Year(); y < 1900 || y > 2200 {
		return time.Time{}, false, fmt.Errorf("time %q is out of range", s)
	}
	return t, naive, nil
}

// parseFloat reads a number that must be finite; empty is an error.
func parseFloat(name, s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("unparsable %s %q", name, s)
	}
	return v, nil
}

// parseOptionalFloat reads a number that may be empty (pandas writes NaN as nothing): 0.
func parseOptionalFloat(name, s string) (float64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	return parseFloat(name, s)
}

// parseCount reads a trade count, accepting "12.0" as float-typed writers emit it.
func parseCount(s string) (uint64, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, nil
	}
	if v, err := strconv.ParseUint(in, 10, 64); err == nil {
		return v, nil
	}
	v, err := strconv.ParseFloat(in, 64)
	if err != nil || v < 0 || v != math.Trunc(v) || v > 1<<53 {
		return 0, fmt.Errorf("unparsable trade_count %q", s)
	}
	return uint64(v), nil
}
