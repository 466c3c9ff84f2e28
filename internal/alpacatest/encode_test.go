package alpacatest

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestAppendFloat holds the server's fast price formatting equal to strconv's shortest 'f':
// prices go out as JSON numbers that the SDK decodes into float64 (marketdata/entities.go, Bar
// and CryptoBar), so each must read back as the very float64 the source holds (appendBar).
func TestAppendFloat(t *testing.T) {
	// Both sides append to buffers reused across the 3.4 million values, and Helper is called
	// only on a failure: under -race the per-value allocations and Helper's stack walk cost
	// more than the formatting being checked.
	var got, want []byte
	check := func(v float64) {
		got, want = appendFloat(got[:0], v), strconv.AppendFloat(want[:0], v, 'f', -1, 64)
		if !bytes.Equal(got, want) {
			t.Helper()
			t.Fatalf("appendFloat(%v) = %s, want %s", v, got, want)
		}
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 1, 0.1, 0.01, 0.001, 1e-7, 5e-324, 0.5, 100, 123.45, 99999.99,
		1e9 - 0.01, 1e9, 1e9 + 0.5, 1e15, 1e21, 1e22, 1e300, math.MaxFloat64, -1, -123.45, 0.3, 0.1 + 0.2,
		math.Inf(1), math.Inf(-1), math.NaN(), 187.0712, 1.000001, 1.0000001, 999999999.999999, 123456789.123456} {
		check(v)
	}
	for c := 0; c <= 200_000; c++ {
		check(float64(c) / 100)
		check(float64(c) / 10000)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		d := pow10[rng.IntN(len(pow10))]
		mag := math.Pow(10, float64(rng.IntN(10)))
		check(math.Round(rng.Float64()*mag*d) / d)             // a price of d decimals
		check(rng.Float64() * mag)                             // any float
		check(math.Float64frombits(rng.Uint64() &^ (1 << 63))) // any non-negative bit pattern
	}
}
