package sweep

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"

	"github.com/barkeep-trading/barkeep/data"
)

// Shard is the I-th of N slices of a plan's runs, so that a sweep can be spread over machines
// and its results merged.
type Shard struct{ I, N int }

// ParseShard reads "i/n", 0 ≤ i < n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("%q: want i/n, such as 0/4", s)
	}
	if n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("%q: want 0 ≤ i < n", s)
	}
	return Shard{I: i, N: n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// Runs is the shard's slice of runs: those whose Index modulo N is I. Dealing the runs out in
// turn rather than in contiguous ranges balances the work as well as the count: neighbouring
// combinations differ in one value of the last axis and cost about the same, whereas a
// contiguous range could hold every slow value of the first axis. Shards differ in size by
// one run at most, and a shard past the number of runs is empty.
func (s Shard) Runs(runs []Run) []Run {
	var out []Run
	for _, r := range runs {
		if s.N > 0 && r.Index%s.N == s.I {
			out = append(out, r)
		}
	}
	return out
}

// HashBars is a 64-bit FNV-1a hash of every field of bars in order, written as 16 hex digits:
// shards are merged only when they replayed the same bars, which their selections alone
// cannot promise (a store refetched between two shards).
func HashBars(bars []data.Bar) string {
	h := fnv.New64a()
	var b [8]byte
	num := func(u uint64) {
		binary.LittleEndian.PutUint64(b[:], u)
		h.Write(b[:])
	}
	for i := range bars {
		x := &bars[i]
		h.Write([]byte(x.Symbol))
		h.Write([]byte{0})
		num(uint64(x.Time.UnixNano()))
		for _, f := range [...]float64{x.Open, x.High, x.Low, x.Close, x.Volume, x.VWAP} {
			num(math.Float64bits(f))
		}
		num(x.TradeCount)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
