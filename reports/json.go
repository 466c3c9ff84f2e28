package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"time"
)

// jsonObject writes the keys of one JSON object in the order given: stats.json reads top to
// bottom like the report, which a map would not allow.
type jsonObject struct {
	buf bytes.Buffer
	err error
}

func (o *jsonObject) field(key string, v any) {
	if o.err != nil {
		return
	}
	if o.buf.Len() == 0 {
		o.buf.WriteByte('{')
	} else {
		o.buf.WriteByte(',')
	}
	k, _ := json.Marshal(key)
	o.buf.Write(k)
	o.buf.WriteByte(':')
	b, err := json.Marshal(jsonValue(v))
	if err != nil {
		o.err = err
		return
	}
	o.buf.Write(b)
}

func (o *jsonObject) bytes() ([]byte, error) {
	if o.err != nil {
		return nil, o.err
	}
	if o.buf.Len() == 0 {
		return []byte("{}"), nil
	}
	o.buf.WriteByte('}')
	return o.buf.Bytes(), nil
}

// jsonValue maps what encoding/json refuses or misreads: NaN and ±Inf become null (encoding/json
// fails on them), as does a zero time.
func jsonValue(v any) any {
	switch v := v.(type) {
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
	case time.Time:
		if v.IsZero() {
			return nil
		}
		return fmtWhen(v, false)
	case [12]float64:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonValue(x)
		}
		return out
	}
	return v
}

// MarshalJSON writes the statistics under their keys from the conventions table.
func (s Stats) MarshalJSON() ([]byte, error) {
	var o jsonObject
	for _, m := range metrics {
		o.field(m.Key, m.get(&s))
	}
	return o.bytes()
}

// MarshalJSON writes months as an array of 12, null where a month has no data.
func (r YearRow) MarshalJSON() ([]byte, error) {
	var o jsonObject
	o.field("year", r.Year)
	o.field("months", r.Months)
	o.field("total", r.Total)
	return o.bytes()
}

// MarshalJSON writes null for a missing side.
func (r YearlyReturn) MarshalJSON() ([]byte, error) {
	var o jsonObject
	o.field("year", r.Year)
	o.field("strategy", r.Strategy)
	o.field("benchmark", r.Benchmark)
	return o.bytes()
}

// MarshalJSON writes the document stored as stats.json: run metadata and cost assumptions, the
// strategy's figures at the top level (so `jq .sharpe` works), the benchmark's under "benchmark"
// with the same keys, then the returns tables and the conventions. Times follow the one
// convention of every output (fmtWhen): dates for daily bars.
func (s Summary) MarshalJSON() ([]byte, error) {
	var o jsonObject
	r := s.Run
	when := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return fmtWhen(t, s.Dates)
	}
	o.field("strategy", r.Strategy)
	o.field("params", r.Params)
	o.field("symbols", r.Symbols)
	o.field("timeframe", r.Timeframe)
	if r.FillTimeframe != "" {
		o.field("fill_timeframe", r.FillTimeframe)
	}
	o.field("range", map[string]any{"start": when(r.Start), "end": when(r.End)})
	o.field("store", r.Store)
	o.field("feed", r.Feed)
	o.field("adjustment", r.Adjustment)
	o.field("cash", r.Cash)
	o.field("bars", r.Bars)
	o.field("version", r.Version)
	o.field("run_date", r.RunDate)
	o.field("risk_free", s.riskFree)
	o.field("annualisation_days", s.AnnualisationDays)
	o.field("costs_assumed", s.Costs)
	o.field("benchmark_name", r.Benchmark)
	o.field("benchmark_strategy", r.BenchmarkStrategy)
	if s.BenchmarkCosts != nil {
		o.field("benchmark_costs_assumed", *s.BenchmarkCosts)
		o.field("benchmark_same_costs", s.Costs.Same(*s.BenchmarkCosts))
	} else {
		o.field("benchmark_costs_assumed", nil)
		o.field("benchmark_same_costs", nil)
	}
	statFields(&o, &s.Strategy, s.Dates)
	if s.CI != nil {
		o.field("ci", *s.CI)
	}
	if s.Benchmark != nil {
		var b jsonObject
		statFields(&b, s.Benchmark, s.Dates)
		raw, err := b.bytes()
		if err != nil {
			return nil, err
		}
		o.field("benchmark", json.RawMessage(raw))
	} else {
		o.field("benchmark", nil)
	}
	o.field("monthly_returns", orEmpty(s.Monthly))
	o.field("yearly_returns", orEmpty(s.Yearly))
	o.field("conventions", s.Conventions)
	return o.bytes()
}

// statFields writes every figure of st under its key, then why the null ones are null.
func statFields(o *jsonObject, st *Stats, dates bool) {
	for _, m := range metrics {
		v := m.get(st)
		if t, ok := v.(time.Time); ok && !t.IsZero() {
			v = fmtWhen(t, dates)
		}
		o.field(m.Key, v)
	}
	o.field("null_reasons", nullReasons(st))
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
