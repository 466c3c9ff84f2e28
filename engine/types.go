package engine

import (
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// Strategy receives every bar after it closes. env.Now() is the bar's close time; nothing a
// strategy can reach through env shows a later bar.
type Strategy interface {
	OnBar(env *Env, bar data.Bar) error
}

// Optional hooks, found by type assertion as database/sql/driver does.
type (
	// Initer is called once before the first bar.
	Initer interface{ Init(env *Env) error }
	// StepObserver is called once per timestamp, after OnBar has seen every bar of that
	// timestamp: for strategies that trade several symbols together.
	StepObserver interface {
		OnStep(env *Env, t time.Time) error
	}
	// FillObserver is told of every fill of the strategy's orders.
	FillObserver interface{ OnFill(env *Env, f Fill) }
	// OrderObserver is told when an order is accepted, rejected (with a reason), cancelled,
	// expired or filled.
	OrderObserver interface{ OnOrderUpdate(env *Env, u OrderUpdate) }
)

// Side of an order.
type Side int8

const (
	Buy  Side = 1
	Sell Side = -1
)

func (s Side) String() string {
	if s == Buy {
		return "buy"
	}
	return "sell"
}

// OrderType selects how an order fills.
type OrderType uint8

const (
	Market OrderType = iota
	Limit
	Stop
	StopLimit
	// TrailingStop is a stop whose price follows the best price since the order became active
	// by Order.TrailPrice or Order.TrailPercent, as Alpaca's trailing_stop.
	TrailingStop
)

func (t OrderType) String() string {
	return [...]string{"market", "limit", "stop", "stop_limit", "trailing_stop"}[t]
}

// OrderClass links orders as Alpaca's order_class does (docs.alpaca.markets/docs/orders-at-alpaca,
// "Bracket Orders", "OCO Orders", "OTO Orders"). The zero value is a simple order.
type OrderClass uint8

const (
	Simple OrderClass = iota
	// Bracket is an entry with two exit legs, a take-profit limit (Order.TakeProfit) and a
	// stop-loss stop (Order.StopLoss, a stop-limit with Order.StopLossLimit), placed when the
	// entry has filled; a fill of one leg cancels the other.
	Bracket
	// OCO is a pair of exit orders for a position already held, a take-profit limit and a
	// stop-loss stop, both working at once; a fill of one cancels the other. The order's own
	// Type, LimitPrice and StopPrice are not used. An OCO with one leg is that exit alone
	// (barkeep's extension: Alpaca requires both), so that a strategy can attach a lone exit
	// whose fill counts as that leg's ExitReason.
	OCO
	// OTO is an entry with one exit leg, either a take-profit limit or a stop-loss, placed when
	// the entry has filled.
	OTO
)

func (c OrderClass) String() string {
	return [...]string{"simple", "bracket", "oco", "oto"}[c]
}

// TIF is an order's time in force. The zero value is GTC, as in backtrader and LEAN: an order
// that names none stays open until it fills or is cancelled.
type TIF uint8

const (
	// GTC orders stay open until filled or cancelled.
	GTC TIF = iota
	// Day orders expire when their session ends (see the package documentation).
	Day
	// OPG market and limit orders fill only at a session's opening price, as Alpaca's opg
	// (market on open, limit on open); what is not filled there is cancelled.
	OPG
	// CLS market and limit orders fill only at a session's closing price, as Alpaca's cls
	// (market on close, limit on close); what is not filled there is cancelled.
	CLS
)

func (t TIF) String() string {
	return [...]string{"gtc", "day", "opg", "cls"}[t]
}

// OrderID identifies an order within one run; IDs start at 1 and increase.
type OrderID int64

// Order is what a strategy submits. Qty is positive; Side says which way. TIF defaults to GTC
// (its zero value); set Day for an order that expires with its session.
type Order struct {
	Symbol     string
	Side       Side
	Qty        float64
	Type       OrderType
	LimitPrice float64 // Limit and StopLimit
	StopPrice  float64 // Stop and StopLimit
	TIF        TIF
	Tag        string // free text carried into the order record
	// ExtendedHours lets the order fill on bars outside the regular session, as Alpaca's
	// extended_hours flag does; it is accepted only on a Day limit order, as Alpaca accepts it.
	// Without it an order waits for the next regular-session bar of its symbol.
	ExtendedHours bool

	// TrailPrice (dollars) or TrailPercent (percent, 5 = 5%) is the trail of a TrailingStop
	// order, as Alpaca's trail_price and trail_percent; set exactly one. On a Bracket, OTO or OCO
	// order it makes the stop-loss leg trail (barkeep's extension: Alpaca's legs do not trail);
	// the leg's stop is then the tighter of StopLoss, if set, and the trailing level.
	TrailPrice   float64
	TrailPercent float64

	// Class links this order with exit legs; the legs below are used only by a Bracket, OTO or
	// OCO order. Each leg is an order of its own, sells for a buy entry and buys for a sell
	// entry, with the entry's quantity, time in force and tag; Submit returns the ID of the
	// entry (of the take-profit leg for an OCO), the legs taking the next IDs in the order
	// take-profit, stop-loss.
	Class         OrderClass
	TakeProfit    float64 // limit price of the take-profit leg
	StopLoss      float64 // stop price of the stop-loss leg
	StopLossLimit float64 // limit price making the stop-loss leg a stop-limit
}

// OrderStatus is the life cycle of an order.
type OrderStatus uint8

const (
	Accepted OrderStatus = iota
	Filled
	Cancelled
	Expired
	Rejected
	// PartiallyFilled is an open order part of which has filled (Config.MaxVolumePct); the
	// rest is still working.
	PartiallyFilled
)

func (s OrderStatus) String() string {
	return [...]string{"accepted", "filled", "cancelled", "expired", "rejected", "partially_filled"}[s]
}

// OrderUpdate reports a change of an order's status.
type OrderUpdate struct {
	ID     OrderID
	Order  Order
	Status OrderStatus
	Time   time.Time
	Reason string // why it was rejected, cancelled or expired
}

// OrderRecord is an order's whole history, as kept in the Result.
type OrderRecord struct {
	ID        OrderID
	Order     Order
	Submitted time.Time
	Status    OrderStatus
	Closed    time.Time // when it filled, was cancelled, expired or rejected; zero if still open
	Reason    string
	FillPrice float64 // average price of its fills
	FilledQty float64 // quantity filled, less than Order.Qty after partial fills
	// Parent is the order this one is an exit leg of (the entry of a Bracket or OTO, the
	// take-profit leg of an OCO); 0 for any other order.
	Parent OrderID
}

// Fill is one execution.
type Fill struct {
	OrderID    OrderID
	Symbol     string
	Side       Side
	Qty        float64 // positive
	Price      float64 // after slippage
	Time       time.Time
	Commission float64
	Fees       float64 // regulatory fees (SEC, FINRA TAF)
	// RefPrice is the price the fill rules gave before slippage; Price equals it for limit and
	// stop-limit fills and when Config.SlippageBps is zero.
	RefPrice float64
	// Slippage is the dollars this fill paid to slippage: Qty x |Price - RefPrice|.
	Slippage float64
}

// Position is the holding of one symbol. Qty is negative for a short.
type Position struct {
	Symbol    string
	Qty       float64
	AvgCost   float64 // average entry price of the open quantity
	LastPrice float64 // last close seen
	Realized  float64 // realised P&L of this symbol over the run, before costs
}

// MarketValue is Qty times the last price (negative for a short).
func (p Position) MarketValue() float64 { return p.Qty * p.LastPrice }

// Unrealized is the open P&L at the last price.
func (p Position) Unrealized() float64 { return p.Qty * (p.LastPrice - p.AvgCost) }

// Trade is one round trip: a position opened from flat and brought back to flat (or still open
// at the end of the run, with Open set).
type Trade struct {
	Symbol     string
	Side       Side // Buy for a long, Sell for a short
	Qty        float64
	EntryTime  time.Time
	EntryPrice float64 // average
	ExitTime   time.Time
	ExitPrice  float64 // average
	PnL        float64 // net of commission and fees
	Return     float64 // PnL over the entry notional
	BarsHeld   int
	Commission float64 // commission and fees of both legs
	Open       bool
	// ExitReason says what closed the trade: the order whose fill brought the position back to
	// flat (or reversed it), or ExitEnd for a trade still open at the end.
	ExitReason ExitReason
}

// ExitReason is what closed a Trade.
type ExitReason uint8

const (
	// ExitSignal: an order the strategy placed itself (market, limit, or any order that is not
	// one of those below).
	ExitSignal ExitReason = iota
	// ExitStopLoss: a stop-loss leg, or a plain stop or stop-limit order.
	ExitStopLoss
	// ExitTakeProfit: a take-profit leg.
	ExitTakeProfit
	// ExitTrail: a trailing stop, or a trailing stop-loss leg whose trailing level was the one hit.
	ExitTrail
	// ExitEnd: still open when the run ended.
	ExitEnd
)

func (r ExitReason) String() string {
	return [...]string{"signal", "stop_loss", "take_profit", "trail", "end"}[r]
}

// ExitReasons lists every ExitReason in order, for reports that count them.
var ExitReasons = [...]ExitReason{ExitSignal, ExitStopLoss, ExitTakeProfit, ExitTrail, ExitEnd}

// EquityPoint is the portfolio marked at one timestamp (each bar's close). It is 32
// pointer-free bytes because a minute-bar run keeps millions of them (two curves with a
// benchmark): the time is kept as Unix nanoseconds and the equity is derived, never stored.
type EquityPoint struct {
	UnixNano int64 // the mark's time; Time() gives it as a time.Time
	Cash     float64
	Long     float64 // market value of long positions
	Short    float64 // market value of short positions (negative or zero)
}

// Time is the mark's time in UTC (time.Unix(0, p.UnixNano).In(loc) for another zone).
func (p EquityPoint) Time() time.Time { return time.Unix(0, p.UnixNano).UTC() }

// Equity is cash plus the market value of positions, summed in the order the engine has always
// summed them (Cash + Long + Short), so that it is the same float64 to the bit.
func (p EquityPoint) Equity() float64 { return p.Cash + p.Long + p.Short }

// Provenance says where a run's bars came from.
type Provenance struct {
	Store     string
	Symbols   []string
	Timeframe data.Timeframe
	// FillTimeframe is the finer series orders filled on (backtest --fill-tf; RunIntrabar),
	// zero when they filled on the bars the strategy decided on.
	FillTimeframe data.Timeframe
	Start, End    time.Time
	Feed          string
	Adjustment    data.Adjustment
}

// Hours selects which intraday bars the engine replays: regular trading hours only, or all.
type Hours uint8

const (
	// RegularHours keeps only bars inside the regular session (09:30-16:00 New York, early
	// closes honoured); daily and longer bars are always kept.
	RegularHours Hours = iota
	// AllHours keeps every bar.
	AllHours
)

// CommissionKind selects how commission is charged.
type CommissionKind uint8

const (
	NoCommission CommissionKind = iota
	PerShare                    // Rate per share, at least Min per order
	PerOrder                    // Rate per order
	Percent                     // Rate as a fraction of notional (0.001 = 0.1%), at least Min
)

// Commission is a commission model.
type Commission struct {
	Kind CommissionKind
	Rate float64
	Min  float64
}

// Fees selects regulatory fees on sells.
type Fees uint8

const (
	NoFees Fees = iota
	// AlpacaFees charges the SEC fee and FINRA's trading activity fee on sells, as Alpaca passes
	// them on.
	AlpacaFees
)

// Config is everything about a run except its bars and its strategy.
type Config struct {
	Cash        float64 // starting cash; 100000 when zero
	Commission  Commission
	SlippageBps float64 // adverse price move on every fill, in basis points
	Fees        Fees
	// FeeSchedule holds the rates AlpacaFees charges; zero means DefaultFeeSchedule. The
	// Result's Config holds the schedule the run used.
	FeeSchedule FeeSchedule
	Short       bool    // allow short positions
	Leverage    float64 // gross exposure limit as a multiple of equity; 1 (a cash account) when zero
	Fractional  bool    // allow fractional quantities; whole shares otherwise
	Hours       Hours
	// MaxVolumePct caps a fill at this percent of its bar's volume, shared by the symbol's
	// orders on that bar; what is left stays working on later bars. 0 is no cap.
	MaxVolumePct float64
	// BorrowRate is the annual rate (0.025 = 2.5%) charged on the market value of short
	// positions, and MarginRate the annual rate charged on negative cash, both daily at the end
	// of each New York date, over 360 days as Alpaca computes them. 0 charges nothing.
	BorrowRate float64
	MarginRate float64
	Strategy   string            // name, for the record
	Params     map[string]string // the strategy's parameters, for the record
	Provenance Provenance
}

// Result is everything a run produced. Same inputs, same Result, bit for bit.
type Result struct {
	Config    Config
	Equity    []EquityPoint // one point per timestamp, in time order
	Orders    []OrderRecord
	Fills     []Fill
	Trades    []Trade // closed round trips, then those still open at the end
	Positions []Position
	Bars      int64 // bars replayed (after the session filter)
	Skipped   int64 // bars skipped by the session filter
	Start     time.Time
	End       time.Time
	// StartEquity is the cash before any fill (Config.Cash). Returns are measured from it, not
	// from the first EquityPoint, which already holds the costs of fills of orders placed in
	// Init.
	StartEquity float64
	// BorrowPaid and InterestPaid are the borrow fees and margin interest charged
	// (Config.BorrowRate, Config.MarginRate); they are taken from cash, not from trades' PnL.
	BorrowPaid   float64
	InterestPaid float64
	// AmbiguousFills counts bars on which both exits of an OCO pair (a bracket's legs) could
	// have filled and the stop was taken, the pessimistic choice; PartialFills counts fills
	// that left part of their order working (Config.MaxVolumePct).
	AmbiguousFills int64
	PartialFills   int64
}
