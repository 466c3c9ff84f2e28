package alpacatest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/barkeep-trading/barkeep/data/calendar"
)

// CorporateActionsPath is the corporate-actions endpoint
// (docs.alpaca.markets/reference/corporateactions-1; the SDK's marketdata/rest.go
// GetCorporateActions calls it on the data host).
const CorporateActionsPath = "/v1/corporate-actions"

// Action is a corporate action the server knows. Splits carry OldRate and NewRate, dividends
// Rate, as the reference page's objects do.
type Action struct {
	Type             string // forward_split, reverse_split, cash_dividend, stock_dividend, spin_off
	Symbol           string
	ExDate           time.Time // a New York date (its midnight there)
	OldRate, NewRate float64
	Rate             float64
}

// groupName is the key of a type in the answer: the reference page groups actions by type
// under plural names ("forward_splits", "cash_dividends", ...).
func groupName(typ string) string { return typ + "s" }

// corporateActions answers the endpoint: symbols, types, start and end filter by ex-date;
// start and end both default to the server's current day in New York (the reference page).
// Keys are required as for stock bars. Everything fits one page (next_page_token null).
func (s *Server) corporateActions(w http.ResponseWriter, r *http.Request, now time.Time) int {
	if !s.authorized(r) {
		return writeError(w, apiError{http.StatusForbidden, 0, "forbidden."})
	}
	q := r.URL.Query()
	y, m, d := now.In(calendar.NewYork).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, calendar.NewYork)
	start, end := today, today
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"start", &start}, {"end", &end}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.ParseInLocation(time.DateOnly, v, calendar.NewYork)
			if err != nil {
				return writeError(w, apiError{http.StatusBadRequest, 0, "invalid " + p.name})
			}
			*p.dst = t
		}
	}
	var syms, types []string
	if v := q.Get("symbols"); v != "" {
		syms = strings.Split(v, ",")
	}
	if v := q.Get("types"); v != "" {
		types = strings.Split(v, ",")
	}
	groups := map[string][]string{}
	var order []string
	for _, a := range s.opts.Actions {
		ex := a.ExDate.In(calendar.NewYork)
		if ex.Before(start) || ex.After(end) || len(syms) > 0 && !slices.Contains(syms, a.Symbol) ||
			len(types) > 0 && !slices.Contains(types, a.Type) {
			continue
		}
		g := groupName(a.Type)
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		date := strconv.Quote(ex.Format(time.DateOnly))
		obj := `{"symbol":` + strconv.Quote(a.Symbol) + `,"process_date":` + date + `,"ex_date":` + date
		if strings.HasSuffix(a.Type, "_split") {
			obj += `,"old_rate":` + strconv.FormatFloat(a.OldRate, 'g', -1, 64) + `,"new_rate":` + strconv.FormatFloat(a.NewRate, 'g', -1, 64)
		} else {
			obj += `,"rate":` + strconv.FormatFloat(a.Rate, 'g', -1, 64)
		}
		if a.Type == "spin_off" {
			obj = `{"source_symbol":` + strconv.Quote(a.Symbol) + `,"source_rate":1,"new_symbol":"NEW","new_rate":1,"process_date":` +
				date + `,"ex_date":` + date
		}
		groups[g] = append(groups[g], obj+`}`)
	}
	var b strings.Builder
	b.WriteString(`{"corporate_actions":{`)
	for i, g := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(g) + `:[` + strings.Join(groups[g], ",") + `]`)
	}
	b.WriteString(`},"next_page_token":null}`)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(b.String()))
	return http.StatusOK
}

// Clock is a settable clock for Options.Now: tests move the server's time between runs.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
