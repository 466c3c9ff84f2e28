package reports

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The expected figures were computed apart from this code, in Python with only the standard
// library (statistics.NormalDist for Φ and Φ⁻¹), from the formulas of Bailey and López de
// Prado (2014).
func TestDeflatedSharpeHandWorked(t *testing.T) {
	// SR* = 0.1, V = 0.0009 (√V = 0.03), N = 50, γ₃ = −0.3, γ₄ = 4.5, T = 750:
	//   Φ⁻¹(1 − 1/50) = 2.0537489106, Φ⁻¹(1 − 1/(50e)) = 2.4393139539
	//   SR₀ = 0.03 × ((1 − 0.5772156649) × 2.0537489106 + 0.5772156649 × 2.4393139539) = 0.0682890928
	//   z = (0.1 − 0.0682890928) × √749 / √(1 + 0.03 + 3.5/4 × 0.01) = 0.8515184398
	//   DSR = Φ(z) = 0.8027592877
	dsr, sr0 := deflatedSharpe(0.1, 0.0009, 50, -0.3, 4.5, 750)
	if math.Abs(sr0-0.06828909280261043) > 1e-12 {
		t.Errorf("SR0 = %.15g, want 0.0682890928026", sr0)
	}
	if math.Abs(dsr-0.8027592877390876) > 1e-10 {
		t.Errorf("DSR = %.15g, want 0.802759287739", dsr)
	}
	// One trial is not deflated: the Probabilistic Sharpe Ratio against zero.
	// SR = 0.05, T = 251, normal returns (γ₃ = 0, γ₄ = 3): Φ(0.05 √250 / √(1 + 0.5 × 0.0025)) = 0.7852582409.
	dsr, sr0 = deflatedSharpe(0.05, math.NaN(), 1, 0, 3, 251)
	if sr0 != 0 || math.Abs(dsr-0.7852582408553065) > 1e-10 {
		t.Errorf("one trial: DSR %.15g SR0 %g, want 0.785258240855 and 0", dsr, sr0)
	}
	// More trials of the same spread raise the bar.
	few, _ := deflatedSharpe(0.1, 0.0009, 10, 0, 3, 750)
	many, _ := deflatedSharpe(0.1, 0.0009, 1000, 0, 3, 750)
	if !(many < few) {
		t.Errorf("DSR of 1000 trials %g not below that of 10 trials %g", many, few)
	}
	if d, _ := deflatedSharpe(0.1, 0.0009, 50, 0, 3, 1); !math.IsNaN(d) {
		t.Errorf("DSR of one return = %g, want NaN", d)
	}
}

// blocksOf builds a series of blocks of two returns each, (m + 1)‰ then (m − 1)‰.
func blocksOf(means ...float64) []float64 {
	var out []float64
	for _, m := range means {
		out = append(out, (m+1)*0.001, (m-1)*0.001)
	}
	return out
}

// A hand-worked case of 4 blocks and 2 combinations. A's block means are 2, 2, −1, −1 (‰), B's
// 0, 0, 1, 1, each block being mean ± 1‰. Of the C(4, 2) = 6 in-sample halves:
//   - {0, 1}: A wins in sample (mean 2 against 0) and loses out of sample (−1 against 1);
//   - {2, 3}: B wins (1 against −1) and loses out of sample (0 against 2);
//   - the four halves of one block of each kind: both have mean 0.5‰, but A's returns
//     3, 1, 0, −2 have a sum of squared deviations of 13 against B's 5 (1, −1, 2, 0), so B wins,
//     and the other half is the same mix: B wins out of sample too.
//
// Two of six splits rank the in-sample best last of 2 (ω = 1/3, λ = −ln 2), four first
// (ω = 2/3, λ = ln 2): PBO = 1/3, mean λ = (4 − 2) ln 2 / 6 = ln 2 / 3.
func TestPBOHandWorked(t *testing.T) {
	a := blocksOf(2, 2, -1, -1)
	b := blocksOf(0, 0, 1, 1)
	p := pbo([][]float64{a, b}, 0, 4)
	if p.Splits != 6 || p.BlockLength != 2 || p.Dropped != 0 {
		t.Fatalf("splits %d, block length %d, dropped %d; want 6, 2, 0", p.Splits, p.BlockLength, p.Dropped)
	}
	if math.Abs(p.Value-1.0/3) > 1e-12 {
		t.Errorf("PBO = %g, want 1/3", p.Value)
	}
	if math.Abs(p.MeanLogit-math.Ln2/3) > 1e-12 {
		t.Errorf("mean logit = %g, want ln 2 / 3 = %g", p.MeanLogit, math.Ln2/3)
	}
}

// detCol is a deterministic series that Python computes the same way: the PBO below was
// computed there by a direct implementation (concatenating the blocks, statistics.stdev),
// independent of the block sums here.
func detCol(j, t int) []float64 {
	out := make([]float64, t)
	for i := range out {
		out[i] = 0.01*math.Sin(1.3*float64(i)+0.7*float64(j*j)) + 0.0004*float64(j)*math.Cos(0.37*float64(i)) + 0.0002*float64(j%3)
	}
	return out
}

func TestPBOAgainstDirect(t *testing.T) {
	for _, c := range []struct {
		n, t, s            int
		rfd                float64
		pbo, logit         float64
		splits, l, dropped int
	}{
		// 7 series of 100 returns over 8 blocks: 4 dropped, blocks of 12, C(8, 4) = 70 splits.
		{7, 100, 8, 0, 0.6571428571428571, -0.2957057331975023, 70, 12, 4},
		// 5 series of 63 returns over 6 blocks, rf_d = 0.0001: 3 dropped, blocks of 10, 20 splits.
		{5, 63, 6, 0.0001, 0, 1.6094379124341003, 20, 10, 3},
	} {
		cols := make([][]float64, c.n)
		for j := range cols {
			cols[j] = detCol(j, c.t)
		}
		p := pbo(cols, c.rfd, c.s)
		if p.Splits != c.splits || p.BlockLength != c.l || p.Dropped != c.dropped {
			t.Errorf("%d×%d/%d: splits %d, block %d, dropped %d; want %d, %d, %d", c.n, c.t, c.s, p.Splits, p.BlockLength, p.Dropped, c.splits, c.l, c.dropped)
		}
		if math.Abs(p.Value-c.pbo) > 1e-12 || math.Abs(p.MeanLogit-c.logit) > 1e-9 {
			t.Errorf("%d×%d/%d: PBO %g mean logit %g, want %g and %g", c.n, c.t, c.s, p.Value, p.MeanLogit, c.pbo, c.logit)
		}
	}
}

// One combination better than the others in every block is chosen in every split and ranks
// first out of sample: PBO 0.
func TestPBODominant(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, tt = 10, 320
	cols := make([][]float64, n)
	for j := range cols {
		cols[j] = make([]float64, tt)
		for i := range cols[j] {
			cols[j][i] = 0.01 * rng.NormFloat64()
		}
	}
	for i := range cols[3] {
		cols[3][i] = cols[0][i] + 0.02 // the noise of another column, far higher
	}
	p := pbo(cols, 0, 16)
	if p.Value != 0 || p.Splits != 12870 {
		t.Errorf("dominant: PBO %g over %d splits, want 0 over 12870", p.Value, p.Splits)
	}
}

// Combinations of pure noise are exchangeable: the in-sample best is as likely to land in
// either half out of sample, so PBO averages 0.5. One matrix's splits are correlated, so the
// average of 20 matrices is checked, within a tolerance far wider than its spread.
func TestPBONoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const n, tt, mats = 20, 400, 20
	var sum float64
	for range mats {
		cols := make([][]float64, n)
		for j := range cols {
			cols[j] = make([]float64, tt)
			for i := range cols[j] {
				cols[j][i] = 0.01 * rng.NormFloat64()
			}
		}
		sum += pbo(cols, 0, 10).Value
	}
	if avg := sum / mats; math.Abs(avg-0.5) > 0.12 {
		t.Errorf("noise: mean PBO %g, want about 0.5", avg)
	}
}

func TestPBORefuses(t *testing.T) {
	cols := [][]float64{detCol(0, 50), detCol(1, 50)}
	for _, c := range []struct {
		cols [][]float64
		s    int
	}{
		{cols, 3}, {cols, 0}, {cols, 26}, {cols[:1], 4}, {[][]float64{detCol(0, 3), detCol(1, 3)}, 4},
	} {
		if p := pbo(c.cols, 0, c.s); !math.IsNaN(p.Value) || p.Reason == "" {
			t.Errorf("%d columns of %d over %d blocks: PBO %g (%q), want NaN with a reason", len(c.cols), len(c.cols[0]), c.s, p.Value, p.Reason)
		}
	}
}
