package alpaca

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/civil"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

var _ data.ActionSource = (*Source)(nil)

// actionTypes are the corporate-action types that change prices adjusted as each adjustment,
// in the endpoint's names (docs.alpaca.markets/reference/corporateactions-1, parameter types;
// the SDK lists the same in marketdata/rest.go GetCorporateActionsRequest). Which types each
// adjustment applies is not documented beyond its name (docs.alpaca.markets/reference/
// stockbars, adjustment: raw, split, dividend, spin-off, all): splits of every kind and stock
// dividends move a split basis, cash dividends a dividend basis, and all of them plus
// spin-offs the "all" basis.
var actionTypes = map[data.Adjustment][]string{
	data.Split:    {"forward_split", "reverse_split", "unit_split", "stock_dividend"},
	data.Dividend: {"cash_dividend"},
	data.All:      {"forward_split", "reverse_split", "unit_split", "stock_dividend", "cash_dividend", "spin_off"},
}

// Actions asks the corporate-actions endpoint, through the SDK (marketdata/rest.go
// GetCorporateActions), for the actions on symbol that move prices adjusted as adj, with an
// ex-date in [from, to]. A zero to leaves the end to the server, whose default is its current
// day (the reference page: start and end default to the current day), so that "today" is the
// server's, not the local clock's. Crypto pairs have no corporate actions.
func (s *Source) Actions(ctx context.Context, symbol string, adj data.Adjustment, from, to time.Time) ([]data.Action, error) {
	types := actionTypes[adj.Norm()]
	if len(types) == 0 || data.IsCrypto(symbol) {
		return nil, nil
	}
	if !s.HasKeys() {
		return nil, fmt.Errorf("alpaca corporate actions for %s: %w", symbol, ErrMissingKey)
	}
	req := marketdata.GetCorporateActionsRequest{Symbols: []string{symbol}, Types: types, Start: nyDate(from)}
	if !to.IsZero() {
		req.End = nyDate(to)
	}
	got, err := s.client(ctx).GetCorporateActions(req)
	if err != nil {
		return nil, redact(s.describe(ctx, err, "corporate actions"), s.cfg.KeyID, s.cfg.SecretKey)
	}
	var out []data.Action
	add := func(typ, sym string, ex civil.Date) {
		if sym != symbol {
			return // a merger or spin-off names other symbols too
		}
		out = append(out, data.Action{Symbol: sym, Type: typ,
			ExDate: time.Date(ex.Year, ex.Month, ex.Day, 0, 0, 0, 0, calendar.NewYork).UTC()})
	}
	for _, a := range got.ForwardSplits {
		add("forward_split", a.Symbol, a.ExDate)
	}
	for _, a := range got.ReverseSplits {
		add("reverse_split", a.Symbol, a.ExDate)
	}
	// A unit split has an effective date where others have an ex-date (marketdata/entities.go).
	for _, a := range got.UnitSplits {
		add("unit_split", a.OldSymbol, a.EffectiveDate)
	}
	for _, a := range got.StockDividends {
		add("stock_dividend", a.Symbol, a.ExDate)
	}
	for _, a := range got.CashDividends {
		add("cash_dividend", a.Symbol, a.ExDate)
	}
	for _, a := range got.SpinOffs {
		add("spin_off", a.SourceSymbol, a.ExDate)
	}
	return out, nil
}

func nyDate(t time.Time) civil.Date { return civil.DateOf(t.In(calendar.NewYork)) }
