package engine

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// ErrRejected is wrapped by every error Submit returns for an order it refuses, so a strategy can
// tell a refused order (errors.Is(err, engine.ErrRejected)) from a bug.
var ErrRejected = errors.New("order rejected")

// Env is a strategy's view of the running backtest: the clock, the simulated broker and the
// portfolio. Everything it shows is as of the close of the bar being handled; nothing shows a
// later bar. An Env is owned by one Run and is not safe for use by other goroutines.
type Env struct {
	cfg      Config
	tf       data.Timeframe
	intraday bool

	// The clock. Intraday closes are computed as Unix ns, and as a time.Time only when asked
	// for (Now): most timestamps pass without anyone asking.
	now     time.Time // close of the timestamp being handled, valid when nowOK; zero during Init
	nowOK   bool
	nowNs   int64     // close as Unix ns
	open    time.Time // open time of the timestamp being handled, as its bars carry it
	step    int64     // intraday timeframe in ns
	cur     int64     // open time (Unix ns) of that timestamp; orders placed now fill on later bars
	dayLo   int64     // [dayLo, dayHi) is the Unix ns span of its New York date (intraday runs)
	dayHi   int64
	regular bool // it lies in a regular session (always so for daily and longer bars)

	cash  float64
	syms  []*symState // by symbol id, first-seen order
	index map[string]int32
	held  []int32 // ids of symbols with a non-zero position, for O(held) equity

	// Symbol prediction: bars of a timestamp usually come in the same symbol order as the
	// timestamp before, so the id is found without hashing the name. seq[:seqPos] is this
	// timestamp's order so far, seq[seqPos:] the previous one's rest.
	seq    []int32
	seqPos int

	orders chunked[OrderRecord]
	ostate chunked[orderState] // parallel to orders
	fills  chunked[Fill]
	trades chunked[Trade]
	curve  curve
	rec    recording // the Recorder of RunRecorded, which takes the records instead

	partials, ambiguous int64 // Result.PartialFills, Result.AmbiguousFills
	// Financing (Config.BorrowRate, Config.MarginRate): the New York date of the timestamp
	// being handled, as days since 1970-01-01, and what has been charged.
	financing, finSet        bool
	finDay                   int64
	borrowPaid, interestPaid float64

	busy     int32 // symbol whose pending orders are being matched, -1 if none
	legsFrom int64 // while an order fills: the notBefore its exit legs get, should it complete
	fillObs  FillObserver
	orderObs OrderObserver
}

type orderState struct {
	sym        int32
	notBefore  int64 // Unix ns: the order fills only on bars opening strictly later
	expires    int64 // intraday Day orders: Unix ns from which a bar expires it; 0 = not yet known
	open       bool
	triggered  bool    // a stop-limit whose stop has been hit: from now on a plain limit; a stop or trailing stop partly filled: from now on a market order
	sized      bool    // placed by TargetPercent: shrunk to fit buying power rather than rejected
	waiting    bool    // an exit leg whose entry has not filled yet: it does not trade
	takeProfit bool    // a take-profit leg
	trailHit   bool    // a trailing stop whose trailing level, not its fixed stop, was the one hit
	legs       uint8   // exit legs following this entry in the order list (Bracket, OTO)
	group      int32   // 1 + index of the first order of its OCO pair; 0 if none
	rem        float64 // quantity still to fill
	filled     float64 // quantity filled
	value      float64 // Σ qty × price of its fills
	best       float64 // trailing stops: the best price since active (high for a sell); 0 until known
	// OPG and CLS orders on intraday bars: the session whose open or close they trade at, as
	// Unix ns; 0 until known.
	sessOpen, sessClose int64
	matched             int64 // the bar (open, Unix ns) its OCO pair was last matched on
}

type symState struct {
	id      int32
	pos     Position
	pending []int32 // indices into Env.orders of open orders, in submission order
	open    int     // open orders (pending may briefly hold closed ones while matching)
	bars    int     // bars of this symbol handled so far, the current one included
	heldAt  int32   // index in Env.held, -1 when flat
	crypto  bool    // trades around the clock: no regular session applies
	trade   roundTrip
	volAt   int64   // the bar (open, Unix ns) whose volume volUsed counts (Config.MaxVolumePct)
	volUsed float64 // volume taken by fills on that bar
}

func newEnv(cfg Config) *Env {
	return &Env{
		cfg:     cfg,
		cash:    cfg.Cash,
		index:   make(map[string]int32),
		cur:     math.MinInt64,
		nowOK:   true,
		regular: true,
		busy:    -1,

		financing: cfg.BorrowRate > 0 || cfg.MarginRate > 0,
	}
}

// Now is the close time of the bar being handled (zero during Init).
func (e *Env) Now() time.Time {
	if !e.nowOK {
		e.setNow()
	}
	return e.now
}

// setNow computes the close time of an intraday timestamp, as closeTime does.
func (e *Env) setNow() {
	e.now, e.nowOK = e.open.Add(time.Duration(e.step)), true
}

// Config is the run's configuration, defaults filled in.
func (e *Env) Config() Config { return e.cfg }

// Cash is the cash balance; negative when a margin account borrows, and it includes the proceeds
// of short sales.
func (e *Env) Cash() float64 { return e.cash }

// Equity is cash plus the market value of all positions at their last closes.
func (e *Env) Equity() float64 {
	eq := e.cash
	for _, id := range e.held {
		p := &e.syms[id].pos
		eq += p.Qty * p.LastPrice
	}
	return eq
}

// Price is the last close seen for symbol, 0 if none yet.
func (e *Env) Price(symbol string) float64 {
	if id, ok := e.index[symbol]; ok {
		return e.syms[id].pos.LastPrice
	}
	return 0
}

// Position is the current holding of symbol (zero Qty when flat or never traded).
func (e *Env) Position(symbol string) Position {
	if id, ok := e.index[symbol]; ok {
		return e.syms[id].pos
	}
	return Position{Symbol: symbol}
}

// OpenOrders counts the open orders of symbol, or of all symbols for "".
func (e *Env) OpenOrders(symbol string) int {
	if symbol == "" {
		n := 0
		for _, s := range e.syms {
			n += s.open
		}
		return n
	}
	if id, ok := e.index[symbol]; ok {
		return e.syms[id].open
	}
	return 0
}

// intern returns the id of symbol, adding it on first sight.
func (e *Env) intern(symbol string) int32 {
	if id, ok := e.index[symbol]; ok {
		return id
	}
	id := int32(len(e.syms))
	e.syms = append(e.syms, &symState{id: id, pos: Position{Symbol: symbol}, heldAt: -1, crypto: data.IsCrypto(symbol)})
	e.index[symbol] = id
	return id
}

// Submit places an order. It returns at once with an error wrapping ErrRejected when the order is
// malformed or not allowed by the configuration; that order is still recorded, as rejected.
// Whether it can be paid for is decided when it fills. An order fills no earlier than its
// symbol's next bar: see the package documentation for the exact rules.
func (e *Env) Submit(o Order) (OrderID, error) { return e.submit(o, false) }

func (e *Env) submit(o Order, sized bool) (OrderID, error) {
	id := OrderID(e.orders.len() + 1)
	err := e.validate(&o)
	var sessOpen, sessClose int64
	if err == nil && (o.TIF == OPG || o.TIF == CLS) && e.intraday && e.cur != math.MinInt64 {
		sessOpen, sessClose, err = e.auctionSession(o.TIF, e.nowNs)
	}
	if err != nil {
		e.orders.add(OrderRecord{
			ID: id, Order: o, Submitted: e.Now(), Status: Rejected, Closed: e.Now(), Reason: err.Error(),
		})
		e.ostate.add(orderState{sym: -1})
		e.notify(int(id-1), Rejected, e.Now(), err.Error())
		return id, fmt.Errorf("order %d %s %g %s: %w: %v", id, o.Side, o.Qty, o.Symbol, ErrRejected, err)
	}
	si := e.intern(o.Symbol)
	switch o.Class {
	case Simple:
		e.place(o, si, orderState{sized: sized, sessOpen: sessOpen, sessClose: sessClose}, 0)
	case OCO:
		// The OCO order itself is its take-profit leg, as Alpaca's is a limit order. An OCO
		// with one leg (barkeep's extension; Alpaca requires both) is that exit alone.
		var group int32
		if o.TakeProfit > 0 && hasStopLeg(&o) {
			group = int32(id)
		}
		parent := OrderID(0)
		if o.TakeProfit > 0 {
			tp := o
			tp.Type, tp.LimitPrice, tp.StopPrice = Limit, o.TakeProfit, 0
			e.place(tp, si, orderState{takeProfit: true, group: group}, 0)
			parent = id
		}
		if hasStopLeg(&o) {
			sl := exitLeg(&o, false, o.Side)
			if parent == 0 {
				sl.Class, sl.TakeProfit, sl.StopLoss, sl.StopLossLimit = OCO, 0, o.StopLoss, o.StopLossLimit
			}
			e.place(sl, si, orderState{group: group}, parent)
		}
	default: // Bracket, OTO
		var buf [2]bool // take-profit first, as Alpaca numbers the legs
		legs := buf[:0]
		if o.TakeProfit > 0 {
			legs = append(legs, true)
		}
		if hasStopLeg(&o) {
			legs = append(legs, false)
		}
		e.place(o, si, orderState{sized: sized, legs: uint8(len(legs))}, 0)
		var group int32
		if len(legs) == 2 {
			group = int32(id) + 1
		}
		for _, tp := range legs {
			e.place(exitLeg(&o, tp, -o.Side), si, orderState{waiting: true, takeProfit: tp, group: group}, id)
		}
	}
	return id, nil
}

// place records an accepted order with its initial state st.
func (e *Env) place(o Order, si int32, st orderState, parent OrderID) {
	id := OrderID(e.orders.len() + 1)
	s := e.syms[si]
	e.orders.add(OrderRecord{ID: id, Order: o, Submitted: e.Now(), Status: Accepted, Parent: parent})
	if o.TIF == Day && e.intraday && e.cur != math.MinInt64 && !st.waiting {
		st.expires = e.dayEnd(&o, s) // orders placed in Init learn theirs at their first bar
	}
	st.sym, st.notBefore, st.open, st.rem = si, e.cur, true, o.Qty
	if o.Type == TrailingStop && !st.waiting {
		st.best = s.pos.LastPrice // the market price when placed; 0 (unknown) takes the first open
	}
	e.ostate.add(st)
	s.pending = append(s.pending, int32(id-1))
	s.open++
	e.notify(int(id-1), Accepted, e.Now(), "")
}

func hasStopLeg(o *Order) bool { return o.StopLoss > 0 || o.TrailPrice > 0 || o.TrailPercent > 0 }

// exitLeg is the take-profit (tp) or stop-loss leg, on side, of a Bracket, OTO or OCO order o.
func exitLeg(o *Order, tp bool, side Side) Order {
	l := Order{Symbol: o.Symbol, Side: side, Qty: o.Qty, TIF: o.TIF, Tag: o.Tag}
	switch {
	case tp:
		l.Type, l.LimitPrice = Limit, o.TakeProfit
	case o.TrailPrice > 0 || o.TrailPercent > 0:
		l.Type, l.StopPrice, l.TrailPrice, l.TrailPercent = TrailingStop, o.StopLoss, o.TrailPrice, o.TrailPercent
	case o.StopLossLimit > 0:
		l.Type, l.StopPrice, l.LimitPrice = StopLimit, o.StopLoss, o.StopLossLimit
	default:
		l.Type, l.StopPrice = Stop, o.StopLoss
	}
	return l
}

// auctionSession is the session an OPG or CLS order placed at now (Unix ns) trades in, with
// Alpaca's cut-offs (docs.alpaca.markets/docs/orders-at-alpaca, "Time in Force"): an OPG order
// placed after 09:28 and a CLS order placed after 15:50 (ten minutes before an early close),
// but before 19:00 New York, are rejected; after 19:00 they go to the next session.
func (e *Env) auctionSession(tif TIF, now int64) (open, close int64, err error) {
	t := time.Unix(0, now)
	if ss, ok := calendar.SessionOn(t); ok {
		cutoff := ss.Open.Add(-2 * time.Minute)
		if tif == CLS {
			cutoff = ss.Close.Add(-10 * time.Minute)
		}
		if !t.After(cutoff) {
			return ss.Open.UnixNano(), ss.Close.UnixNano(), nil
		}
		if t.Before(ss.Date.Add(19 * time.Hour)) {
			return 0, 0, fmt.Errorf("%s order placed at %s New York, after the %s cut-off and before 19:00, as Alpaca rejects it",
				tif, t.In(nyLoc).Format("15:04"), cutoff.In(nyLoc).Format("15:04"))
		}
	}
	ns := calendar.NextSession(t)
	return ns.Open.UnixNano(), ns.Close.UnixNano(), nil
}

func (e *Env) validate(o *Order) error {
	switch {
	case o.Symbol == "":
		return errors.New("empty symbol")
	case o.Side != Buy && o.Side != Sell:
		return fmt.Errorf("invalid side %d", o.Side)
	case !(o.Qty > 0) || math.IsInf(o.Qty, 0):
		return fmt.Errorf("quantity %v is not a positive number", o.Qty)
	case !e.cfg.Fractional && o.Qty != math.Trunc(o.Qty):
		return fmt.Errorf("fractional quantity %v not allowed (Config.Fractional is off)", o.Qty)
	case o.TIF > CLS:
		return fmt.Errorf("invalid time in force %d", o.TIF)
	case o.ExtendedHours && (o.Type != Limit || o.TIF != Day):
		// As Alpaca: "Only limit day orders will be accepted as extended hours eligible. All
		// other order types and TIFs will be rejected with an error" (docs.alpaca.markets,
		// Orders, extended hours trading).
		return fmt.Errorf("extended hours: only a limit order with day time in force may trade outside regular hours, not a %s %s order",
			o.Type, o.TIF)
	}
	validPrice := func(p float64) bool { return p > 0 && !math.IsInf(p, 0) }
	if err := e.validateClass(o, validPrice); err != nil {
		return err
	}
	if o.Class == OCO {
		return e.validateShort(o)
	}
	switch o.Type {
	case Market:
	case Limit:
		if !validPrice(o.LimitPrice) {
			return fmt.Errorf("limit order needs a positive limit price, got %v", o.LimitPrice)
		}
	case Stop:
		if !validPrice(o.StopPrice) {
			return fmt.Errorf("stop order needs a positive stop price, got %v", o.StopPrice)
		}
	case StopLimit:
		if !validPrice(o.LimitPrice) || !validPrice(o.StopPrice) {
			return fmt.Errorf("stop-limit order needs positive stop and limit prices, got %v and %v", o.StopPrice, o.LimitPrice)
		}
	case TrailingStop:
		if o.Class != Simple {
			return fmt.Errorf("a %s order's entry cannot be a trailing stop", o.Class)
		}
		if o.StopPrice != 0 || o.LimitPrice != 0 {
			return errors.New("trailing stop order takes no stop or limit price: its stop follows the trail")
		}
	default:
		return fmt.Errorf("invalid order type %d", o.Type)
	}
	if o.Type != TrailingStop && o.Class == Simple && (o.TrailPrice != 0 || o.TrailPercent != 0) {
		return fmt.Errorf("trail price or percent on a %s order: only a trailing stop or a bracket, OTO or OCO stop-loss leg trails", o.Type)
	}
	if o.Class == Simple && (o.TakeProfit != 0 || o.StopLoss != 0 || o.StopLossLimit != 0) {
		return errors.New("take-profit or stop-loss prices on a simple order: set Class to Bracket, OTO or OCO")
	}
	if o.TIF == OPG || o.TIF == CLS {
		// As Alpaca: opg and cls go with market and limit orders only; crypto takes gtc and ioc.
		switch {
		case o.Type != Market && o.Type != Limit:
			return fmt.Errorf("%s time in force: only a market or limit order, not a %s order", o.TIF, o.Type)
		case o.Class != Simple:
			return fmt.Errorf("%s time in force on a %s order: its time in force must be day or gtc", o.TIF, o.Class)
		case data.IsCrypto(o.Symbol):
			return fmt.Errorf("%s time in force on crypto, which trades around the clock without auctions", o.TIF)
		}
	}
	return e.validateShort(o)
}

// validateClass checks the trail and the legs of o.
func (e *Env) validateClass(o *Order, validPrice func(float64) bool) error {
	trail := o.TrailPrice != 0 || o.TrailPercent != 0
	if trail {
		switch {
		case o.TrailPrice != 0 && o.TrailPercent != 0:
			return errors.New("trail: set trail price or trail percent, not both")
		case o.TrailPrice != 0 && !validPrice(o.TrailPrice):
			return fmt.Errorf("trail price %v is not a positive number", o.TrailPrice)
		case o.TrailPercent != 0 && !(o.TrailPercent > 0 && o.TrailPercent < 100):
			return fmt.Errorf("trail percent %v is not in (0, 100)", o.TrailPercent)
		}
	} else if o.Type == TrailingStop {
		return errors.New("trailing stop order needs a trail price or a trail percent")
	}
	if o.Class == Simple {
		return nil
	}
	stop := o.StopLoss > 0 || trail
	switch {
	case o.Class > OTO:
		return fmt.Errorf("invalid order class %d", o.Class)
	case o.TIF != Day && o.TIF != GTC:
		return fmt.Errorf("%s order: time in force must be day or gtc, not %s", o.Class, o.TIF)
	case o.ExtendedHours:
		return fmt.Errorf("%s order: not eligible for extended hours", o.Class)
	case o.TakeProfit != 0 && !validPrice(o.TakeProfit), o.StopLoss != 0 && !validPrice(o.StopLoss),
		o.StopLossLimit != 0 && !validPrice(o.StopLossLimit):
		return fmt.Errorf("%s order: take-profit %v, stop-loss %v and its limit %v must be positive numbers or zero",
			o.Class, o.TakeProfit, o.StopLoss, o.StopLossLimit)
	case o.StopLossLimit != 0 && (o.StopLoss == 0 || trail):
		return fmt.Errorf("%s order: a stop-loss limit needs a stop-loss stop price and no trail", o.Class)
	case o.Class == OTO && (o.TakeProfit > 0) == stop:
		return errors.New("oto order: give exactly one leg, a take-profit or a stop-loss")
	case o.Class == Bracket && (o.TakeProfit == 0 || !stop):
		return errors.New("bracket order: give both legs, a take-profit and a stop-loss")
	case o.Class == OCO && o.TakeProfit == 0 && !stop:
		return errors.New("oco order: give a take-profit, a stop-loss or both")
	}
	// The legs exit the position: for a long (a buy entry, or an OCO selling), the target lies
	// above the stop.
	long := o.Side == Buy
	if o.Class == OCO {
		long = o.Side == Sell
	}
	if o.TakeProfit > 0 && o.StopLoss > 0 && (o.TakeProfit > o.StopLoss) != long {
		return fmt.Errorf("%s order: take-profit %v must lie %s stop-loss %v", o.Class, o.TakeProfit,
			map[bool]string{true: "above", false: "below"}[long], o.StopLoss)
	}
	return nil
}

// validateShort refuses, with Config.Short off, a sell of more than is held or on order.
func (e *Env) validateShort(o *Order) error {
	if o.Side == Sell && !e.cfg.Short {
		// Open buys count as holdings: a strategy may place an entry and its protective stop
		// together. Whether the shares are really there is checked again at fill time.
		could := 0.0
		if id, ok := e.index[o.Symbol]; ok {
			s := e.syms[id]
			could = math.Max(s.pos.Qty, 0)
			for _, oi := range s.pending {
				if o := &e.orders.at(int(oi)).Order; e.ostate.at(int(oi)).open && o.Side == Buy {
					could += o.Qty
				}
			}
		}
		if o.Qty > could+qtyEps {
			return fmt.Errorf("short selling not allowed (Config.Short is off): sell %g exceeds %g held or on order", o.Qty, could)
		}
	}
	return nil
}

// dayEnd is when a Day order o of s placed at the timestamp being handled expires, as Unix ns:
// the close of the regular session in progress or, past its close or on a day without one, of
// the next session, which is the one Alpaca queues such an order for. An extended-hours order
// and a crypto order (crypto has no session) expire with their New York date instead. With
// Config.Hours == RegularHours both come to the same thing: no bar lies between a session's
// close and the next date.
func (e *Env) dayEnd(o *Order, s *symState) int64 {
	if o.ExtendedHours || s.crypto {
		return e.dayHi
	}
	t := time.Unix(0, e.cur)
	if ss, ok := calendar.SessionOn(t); ok && e.cur < ss.Close.UnixNano() {
		return ss.Close.UnixNano()
	}
	return calendar.NextSession(t).Close.UnixNano()
}

// Cancel cancels an open order.
func (e *Env) Cancel(id OrderID) error {
	i := int(id) - 1
	if i < 0 || i >= e.orders.len() {
		return fmt.Errorf("cancel order %d: no such order", id)
	}
	if st, ok := e.flushedStatus(i); ok {
		return fmt.Errorf("cancel order %d: already %s", id, st)
	}
	os := e.ostate.at(i)
	if !os.open {
		return fmt.Errorf("cancel order %d: already %s", id, e.orders.at(i).Status)
	}
	g, s := os.group, e.syms[os.sym]
	e.close(i, Cancelled, e.Now(), "cancelled by strategy")
	if g != 0 {
		// One order of an OCO pair alone would no longer be one-cancels-other.
		for k := 0; k < len(s.pending); k++ {
			if j := int(s.pending[k]); e.ostate.at(j).open && e.ostate.at(j).group == g {
				e.close(j, Cancelled, e.Now(), "cancelled: the other order of its OCO pair was cancelled")
				k = -1
			}
		}
	}
	return nil
}

// IsOpen reports whether order id is still working (accepted or partly filled, or a leg waiting
// for its entry).
func (e *Env) IsOpen(id OrderID) bool {
	i := int(id) - 1
	if i < 0 || i >= e.orders.len() || i < e.rec.flushed {
		return false // the recorder has only closed orders
	}
	return e.ostate.at(i).open
}

// Financing is the borrow fees and margin interest charged so far (Config.BorrowRate,
// Config.MarginRate).
func (e *Env) Financing() (borrow, interest float64) { return e.borrowPaid, e.interestPaid }

// CancelAll cancels the open orders of symbol, or of every symbol for "".
func (e *Env) CancelAll(symbol string) {
	if symbol == "" {
		for si := range e.syms {
			e.cancelSym(int32(si))
		}
		return
	}
	if si, ok := e.index[symbol]; ok {
		e.cancelSym(si)
	}
}

func (e *Env) cancelSym(si int32) {
	s := e.syms[si]
	for k := 0; k < len(s.pending); k++ {
		if i := int(s.pending[k]); e.ostate.at(i).open {
			e.close(i, Cancelled, e.Now(), "cancelled by strategy")
			k = -1 // close may have compacted pending: start over
		}
	}
}

// close ends order i with status st and drops it from its symbol's pending orders (unless they
// are being matched right now: the matcher compacts them when done).
func (e *Env) close(i int, st OrderStatus, t time.Time, reason string) {
	os := e.ostate.at(i)
	os.open = false
	r := e.orders.at(i)
	r.Status, r.Closed, r.Reason = st, t, reason
	s := e.syms[os.sym]
	s.open--
	if e.busy != os.sym {
		s.compact(&e.ostate)
	}
	e.notify(i, st, t, reason)
	if os = e.ostate.at(i); os.legs > 0 {
		e.release(i, st, t)
	}
}

// release hands the exit legs of entry i, just closed with status st, the quantity it filled,
// making them active, or cancels them when it filled nothing. A leg of an entry that filled
// at a bar's open may trade on the rest of that bar (Env.legsFrom); otherwise from the next.
func (e *Env) release(i int, st OrderStatus, t time.Time) {
	os := e.ostate.at(i)
	n, filled, avg := int(os.legs), os.filled, 0.0
	if filled > 0 {
		avg = os.value / filled
	}
	from := e.legsFrom
	if from == 0 || e.busy != os.sym {
		from = e.cur
	}
	for j := i + 1; j <= i+n; j++ {
		l := e.ostate.at(j)
		if !l.open || !l.waiting {
			continue
		}
		if filled <= 0 {
			e.close(j, Cancelled, t, "cancelled: its entry was "+st.String()+" without a fill")
			continue
		}
		l.waiting, l.rem, l.notBefore = false, filled, from
		o := &e.orders.at(j).Order
		if o.Type == TrailingStop {
			l.best = avg
		}
		if o.TIF == Day && e.intraday {
			l.expires = e.dayEnd(o, e.syms[l.sym])
		}
	}
}

func (s *symState) compact(os *chunked[orderState]) {
	k := 0
	for _, i := range s.pending {
		if os.at(int(i)).open {
			s.pending[k] = i
			k++
		}
	}
	s.pending = s.pending[:k]
}

func (e *Env) notify(i int, st OrderStatus, t time.Time, reason string) {
	if e.orderObs == nil {
		return
	}
	r := e.orders.at(i)
	e.orderObs.OnOrderUpdate(e, OrderUpdate{ID: r.ID, Order: r.Order, Status: st, Time: t, Reason: reason})
}

// TargetQuantity cancels symbol's open orders and places a market order (GTC, so that it fills at
// the next bar even across a session boundary) for the difference between qty and the position.
// It returns 0 and no error when there is nothing to do. Negative qty is a short.
func (e *Env) TargetQuantity(symbol string, qty float64) (OrderID, error) {
	return e.target(symbol, qty, false)
}

func (e *Env) target(symbol string, qty float64, sized bool) (OrderID, error) {
	if math.IsNaN(qty) || math.IsInf(qty, 0) {
		return 0, fmt.Errorf("target %s: quantity %v is not a number", symbol, qty)
	}
	e.CancelAll(symbol)
	diff := qty - e.Position(symbol).Qty
	if math.Abs(diff) <= qtyEps {
		return 0, nil
	}
	o := Order{Symbol: symbol, Side: Buy, Qty: diff, Type: Market, TIF: GTC, Tag: "target"}
	if diff < 0 {
		o.Side, o.Qty = Sell, -diff
	}
	return e.submit(o, sized)
}

// TargetPercent moves symbol's position to pct of equity (negative for a short) with a market
// order, as TargetQuantity. The quantity is sized at the last close and rounded toward zero to
// whole shares unless Config.Fractional. The part of the order that adds exposure is sized net of
// estimated slippage, commission and fees, so that a 100% target fits a cash account; if the next
// open gaps so that it no longer fits, the fill is shrunk to what fits instead of being rejected.
func (e *Env) TargetPercent(symbol string, pct float64) (OrderID, error) {
	if math.IsNaN(pct) || math.IsInf(pct, 0) {
		return 0, fmt.Errorf("target %s: percent %v is not a number", symbol, pct)
	}
	p := e.Price(symbol)
	if p <= 0 {
		return 0, fmt.Errorf("target %s: no price yet", symbol)
	}
	q0 := e.Position(symbol).Qty
	value := pct * e.Equity()
	raw := value / p
	var q float64
	switch {
	case raw == 0 || (raw > 0) == (q0 > 0) && math.Abs(raw) <= math.Abs(q0):
		// A reduction frees cash: no cushion needed.
		q = raw
	default:
		side := Buy
		if raw < 0 {
			side = Sell
		}
		base := 0.0 // the part already held on the target's side
		if (q0 > 0) == (raw > 0) {
			base = q0
		}
		budget := math.Abs(value-base*p) - e.fixedCostEstimate(side)
		add := math.Max(budget, 0) / e.unitCostEstimate(side, p)
		q = base + math.Copysign(add, raw)
	}
	if !e.cfg.Fractional {
		q = math.Trunc(q)
	} else {
		q = math.Trunc(q*1e9) / 1e9 // Alpaca accepts nine decimals
	}
	return e.target(symbol, q, true)
}

// unitCostEstimate is the cash one more share costs at last price p, slippage and per-share
// costs included.
func (e *Env) unitCostEstimate(side Side, p float64) float64 {
	fill := p * (1 + e.cfg.SlippageBps/1e4)
	u := fill
	c := e.cfg.Commission
	switch c.Kind {
	case PerShare:
		u += c.Rate
	case Percent:
		u += c.Rate * fill
	}
	if side == Sell && e.cfg.Fees == AlpacaFees {
		// The highest rates ever tabulated: an estimate must not depend on the fill's date.
		u += fill*maxRate(e.cfg.FeeSchedule.SEC) + maxRate(e.cfg.FeeSchedule.TAF)
	}
	return u
}

func maxRate(s []FeeRate) float64 {
	m := 0.0
	for _, r := range s {
		m = math.Max(m, r.Rate)
	}
	return m
}

// fixedCostEstimate is the part of an order's cost that does not scale with its size.
func (e *Env) fixedCostEstimate(side Side) float64 {
	c := e.cfg.Commission
	f := 0.0
	switch c.Kind {
	case PerOrder:
		f = c.Rate
	case PerShare, Percent:
		f = c.Min
	}
	if side == Sell && e.cfg.Fees == AlpacaFees {
		f += 0.02 // rounding each fee up to the cent
	}
	return f
}
