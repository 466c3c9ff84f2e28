package synth

import (
	"math"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// maxMinutes is the length of a full regular session.
const maxMinutes = 390

// missingRate is the share of minutes with no trade, hence no bar. The first and last minute of
// a session always trade, as they do for any listed stock.
const missingRate = 0.015

// dayGen holds the scratch space for generating one session; it is reused day after day so that
// generating a year allocates only the bars it returns.
type dayGen struct {
	sig  [maxMinutes]float64     // per-minute volatility
	volw [maxMinutes]float64     // per-minute share of the day's volume
	zabs [maxMinutes]float64     // |shock| of each minute, to tie volume to price moves
	path [maxMinutes + 1]float64 // log price at each minute boundary
	vcum [maxMinutes + 1]float64 // cumulative variance at each minute boundary
	bars []data.Bar
}

// session generates the minute bars of one session of one symbol, oldest first. The result
// is valid until the next call.
func (g *dayGen) session(p *params, symbol string, s calendar.Session) []data.Bar {
	g.bars = g.bars[:0]
	days := floorDiv(s.Date.Unix(), 86400) // NY midnight falls on the same UTC date
	w, ok := weekdayIndex(days)
	n := int(s.Close.Sub(s.Open) / time.Minute)
	if !ok || n <= 0 || n > maxMinutes {
		return g.bars // the calendar never gives such a session
	}
	logO, logC := p.logPrice(2*w), p.logPrice(2*w+1)
	r := rng{s: hash(p.key, tagDay, days)}

	// Intraday shapes: volatility and volume are U-shaped over the session, volume with an
	// extra burst at the open and into the close (auctions, MOC orders).
	var sumV2, sumW float64
	for m := 0; m < n; m++ {
		x := 2*(float64(m)+0.5)/float64(n) - 1
		v := 0.75 + 1.5*x*x
		vw := 0.55 + 1.8*x*x
		if m < 3 {
			vw *= 1.6
		} else if m >= n-5 {
			vw *= 2
		}
		g.sig[m], g.volw[m] = v, vw
		sumV2 += v * v
		sumW += vw
	}
	scale := p.sigma * math.Sqrt(intradayShare*float64(n)/maxMinutes) / math.Sqrt(sumV2)

	// A random walk of the minutes, then pinned to the day's close as a Brownian bridge with
	// the same variance profile: the day's open and close come from the multi-day walk, the
	// path between them from this day's own seed.
	g.path[0], g.vcum[0] = 0, 0
	for m := 0; m < n; m++ {
		g.sig[m] *= scale
		z := r.norm()
		g.zabs[m] = math.Abs(z)
		g.path[m+1] = g.path[m] + g.sig[m]*z
		g.vcum[m+1] = g.vcum[m] + g.sig[m]*g.sig[m]
	}
	adj := g.path[n] - (logC - logO)
	for m := 0; m <= n; m++ {
		g.path[m] = logO + g.path[m] - g.vcum[m]/g.vcum[n]*adj
	}

	// Busier days move more.
	dayMove := math.Abs(logC-logO) / (p.sigma * math.Sqrt(intradayShare))
	dayVolume := p.dayVolume * math.Exp(0.3*r.norm()) * (0.7 + 0.3*dayMove) * float64(n) / maxMinutes

	open := s.Open.Unix()
	prevClose := roundPrice(math.Exp(g.path[0]))
	for m := 0; m < n; m++ {
		// Draw everything first so that every minute consumes the same draws, bar or not.
		uHi, uLo, uVol, uTrades, uVWAP, uMiss := r.float(), r.float(), r.float(), r.float(), r.float(), r.float()

		o := prevClose
		c := roundPrice(math.Exp(g.path[m+1]))
		prevClose = c
		if uMiss < missingRate && m > 0 && m < n-1 {
			continue
		}
		hiRaw, loRaw := math.Max(o, c), math.Min(o, c)
		wick := g.sig[m] * 0.8
		h := math.Max(hiRaw, ceilPrice(hiRaw*(1+wick*uHi*uHi*3)))
		l := math.Min(loRaw, floorPrice(loRaw*(1-wick*uLo*uLo*3)))

		vol := math.Round(dayVolume * g.volw[m] / sumW * math.Exp(0.9*(uVol-0.5)) * (0.6 + 0.4*g.zabs[m]))
		if vol < 1 {
			vol = 1
		}
		trades := math.Round(vol / p.tradeSize * (0.7 + 0.6*uTrades))
		trades = math.Min(math.Max(trades, 1), vol)

		vwap := math.Round((l+(h-l)*(0.25+0.5*uVWAP))*1e4) / 1e4
		vwap = math.Min(math.Max(vwap, l), h)

		g.bars = append(g.bars, data.Bar{
			Symbol:     symbol,
			Time:       time.Unix(open+int64(m)*60, 0).UTC(),
			Open:       o,
			High:       h,
			Low:        l,
			Close:      c,
			Volume:     vol,
			TradeCount: uint64(trades),
			VWAP:       vwap,
		})
	}
	return g.bars
}

// Prices are quoted in cents, sub-penny below a dollar as Reg NMS allows.
func tick(p float64) float64 {
	if p < 1 {
		return 1e4
	}
	return 100
}

func roundPrice(p float64) float64 { t := tick(p); return math.Max(math.Round(p*t), 1) / t }
func ceilPrice(p float64) float64  { t := tick(p); return math.Ceil(p*t) / t }
func floorPrice(p float64) float64 { t := tick(p); return math.Max(math.Floor(p*t), 1) / t }
