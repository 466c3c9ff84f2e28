// Package engine owns the backtest: the event loop that replays bars in time order, the
// simulated broker (orders, fills, slippage, commission, regulatory fees), the portfolio (cash,
// positions, round-trip trades, the equity curve), the Strategy contract and the Result. It does
// no I/O and depends on the standard library and package data only.
//
// # Event loop
//
// Run pulls bars from a data.BarIterator (a batch at a time when it is a data.BatchIterator, as
// data.SliceIterator and data.Merge are), which must yield them in (time, symbol) order; a bar that is invalid (data.Bar.Validate), duplicated or out of order stops the run with
// an error. For each bar the engine, in this order: marks the symbol at the bar's close, matches
// the symbol's open orders against the bar (telling FillObserver and OrderObserver), then calls
// Strategy.OnBar. Env.Now() is the bar's close time. After every bar of a timestamp has been
// handled, StepObserver.OnStep is called with that timestamp (the bars' open time) and one
// EquityPoint is recorded, stamped with the close time.
//
// With Config.Hours == RegularHours, intraday bars whose open time is outside a regular session
// (09:30-16:00 New York, 13:00 on early closes) are skipped and counted in Result.Skipped; daily
// and longer bars are never skipped. With AllHours every bar is replayed: the strategy sees
// pre-market and after-hours bars, but orders fill on them only as the section on extended hours
// says.
//
// The timeframe is Config.Provenance.Timeframe; when that is zero, the engine reads a few dozen
// timestamps ahead (without showing them to the strategy), takes bars stamped at midnight New
// York as daily (weekly or monthly if their spacing says so) and others as intraday bars as long
// as the smallest step between timestamps (1Min if that is not a valid timeframe);
// Result.Config.Provenance.Timeframe records the choice. Intraday bars
// close one timeframe after they open, daily bars at their session's close (16:00 New York, 13:00
// on early closes).
//
// # Orders
//
// Submit checks an order at once (positive quantity, whole shares unless Config.Fractional,
// prices present for its type, the legs and trail of the section below, ExtendedHours only on a
// Day limit order, and with Config.Short off
// no sell larger than the shares held plus those on open buy orders); a refused order is returned
// as an error wrapping ErrRejected and recorded with status Rejected, with the reason. Accepted
// orders wait in submission order.
//
// No look-ahead: an order placed while handling the bars of timestamp t (in OnBar, OnStep,
// OnFill or OnOrderUpdate) can fill only on a bar of its symbol that opens after t. Orders placed
// in Init can fill on the symbol's first bar (its first regular-session bar, unless extended
// hours apply).
//
// Time in force defaults to GTC, as in backtrader and LEAN: the zero TIF is GTC, and a GTC order
// stays open until filled or cancelled. A Day order on intraday bars expires, unfilled, at the
// first bar of its symbol opening at or after the close of its session: the regular session in
// progress at the open of the bar it was placed at, or, placed after that session's close or on a
// day without one, the next session (Alpaca queues it for the next open). So a Day order placed
// at a session's last bar never fills, and one placed after hours waits for the next session. A
// Day order with ExtendedHours, and any Day order on a crypto pair, expires instead at the first
// bar of a later New York date. On daily or longer bars a Day order has exactly the next bar of
// its symbol to fill in, then expires. TargetQuantity and TargetPercent place GTC market orders,
// so that they fill at the next bar they may fill on whatever the session.
//
// # Order classes, trailing stops and auction orders
//
// As Alpaca offers them (docs.alpaca.markets/docs/orders-at-alpaca: "Bracket Orders", "OCO
// Orders", "OTO Orders", "Trailing Stop Orders", "Time in Force"):
//
//   - A Bracket order is an entry with two exit legs on the other side: a take-profit limit at
//     Order.TakeProfit and a stop-loss stop at Order.StopLoss (a stop-limit with
//     Order.StopLossLimit). An OTO order has one of the two. The legs are orders of their own
//     (OrderRecord.Parent names the entry) that wait until the entry is done: when it has
//     filled, or is cancelled, expires or is rejected after a partial fill, they become active
//     for the quantity it filled; when it ends without a fill they are cancelled. A leg of an
//     entry that filled at a bar's open trades on the rest of that bar, which all came after the
//     open; otherwise legs trade from the next bar. Legs keep the entry's time in force (a Day
//     leg expires with the session in which it became active) and its tag.
//   - An OCO order is the same two exits for a position already held, both working at once.
//     One with a single leg is that exit alone, labelled as that leg (barkeep's extension:
//     Alpaca requires both).
//   - The two exits of a bracket or an OCO cancel each other: a fill of one takes its quantity
//     off the other, which is cancelled once nothing is left; cancelling one cancels both.
//     Class orders take day or gtc time in force and no extended hours; the target must lie
//     above the stop for a long (below for a short).
//   - A TrailingStop order's stop follows its mark, the best price since it became active (the
//     highest for a sell, the lowest for a buy; for a standalone order it starts at the last
//     close when placed, for a leg at the entry's average fill price), by Order.TrailPrice
//     dollars or Order.TrailPercent percent. On each bar the mark first takes the bar's open;
//     the stop computed from it triggers as a stop does (sell: L <= stop, at min(O, stop)); a
//     bar that does not trigger it moves the mark to its high (low). Within one bar the bar
//     does not say whether its high came before its low, so a trail is never raised and hit on
//     the same bar. Trail fields on a bracket, OTO or OCO order make its stop-loss leg trail, an
//     extension of Alpaca's legs; the leg's stop is then the tighter of the fixed stop and the
//     trailing level.
//   - OPG and CLS time in force take market and limit orders on stocks only. OPG trades at the
//     session's opening price: with bars, the open of the symbol's first regular-session bar of
//     that session; CLS at its closing price: the close of the symbol's bar ending at the
//     session's close, the fill stamped at the close. A limit trades there only if that price
//     satisfies it; the rest is cancelled, and an order whose session passes without that bar
//     expires. On intraday bars Alpaca's cut-offs apply to the time an order is placed (the
//     close of the bar being handled): an OPG order placed after 09:28 and a CLS order placed
//     after 15:50 (ten minutes before an early close) but before 19:00 New York are rejected;
//     before the cut-off they trade in that day's session, from 19:00 in the next one. Orders
//     placed in Init trade in the first auction at or after the symbol's first bar. On daily
//     and longer bars, where a strategy decides at the close and could place the order that
//     night, they trade at the next bar's open or close.
//
// # One bar, two exits
//
// When one bar could fill both exits of an OCO pair (a bracket's legs), the one that fills at
// the bar's open came first. Otherwise the bar does not say which price came first, and the
// stop-loss is taken: the pessimistic rule. Result.AmbiguousFills counts those bars, so that a
// reader sees how much a result rests on the rule. A bar's matching reads only that bar and the
// orders' state (fillPrice), so that it can be walked over finer bars to settle the question.
//
// # Several timeframes
//
// An Aggregator builds coarser bars from finer intraday ones, aligned to the New York session
// as Alpaca's are. Minute and hour bars align to the clock in New York (15Min at :00, :15, ...;
// 1Hour at each hour, so that 09:30-09:59 falls in the bar stamped 09:00; 4Hour at 00:00,
// 04:00, ...) and take every bar given them, extended hours included, as Alpaca's hourly bars
// do; a bar never spans two New York dates. A stock's 1Day bar is the regular session of its
// New York date (09:30-16:00, 13:00 on early closes), stamped at midnight New York: pre-market
// and after-hours bars are left out of it, and a day without a session has none. A crypto
// pair's 1Day bar is its whole New York date. Open is the first bar's open, Close the last
// one's close, High and Low the extremes, Volume and TradeCount sums, VWAP the
// volume-weighted mean. A coarse bar is complete when the run's clock reaches its period's end
// (the session's close, by the calendar, for 1Day), whether or not its last fine bars exist;
// only then is it handed over.
//
// A strategy that implements Timeframes (and TimeframeObserver) asks for coarser timeframes of
// the bars replayed, which must be intraday and divide each one asked for (or it be 1Day).
// Each coarse bar goes to OnBarTF with its timeframe, after OnStep of the fine timestamp whose
// close reaches its end, or, when its last fine bars are missing, before OnBar of the first bar
// of a later timestamp (after that bar's orders were matched); timeframes in the order asked
// for, each in (time, symbol) order. Env.Now is the clock of the fine bar being handled, never
// before the coarse bar's end, and orders placed in OnBarTF fill on later fine bars as any
// other. The Hours filter applies before aggregation: with RegularHours no extended-hours bar
// reaches a coarse bar. A period the run ends inside is not handed over.
//
// # Intrabar truth
//
// RunIntrabar (backtest --fill-tf) settles the question from finer bars. The strategy decides
// on bars of Config.Provenance.Timeframe that an Aggregator builds from the fine series (as
// described under "Several timeframes": built rather than read, so that the bars decided on
// and the bars filled on are the same trades), and orders fill by walking the fine bars inside
// each coarse bar, each with the rules of this documentation as if it were the bar: a stop,
// target or trailing level triggers at the first fine bar that touches it, at that bar's price
// (gap rules as above), and a fill of one exit of a pair cancels the other before the next fine
// bar. The fine bars of all the coarse bars of a timestamp are walked together, in (time,
// symbol) order, before the first of those coarse bars is marked and handed to OnBar; so an
// order placed on any of them (at the coarse close) fills on later coarse bars only, and no
// fine bar is seen before the coarse bar that contains it has been decided on. For the walk
// the Env is that of a run on the fine bars: the clock (Env.Now, fill and order times), the
// session and the walked symbols' last prices are each fine bar's, so Day orders, auctions
// (OPG at the first fine bar of the session, CLS at the one ending at its close) and extended
// hours follow the intraday rules, and an order placed in OnFill during the walk fills from the
// next fine bar of its symbol on. After the walk the last prices are again those before it,
// until each coarse bar marks its symbol as in Run. Equity points, BarsHeld and Result.Bars count coarse bars. Two exits can
// still both fall inside one fine bar; the pessimistic rule then decides, and
// Result.AmbiguousFills counts it. The last coarse bar is built from the fine bars there are.
// With RegularHours the fine bars outside the session are left out (Result.Skipped counts
// them) before aggregation rather than coarse bars after it, so that the 1Hour bar stamped
// 09:00 holds 09:30-09:59 and is replayed; with AllHours it holds the pre-market too, and its
// pre-market fine bars fill only ExtendedHours orders.
//
// # Extended hours
//
// With Config.Hours == AllHours, an intraday bar of a stock that opens outside a regular session
// fills only orders with ExtendedHours set, Alpaca's extended_hours flag; other orders skip it and
// wait for the next regular-session bar of their symbol. As Alpaca, Submit accepts ExtendedHours
// only on a limit order with Day time in force and rejects it on any other, with the reason.
// Crypto pairs trade around the clock: no session applies to them. Daily and longer bars are
// always regular.
//
// # Fill prices
//
// Each rule is checked against the first eligible bar with open O, high H, low L. For buys:
//
//   - Market fills at O.
//   - Limit with limit price P fills if L <= P, at min(O, P): a bar opening below the limit fills
//     at its open.
//   - Stop with stop price S triggers if H >= S and fills at max(O, S): a bar opening above the
//     stop fills at its open.
//   - Stop-limit (stop S, limit P) triggers if H >= S, at T = max(O, S). If T <= P it fills at T.
//     If T > P it fills at P only when the bar opened at or above S (the trigger came at the open,
//     so the bar's low came after it) and L <= P; otherwise it stays open as a plain limit order
//     from the next bar on. A triggered stop-limit stays triggered.
//
// Sells mirror these (limit: H >= P at max(O, P); stop: L <= S at min(O, S); stop-limit: L <= S,
// T = min(O, S), fills at T if T >= P, else at P if O <= S and H >= P).
//
// With Config.MaxVolumePct P > 0 a bar fills at most P% of its volume (whole shares unless
// Config.Fractional), shared by the symbol's orders in submission order; what is left stays
// working on later bars, each fill recorded as a Fill, the order PartiallyFilled until done
// (OrderRecord.FilledQty, FillPrice the average). A stop or trailing stop partly filled has
// triggered: its rest is a market order; a limit's rest stays a limit; the rest of a day order
// on daily bars expires with it, and of an OPG or CLS order is cancelled. Result.PartialFills
// counts the fills that left part of their order working. Without P an order fills entirely
// or not at all.
//
// Slippage of Config.SlippageBps basis points moves market and stop fills against the trader
// (buys at price*(1+bps/10000), sells at price*(1-bps/10000)), even beyond the bar's range. Limit
// and stop-limit fills get no slippage: a limit cannot fill worse than its price. Each Fill keeps
// the price the rules gave (RefPrice) beside the one paid (Price) and what slippage cost it,
// Slippage = Qty x |Price - RefPrice|, so that a reader can total it and recompute the run at
// another slippage.
//
// # Costs
//
// Commission per fill: PerShare is Rate per share, at least Min; PerOrder is Rate; Percent is
// Rate times notional, at least Min. With Fees == AlpacaFees every sell of a stock (not of a
// crypto pair: neither fee applies to crypto) also pays the SEC
// Section 31 fee (notional times the rate in Config.FeeSchedule.SEC on the fill's New York date,
// rounded up to the cent) and FINRA's trading activity fee (shares times the rate in
// Config.FeeSchedule.TAF on that date, at most its per-trade cap, rounded up to the cent); a zero
// FeeSchedule charges DefaultFeeSchedule's rates, the history of both fees from 2016 with the
// notice each rate comes from. Fill.Commission and Fill.Fees keep the two apart.
//
// Fees are rounded up per fill, while Alpaca rounds up each fee's daily total per account. That
// is conservative: a sum of amounts each rounded up is never less than their sum rounded up, so
// a run never pays less than Alpaca would charge, and pays at most a cent more per fee and sale.
// Alpaca's CAT fee (Consolidated Audit Trail, on buys and sells) is not modelled.
//
// Config.BorrowRate and Config.MarginRate are annual rates charged from cash at the end of each
// New York date, as Alpaca charges stock borrow fees and margin interest: on the market value
// of short positions and on negative cash as they stood at the date's last close, at rate / 360
// a day for each calendar day until the next date with bars (a Friday's charge covers the
// weekend). The charge is booked at the first timestamp of the next date, before its bars, so
// that every EquityPoint still adds up; a run's last date is not charged (it ends before that
// night). Result.BorrowPaid and Result.InterestPaid total them; they are account costs, not
// part of any Trade's PnL. Alpaca borrows in round lots of 100 shares and varies the rate by
// stock and by day; the engine charges one rate on the shares held.
//
// # Buying power
//
// A fill that does not increase the position's size (a sale of shares held, a cover of a short)
// is always allowed. Any other fill is checked when it would happen, with its slippage and costs,
// the symbol marked at the fill price and others at their last closes. It is rejected, with the
// reason in the OrderRecord and OrderObserver, when:
//
//   - it is a sell of more than is held while Config.Short is off (rejected, not clipped);
//   - Leverage <= 1 (a cash account) and a buy would leave cash negative;
//   - gross exposure (sum of |quantity| x price) would exceed Leverage x equity.
//
// Orders placed by TargetPercent are the exception: rather than being rejected they fill the
// largest quantity that fits (whole shares unless Fractional); the OrderRecord keeps the order as
// submitted and says so in Reason, and the Fill has the quantity filled.
//
// # Portfolio and trades
//
// Cash moves by -side x quantity x price minus commission and fees at each fill. A position has
// a signed quantity and an average cost; reducing it realises (price - average cost) x quantity
// (sign-adjusted for shorts) before costs. Equity is cash plus the market value of positions at
// their last closes: an EquityPoint stores Cash, Long and Short, and its Equity() is their sum.
// Result.StartEquity is the cash before any fill (Config.Cash): the first EquityPoint is marked
// after the first bar's fills, which include those of orders placed in Init, so returns are
// measured from StartEquity, not from that point, for those fills and their costs to count.
//
// A Trade is a round trip from flat back to flat. Adds and partial reductions accumulate into
// it: Qty is the quantity entered, EntryPrice and ExitPrice the averages of entry and exit fills,
// PnL the realised P&L net of the commission and fees of all its fills, Return the PnL over the
// entry notional, BarsHeld the symbol's bars from the entry fill's bar to the exit fill's bar
// (a position opened at one bar's open and closed at the next bar's open was held 1 bar). A fill
// that reverses a position closes one trade and opens another, splitting its costs in proportion
// to quantity. Trades still open at the end are listed last with Open set, as if closed at the
// last close without costs, their BarsHeld counting the last bar.
//
// Trade.ExitReason is what closed the trade, from the order whose fill did: a take-profit leg
// ExitTakeProfit; a stop-loss leg or a plain stop or stop-limit ExitStopLoss; a trailing stop
// ExitTrail (a trailing stop-loss leg ExitTrail when its trailing level was hit, ExitStopLoss
// when its fixed stop was); any other order ExitSignal; a trade still open ExitEnd.
//
// Results are deterministic: symbols are kept in slices in the order first seen and reported
// sorted, and no map order reaches the Result.
package engine
