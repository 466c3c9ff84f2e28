package files

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
)

// ReadCSV yields the rows of one CSV file, named name in positions. A row that cannot be parsed
// comes as a *RowError and reading goes on; a header that is not one of the forms (Forms), or a
// failure to read, comes as the last error.
func ReadCSV(r io.Reader, name string) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1 // a short row is a bad row, not the end of the file
		cr.ReuseRecord = true
		cr.TrimLeadingSpace = true
		header, err := cr.Read()
		if errors.Is(err, io.EOF) {
			yield(Row{}, fmt.Errorf("%s: empty file: want a header, %s", name, Forms))
			return
		}
		if err != nil {
			yield(Row{}, csvError(name, err))
			return
		}
		l, err := ParseHeader(header)
		if err != nil {
			yield(Row{}, &RowError{Pos: Pos{name, 1}, Reason: err.Error()})
			return
		}
		want := 0
		for _, i := range l {
			want = max(want, i+1)
		}
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					row := Row{Pos: Pos{name, pe.Line}, SymbolColumn: l[ColSymbol] >= 0}
					if !yield(row, &RowError{Pos: row.Pos, Reason: pe.Err.Error()}) {
						return
					}
					continue
				}
				yield(Row{}, csvError(name, err))
				return
			}
			line, _ := cr.FieldPos(0)
			pos := Pos{name, line}
			if len(rec) == 1 && rec[0] == "" {
				continue // a blank line at the end, as some writers leave
			}
			if len(rec) != len(header) {
				row := Row{Pos: pos, SymbolColumn: l[ColSymbol] >= 0}
				if i := l[ColSymbol]; i >= 0 && i < len(rec) {
					row.Symbol = rec[i]
				}
				if !yield(row, rowErrorf(pos, "%d fields, want %d", len(rec), len(header))) {
					return
				}
				continue
			}
			row, rerr := parseRecord(rec, l, pos)
			if rerr != nil {
				if !yield(row, rerr) {
					return
				}
				continue
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &RowError{Pos: Pos{name, pe.Line}, Reason: pe.Err.Error()}
	}
	return fmt.Errorf("read %s: %w", name, err)
}

// parseRecord turns the fields of one record into a Row.
func parseRecord(rec []string, l Layout, pos Pos) (Row, *RowError) {
	r := Row{Pos: pos, SymbolColumn: l[ColSymbol] >= 0}
	var err error
	if i := l[ColSymbol]; i >= 0 {
		r.Symbol = rec[i]
	}
	if r.Time, r.Naive, err = ParseTime(rec[l[ColTime]]); err != nil {
		return r, &RowError{Pos: pos, Reason: err.Error()}
	}
	for _, f := range [...]struct {
		c   Column
		dst *float64
	}{{ColOpen, &r.Open}, {ColHigh, &r.High}, {ColLow, &r.Low}, {ColClose, &r.Close}, {ColVolume, &r.Volume}, {ColAdjClose, &r.AdjClose}} {
		if i := l[f.c]; i >= 0 {
			if *f.dst, err = parseFloat(f.c.String(), rec[i]); err != nil {
				return r, &RowError{Pos: pos, Reason: err.Error()}
			}
		}
	}
	if l.Yahoo() && !(r.AdjClose > 0) {
		return r, rowErrorf(pos, "adj close %v is not a positive price", r.AdjClose)
	}
	if i := l[ColVWAP]; i >= 0 {
		if r.VWAP, err = parseOptionalFloat("vwap", rec[i]); err != nil {
			return r, &RowError{Pos: pos, Reason: err.Error()}
		}
	}
	if i := l[ColTradeCount]; i >= 0 {
		if r.TradeCount, err = parseCount(rec[i]); err != nil {
			return r, &RowError{Pos: pos, Reason: err.Error()}
		}
	}
	return r, nil
}

// OpenCSV yields the rows of the CSV file at path, named by path.
func OpenCSV(path string) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(Row{}, err)
			return
		}
		defer f.Close()
		for row, err := range ReadCSV(f, path) {
			if !yield(row, err) {
				return
			}
		}
	}
}
