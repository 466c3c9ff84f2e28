package reports

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func normalReturns(seed uint64, t int, mu, sigma float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 99))
	out := make([]float64, t)
	for i := range out {
		out[i] = mu + sigma*rng.NormFloat64()
	}
	return out
}

// The same seed gives the same intervals, bit for bit; another seed other ones.
func TestBootstrapDeterministic(t *testing.T) {
	rets := normalReturns(1, 300, 0.0004, 0.01)
	a := bootstrapIntervals(rets, 0, TradingDays, 435, 500, 1)
	b := bootstrapIntervals(rets, 0, TradingDays, 435, 500, 1)
	c := bootstrapIntervals(rets, 0, TradingDays, 435, 500, 2)
	if a != b {
		t.Errorf("seed 1 twice: %+v and %+v", a, b)
	}
	if a.Sharpe == c.Sharpe {
		t.Errorf("seeds 1 and 2 gave the same Sharpe interval %v", a.Sharpe)
	}
	for _, iv := range [][2]float64{a.Sharpe, a.CAGR, a.MaxDrawdown} {
		if !(iv[0] < iv[1]) {
			t.Errorf("interval %v is not increasing", iv)
		}
	}
	if a.MaxDrawdown[1] > 0 || a.MeanBlock != math.Cbrt(300) {
		t.Errorf("max drawdown interval %v above zero, or mean block %g, want ∛300", a.MaxDrawdown, a.MeanBlock)
	}
}

// Constant returns resample to themselves: the CAGR interval is the run's CAGR, no drawdown,
// and no Sharpe ratio (zero volatility).
func TestBootstrapConstant(t *testing.T) {
	rets := []float64{0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01}
	ci := bootstrapIntervals(rets, 0, TradingDays, 14, 50, 3)
	want := math.Pow(math.Pow(1.01, 10), 365.25/14) - 1
	if math.Abs(ci.CAGR[0]-want) > 1e-9*want || math.Abs(ci.CAGR[1]-want) > 1e-9*want {
		t.Errorf("CAGR interval %v, want [%g, %g]", ci.CAGR, want, want)
	}
	if ci.MaxDrawdown != [2]float64{0, 0} || !math.IsNaN(ci.Sharpe[0]) || !math.IsNaN(ci.Sharpe[1]) {
		t.Errorf("max drawdown %v (want 0), Sharpe %v (want NaN)", ci.MaxDrawdown, ci.Sharpe)
	}
}

// Coverage: for independent normal returns of known Sharpe ratio, a 95% interval should
// contain it in about 95% of samples. 200 samples, each with its own seed; the percentile
// interval of a block bootstrap runs a little narrow, and 200 draws of a 0.95 coin spread by
// ±0.03, so the band is wide.
func TestBootstrapCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("200 bootstraps")
	}
	const mu, sigma, n = 0.0005, 0.01, 500
	truth := mu / sigma * math.Sqrt(TradingDays)
	hits := 0
	for seed := range uint64(200) {
		rets := normalReturns(1000+seed, n, mu, sigma)
		ci := bootstrapIntervals(rets, 0, TradingDays, n*365.25/TradingDays, 300, seed)
		if ci.Sharpe[0] <= truth && truth <= ci.Sharpe[1] {
			hits++
		}
	}
	if cover := float64(hits) / 200; cover < 0.85 || cover > 0.995 {
		t.Errorf("coverage %g of the true Sharpe ratio %g, want about 0.95", cover, truth)
	}
}

// stats.json carries "ci" beside the figures, and its convention, only with --bootstrap; the
// report shows each interval beside its figure.
func TestSummaryIntervals(t *testing.T) {
	r, _ := synthetic(20_000, 5)
	s, err := Compute(r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(plain), `"ci"`) {
		t.Error("stats.json has ci without --bootstrap")
	}
	s.AddIntervals(200, 7)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sharpe float64 `json:"sharpe"`
		CI     struct {
			Sharpe      []float64 `json:"sharpe"`
			CAGR        []float64 `json:"cagr"`
			MaxDrawdown []float64 `json:"max_drawdown"`
			Resamples   int       `json:"resamples"`
			Seed        uint64    `json:"seed"`
		} `json:"ci"`
		Conventions []Convention `json:"conventions"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.CI.Sharpe) != 2 || !(doc.CI.Sharpe[0] < doc.Sharpe && doc.Sharpe < doc.CI.Sharpe[1]) || doc.CI.Resamples != 200 || doc.CI.Seed != 7 {
		t.Errorf("ci %+v around Sharpe %g", doc.CI, doc.Sharpe)
	}
	if len(doc.CI.CAGR) != 2 || len(doc.CI.MaxDrawdown) != 2 {
		t.Errorf("ci %s", b)
	}
	if last := doc.Conventions[len(doc.Conventions)-1]; last.Key != "ci" {
		t.Errorf("last convention %q, want the bootstrap's", last.Key)
	}
	if txt := s.ciText("sharpe"); !strings.HasPrefix(txt, "95% interval ") {
		t.Errorf("ciText %q", txt)
	}
}
