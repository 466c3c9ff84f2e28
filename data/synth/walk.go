package synth

import (
	"math"
)

// Hash tags keep the random streams of different purposes apart.
const (
	tagParams uint64 = iota + 1
	tagAnchor
	tagCoarse
	tagBridge
	tagDay
)

// mix is the splitmix64 finalizer: a cheap, well-distributed 64-bit hash.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func hash(key, tag uint64, i int64) uint64 {
	return mix(key ^ mix(tag*0xd1b54a32d192ed03+uint64(i)*0x9e3779b97f4a7c15))
}

// symbolKey is the FNV-1a hash of the symbol mixed with the seed. Written out rather than via
// hash/fnv so that it does not allocate.
func symbolKey(symbol string, seed uint64) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(symbol); i++ {
		h ^= uint64(symbol[i])
		h *= 1099511628211
	}
	return mix(h ^ mix(seed+0x632be59bd9b4e019))
}

// unit maps a hash to (0, 1), never 0 so that its logarithm is finite.
func unit(h uint64) float64 { return (float64(h>>11) + 0.5) / (1 << 53) }

// normal maps a hash to a standard normal variate (Box-Muller, one of the pair).
func normal(h uint64) float64 {
	return math.Sqrt(-2*math.Log(unit(h))) * math.Cos(2*math.Pi*unit(mix(h)))
}

// rng is splitmix64: a sequential generator for the many draws of one day.
type rng struct {
	s     uint64
	spare float64
	has   bool
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

func (r *rng) float() float64 { return unit(r.next()) }

func (r *rng) norm() float64 {
	if r.has {
		r.has = false
		return r.spare
	}
	u1, u2 := r.float(), r.float()
	rad := math.Sqrt(-2 * math.Log(u1))
	s, c := math.Sincos(2 * math.Pi * u2)
	r.spare, r.has = rad*s, true
	return rad * c
}

// params are a symbol's fixed traits.
type params struct {
	key       uint64
	logBase   float64 // log of the price level the walk wanders around
	sigma     float64 // daily log-return volatility
	dayVolume float64 // typical shares traded a day
	tradeSize float64 // typical shares per trade
}

func newParams(symbol string, seed uint64) params {
	key := symbolKey(symbol, seed)
	u := func(i int64) float64 { return unit(hash(key, tagParams, i)) }
	annual := 0.15 + 0.45*u(1)
	return params{
		key:       key,
		logBase:   math.Log(20) + (math.Log(500)-math.Log(20))*u(0),
		sigma:     annual / math.Sqrt(252),
		dayVolume: math.Exp(math.Log(3e5) + (math.Log(3e7)-math.Log(3e5))*u(2)),
		tradeSize: 60 + 190*u(3),
	}
}

// The walk of log prices lives on points: point 2w is the open and 2w+1 the close of weekday w
// (weekdays counted from Monday 1969-12-29, holidays included so that the index is closed-form).
// Its clock runs one unit a weekday, intradayShare of it between open and close: overnight and
// weekend gaps carry the rest.
const (
	intradayShare = 0.75
	blockPoints   = 128 // points between independent anchors: 64 weekdays, about a quarter
	coarseBlocks  = 16  // blocks between coarse anchors: about four years
)

// weekdayIndex numbers weekdays consecutively; ok is false on weekends.
func weekdayIndex(days int64) (w int64, ok bool) {
	d := days + 3 // 1970-01-01 was a Thursday
	q, r := floorDiv(d, 7), d-floorDiv(d, 7)*7
	return 5*q + r, r < 5
}

func pointTime(i int64) float64 {
	return float64(i>>1) + intradayShare*float64(i&1)
}

// logPrice returns the walk at point i: the symbol's level, a slow drift through coarse anchors
// every few years, quarterly anchors around it, and a Brownian bridge between the anchors
// resolved by bisection, each midpoint drawn from its own hash. Every value depends only on the
// symbol, the seed and i, never on which range is being generated.
func (p *params) logPrice(i int64) float64 {
	j := floorDiv(i, blockPoints)
	lo, hi := j*blockPoints, (j+1)*blockPoints
	wlo, whi := p.anchor(j), p.anchor(j+1)
	for i != lo {
		if i == hi {
			return p.logBase + p.slow(i) + whi
		}
		mid := (lo + hi) / 2
		tlo, tm, thi := pointTime(lo), pointTime(mid), pointTime(hi)
		mean := wlo + (whi-wlo)*(tm-tlo)/(thi-tlo)
		sd := p.sigma * math.Sqrt((tm-tlo)*(thi-tm)/(thi-tlo))
		wm := mean + sd*normal(hash(p.key, tagBridge, mid))
		if i < mid {
			hi, whi = mid, wm
		} else {
			lo, wlo = mid, wm
		}
	}
	return p.logBase + p.slow(i) + wlo
}

// anchor j is independent of its neighbours: prices wander around the level instead of
// drifting off as a pure random walk would over decades. Its spread is about four days of
// volatility, so a quarter's move is of the size a random walk would make.
func (p *params) anchor(j int64) float64 {
	return 2 * p.sigma * normal(hash(p.key, tagAnchor, j))
}

// slow interpolates coarse anchors linearly: multi-year trends of up to about ±50%.
func (p *params) slow(i int64) float64 {
	const span = blockPoints * coarseBlocks
	q := floorDiv(i, span)
	a := 0.3 * normal(hash(p.key, tagCoarse, q))
	b := 0.3 * normal(hash(p.key, tagCoarse, q+1))
	return a + (b-a)*float64(i-q*span)/span
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
