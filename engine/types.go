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
)

func (t OrderType) String() string {
	return [...]string{"market", "limit", "stop", "stop_limit"}[t]
}

// TIF is an order's time in force. The zero value is GTC, as in backtrader and LEAN: an order
// that names none stays open until it fills or is cancelled.
type TIF uint8

const (
	// GTC orders stay open until filled or cancelled.
	GTC TIF = iota
	// Day orders expire when their session ends (see the package documentation).
	Day
)

func (t TIF) String() string {
	if t == GTC {
		return "gtc"
	}
	return "day"
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
}

// OrderStatus is the life cycle of an order.
type OrderStatus uint8

const (
	Accepted OrderStatus = iota
	Filled
	Cancelled
	Expired
	Rejected
)

func (s OrderStatus) String() string {
	return [...]string{"accepted", "filled", "cancelled", "expired", "rejected"}[s]
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
	FillPrice float64
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
}

// EquityPoint is the portfolio marked at one timestamp (each bar's close).
type EquityPoint struct {
	Time   time.Time
	Equity float64
	Cash   float64
	Long   float64 // market value of long positions
	Short  float64 // market value of short positions (negative or zero)
}

// Provenance says where a run's bars came from.
type Provenance struct {
	Store      string
	Symbols    []string
	Timeframe  data.Timeframe
	Start, End time.Time
	Feed       string
	Adjustment data.Adjustment
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
	Strategy    string            // name, for the record
	Params      map[string]string // the strategy's parameters, for the record
	Provenance  Provenance
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
}
