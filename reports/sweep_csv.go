package reports

import (
	"io"
	"strings"
)

// WriteSweepCSV writes one row per run: the parameters, then every statistic under its key,
// in full precision (the shortest decimal that parses back to the same float64; times in
// RFC 3339; empty when a figure cannot be computed), then its status (ranked, few_trades or
// no_trade: SweepStatus), last so that the columns before it keep their places.
func WriteSweepCSV(w io.Writer, s Sweep) error {
	// Fields are parameter names, keys and numbers: none needs quoting, and formatting by hand
	// avoids a []string per row.
	keys := StatKeys()
	buf := make([]byte, 0, 1024)
	buf = append(buf, strings.Join(s.Params, ",")...)
	for _, k := range keys {
		if len(buf) > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, k...)
	}
	buf = append(buf, ",status\n"...)
	if _, err := w.Write(buf); err != nil {
		return err
	}
	for i := range s.Rows {
		r := &s.Rows[i]
		buf = buf[:0]
		for j, p := range s.Params {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, r.Params[p]...)
		}
		for j, m := range metrics {
			if j > 0 || len(s.Params) > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, rawValue(m.get(&r.Stats))...)
		}
		buf = append(buf, ',')
		buf = append(buf, s.status(i).String()...)
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}
