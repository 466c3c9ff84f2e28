package reports

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

// Every statistic survives a shard's JSON bit for bit, NaN, infinities and -0 included.
func TestShardStatsExact(t *testing.T) {
	s := Stats{Start: time.Date(2024, 1, 2, 9, 30, 0, 0, nyLoc), Sharpe: math.NaN(), ProfitFactor: math.Inf(1), WorstDay: math.Inf(-1),
		CAGR: 0.1 + 0.2, Volatility: math.Copysign(0, -1), BestDay: 5e-324, FinalEquity: 1.7976931348623157e308, Trades: 31, Sessions: -1}
	enc, err := encodeStats(&s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(enc)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]json.RawMessage
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got, err := decodeStats(back)
	if err != nil {
		t.Fatal(err)
	}
	a, c := reflect.ValueOf(s), reflect.ValueOf(got)
	for i := range a.NumField() {
		x, y := a.Field(i).Interface(), c.Field(i).Interface()
		switch x := x.(type) {
		case float64:
			if math.Float64bits(x) != math.Float64bits(y.(float64)) {
				t.Errorf("%s: %v came back %v", a.Type().Field(i).Name, x, y)
			}
		case time.Time:
			if !x.Equal(y.(time.Time)) {
				t.Errorf("%s: %v came back %v", a.Type().Field(i).Name, x, y)
			}
		default:
			if x != y {
				t.Errorf("%s: %v came back %v", a.Type().Field(i).Name, x, y)
			}
		}
	}
	delete(back, "Sharpe")
	if _, err := decodeStats(back); err == nil {
		t.Fatal("a missing statistic was accepted")
	}
}
