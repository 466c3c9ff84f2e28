package alpaca

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"github.com/barkeep-trading/barkeep/data"
)

// pageLimit is the most bars Alpaca sends in one page, counted across a request's symbols.
const pageLimit = 10000

// Source is a data.Source over Alpaca's historical bars. It is safe for concurrent use; all
// goroutines share its pacing and rate-limit state.
type Source struct {
	cfg Config
	tr  *transport

	mu        sync.Mutex
	requested map[string]bool
	seen      map[string]bool
}

var _ data.Source = (*Source)(nil)

// New returns a Source. Keys may be empty (crypto bars need none); stock requests then fail
// with ErrMissingKey before any request is made. Setting only one of the two keys is an error.
func New(cfg Config) (*Source, error) {
	if err := cfg.normalize(); err != nil {
		return nil, fmt.Errorf("alpaca: %w", err)
	}
	tr := &transport{base: cfg.Transport, log: cfg.Logger, stats: &counters{}}
	s := &Source{cfg: cfg, tr: tr, requested: map[string]bool{}, seen: map[string]bool{}}
	tr.cfg = &s.cfg
	if cfg.RPM >= 0 {
		// Until the server's X-RateLimit-Limit is seen, pace as for the free plan.
		tr.limiter = newBucket(tr.paceFor(freePlanRPM))
	}
	return s, nil
}

// Feed is the feed every stock bar of this Source comes from, recorded with the bars. It
// never changes during a fetch: where the plan refuses recent SIP data, Horizon moves the
// end back instead of switching feeds, so a series never mixes feeds.
func (s *Source) Feed() string { return s.cfg.Feed }

// HasKeys reports whether stock bars can be asked for: keys or an OAuth token.
func (s *Source) HasKeys() bool {
	return s.cfg.OAuth != "" || (s.cfg.KeyID != "" && s.cfg.SecretKey != "")
}

// Credential says which credential requests carry, never showing it whole ("key PK…1234",
// "OAuth token (APCA_API_OAUTH)").
func (s *Source) Credential() string { return s.cfg.Credential() }

// ServerNow is the data server's clock, as the Date header of its latest answer showed it
// (to the second), and false before any answer.
func (s *Source) ServerNow() (time.Time, bool) { return s.tr.serverNow() }

// ServerTime is ServerNow for the fetch loop's optional data.Clock role: the zero time before
// any answer.
func (s *Source) ServerTime() time.Time {
	t, _ := s.ServerNow()
	return t
}

// RateLimit is the X-RateLimit-Limit the server last sent (0 before any) and the requests
// a minute the Source now paces to (0 when unpaced).
func (s *Source) RateLimit() (serverLimit int, pace float64) {
	s.tr.mu.Lock()
	serverLimit = s.tr.serverLimit
	s.tr.mu.Unlock()
	if s.tr.limiter != nil {
		pace = s.tr.limiter.rpm()
	}
	return serverLimit, pace
}

// maxSymbols bounds the symbols of one request. Alpaca documents no bound on the symbols
// parameter (docs.alpaca.markets/reference/stockbars is silent); 100 keeps the URL near 1 KB.
const maxSymbols = 100

// SymbolsPerRequest tells the fetch loop how many symbols to ask for at once when their
// ranges agree: Alpaca's limit counts bars across all the symbols of a request, whose results
// come sorted by symbol and then time (alpacahq/alpaca-docs oas/data/openapi.yaml,
// /v2/stocks/bars description), so a hundred years of daily bars for a hundred symbols take
// about as many pages as one symbol's.
func (s *Source) SymbolsPerRequest() int { return maxSymbols }

// sipDelay is how far behind the server's clock a plan without recent SIP data must end:
// Alpaca refuses the last 15 minutes (about-market-data-api, footnote of the plans table;
// market-data-faq); one more minute absorbs the Date header's one-second resolution and the
// time between the check and the requests.
const sipDelay = 16 * time.Minute

// Horizon returns the latest end the Source can serve for a fetch that ends at end, and a
// one-line notice when it had to move it. For the sip feed it asks Alpaca once, with the
// request that the plan would refuse (the last minutes of SIP bars of SPY): a paid plan
// answers and end stands; a plan that refuses ("subscription does not permit querying
// recent SIP data", market-data-faq) gets end moved to 16 minutes before the server's clock,
// still on sip, because the FAQ and about-market-data-api say the refusal concerns only the
// last 15 minutes, and falling back to iex would mix feeds in one series. Ends already older
// than an hour, iex and crypto-only fetches need no request.
func (s *Source) Horizon(ctx context.Context, end time.Time) (time.Time, string, error) {
	if s.cfg.Feed == FeedIEX || !s.HasKeys() || end.Before(s.cfg.now().Add(-time.Hour)) {
		return end, "", nil
	}
	entitled, err := s.recentSIP(ctx)
	if err != nil {
		return end, "", redact(err, s.cfg.KeyID, s.cfg.SecretKey, s.cfg.OAuth)
	}
	now, ok := s.ServerNow()
	if !ok {
		now = s.cfg.now()
	}
	if entitled || !end.After(now.Add(-sipDelay)) {
		return end, "", nil
	}
	clamped := now.Add(-sipDelay).Truncate(time.Minute)
	return clamped, fmt.Sprintf("alpaca: the plan does not permit SIP data of the last 15 minutes; "+
		"fetching until %s UTC (16 minutes before the server's clock); --feed iex has the latest bars",
		clamped.UTC().Format("2006-01-02 15:04")), nil
}

// recentSIP asks for the last minutes of SIP bars and reports whether the plan permits them.
func (s *Source) recentSIP(ctx context.Context) (bool, error) {
	now := s.cfg.now()
	_, err := s.client(ctx).GetMultiBars([]string{"SPY"}, marketdata.GetBarsRequest{
		TimeFrame:  marketdata.OneMin,
		Start:      now.Add(-5 * time.Minute),
		End:        now,
		PageLimit:  1,
		TotalLimit: 1,
		Feed:       FeedSIP,
	})
	if err == nil {
		return true, nil
	}
	err = s.describe(ctx, err, "stock")
	if errors.Is(err, ErrSubscription) {
		return false, nil
	}
	return false, err
}

// Stats returns the HTTP work done so far.
func (s *Source) Stats() Stats {
	c := s.tr.stats
	s.tr.mu.Lock()
	last, at := s.tr.lastRetry, s.tr.lastRetryAt
	s.tr.mu.Unlock()
	return Stats{
		Requests:       c.requests.Load(),
		Retries:        c.retries.Load(),
		Bytes:          c.bytes.Load(),
		RateLimitWaits: c.rateLimitWaits.Load(),
		Waited:         time.Duration(c.waited.Load()),
		LastRetry:      last,
		LastRetryAt:    at,
	}
}

// NoBars lists, sorted, the symbols that were requested and got no bar in any completed
// request so far. Alpaca answers a well-formed unknown symbol with no bars rather than an
// error, so this is how a caller tells the user about a typo.
func (s *Source) NoBars() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for sym := range s.requested {
		if !s.seen[sym] {
			out = append(out, sym)
		}
	}
	slices.Sort(out)
	return out
}

// Bars fetches the bars of req, in pages of one symbol each, each oldest first. Stock symbols
// go to /v2/stocks/bars with the configured feed, crypto pairs to /v1beta3/crypto/us/bars.
// The whole request is held in memory before its first page is yielded (the SDK gathers all
// pages), so callers bound memory by the size of their requests.
func (s *Source) Bars(ctx context.Context, req data.Request) iter.Seq2[[]data.Bar, error] {
	return func(yield func([]data.Bar, error) bool) {
		if err := s.bars(ctx, req, yield); err != nil && err != errStopped {
			yield(nil, redact(err, s.cfg.KeyID, s.cfg.SecretKey, s.cfg.OAuth))
		}
	}
}

func (s *Source) bars(ctx context.Context, req data.Request, yield func([]data.Bar, error) bool) error {
	if !req.Timeframe.Valid() {
		return fmt.Errorf("alpaca bars: invalid timeframe %v", req.Timeframe)
	}
	adj, err := data.ParseAdjustment(string(req.Adjustment))
	if err != nil {
		return fmt.Errorf("alpaca bars: %w", err)
	}
	if len(req.Symbols) == 0 || (!req.End.IsZero() && !req.Start.Before(req.End)) {
		return nil
	}
	var stocks, cryptos []string
	for _, sym := range req.Symbols {
		switch {
		case slices.Contains(stocks, sym) || slices.Contains(cryptos, sym):
		case data.IsCrypto(sym):
			cryptos = append(cryptos, sym)
		default:
			stocks = append(stocks, sym)
		}
	}
	if len(stocks) > 0 && !s.HasKeys() {
		return fmt.Errorf("alpaca bars for %s: %w", strings.Join(stocks, ","), ErrMissingKey)
	}

	client := s.client(ctx)
	tf := marketdata.NewTimeFrame(req.Timeframe.N, marketdata.TimeFrameUnit(req.Timeframe.Unit.String()))

	if len(stocks) > 0 {
		feed := s.cfg.Feed
		if feed == FeedDelayedSIP {
			feed = FeedSIP
		}
		got, err := client.GetMultiBars(stocks, marketdata.GetBarsRequest{
			TimeFrame:  tf,
			Adjustment: marketdata.Adjustment(adj),
			Start:      req.Start,
			End:        req.End,
			PageLimit:  pageLimit,
			Feed:       feed,
			Sort:       marketdata.SortAsc,
		})
		if err != nil {
			return s.describe(ctx, err, "stock")
		}
		if err := emit(s, stocks, got, req, stockBar, yield); err != nil {
			return err
		}
	}
	if len(cryptos) > 0 {
		got, err := client.GetCryptoMultiBars(cryptos, marketdata.GetCryptoBarsRequest{
			TimeFrame: tf,
			Start:     req.Start,
			End:       req.End,
			PageLimit: pageLimit,
			Sort:      marketdata.SortAsc,
		})
		if err != nil {
			return s.describe(ctx, err, "crypto")
		}
		if err := emit(s, cryptos, got, req, cryptoBar, yield); err != nil {
			return err
		}
	}
	return nil
}

// client returns an SDK client whose every request is bound to ctx. Clients are cheap; the
// transport under them, with its connections and rate-limit state, is the Source's.
func (s *Source) client(ctx context.Context) *marketdata.Client {
	return marketdata.NewClient(marketdata.ClientOpts{
		APIKey:    s.cfg.KeyID,
		APISecret: s.cfg.SecretKey,
		OAuth:     s.cfg.OAuth,
		BaseURL:   s.cfg.BaseURL,
		// The SDK reads 0 as its default of 10 retries; a negative limit turns them off so
		// that the transport alone decides.
		RetryLimit: -1,
		HTTPClient: &http.Client{Transport: bound{s.tr, ctx}},
	})
}

func stockBar(sym string, b *marketdata.Bar) data.Bar {
	return data.Bar{Symbol: sym, Time: b.Timestamp.UTC(), Open: b.Open, High: b.High, Low: b.Low, Close: b.Close,
		Volume: float64(b.Volume), TradeCount: b.TradeCount, VWAP: b.VWAP}
}

func cryptoBar(sym string, b *marketdata.CryptoBar) data.Bar {
	return data.Bar{Symbol: sym, Time: b.Timestamp.UTC(), Open: b.Open, High: b.High, Low: b.Low, Close: b.Close,
		Volume: b.Volume, TradeCount: b.TradeCount, VWAP: b.VWAP}
}

// emit converts and yields one page per requested symbol that has bars. Alpaca's end is
// inclusive and barkeep's exclusive, so a bar stamped at req.End is dropped.
func emit[B any](s *Source, syms []string, got map[string][]B, req data.Request,
	conv func(string, *B) data.Bar, yield func([]data.Bar, error) bool) error {
	for sym := range got {
		if !slices.Contains(syms, sym) {
			return fmt.Errorf("alpaca returned bars for %q, which was not requested: %w", sym, ErrBadResponse)
		}
	}
	s.mu.Lock()
	for _, sym := range syms {
		s.requested[sym] = true
	}
	s.mu.Unlock()
	for _, sym := range syms {
		raw := got[sym]
		page := make([]data.Bar, 0, len(raw))
		for i := range raw {
			b := conv(sym, &raw[i])
			if b.Time.Before(req.Start) || (!req.End.IsZero() && !b.Time.Before(req.End)) {
				continue
			}
			if n := len(page); n > 0 && !page[n-1].Time.Before(b.Time) {
				return fmt.Errorf("alpaca bars %s: %s after %s, not in time order: %w", sym,
					b.Time.Format(time.RFC3339), page[n-1].Time.Format(time.RFC3339), ErrBadResponse)
			}
			page = append(page, b)
		}
		got[sym] = nil // let the SDK's copy go while the caller works on ours
		if len(page) == 0 {
			continue
		}
		s.mu.Lock()
		s.seen[sym] = true
		s.mu.Unlock()
		if !yield(page, nil) {
			return errStopped
		}
	}
	return nil
}

// errStopped is not an error the caller sees: the caller stopped iterating.
var errStopped = errors.New("stopped")

// describe turns an SDK error into one with a clear message and the right sentinel.
func (s *Source) describe(ctx context.Context, err error, kind string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("alpaca %s bars: %w", kind, context.Cause(ctx))
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	var re *RetryError
	if errors.As(err, &re) {
		return re
	}
	var ne *UnreachableError
	if errors.As(err, &ne) {
		return ne
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error quotes the whole URL; name only host and path.
		if u, perr := url.Parse(ue.URL); perr == nil {
			return fmt.Errorf("alpaca GET %s: %w", u.Host+u.Path, ue.Err)
		}
		return fmt.Errorf("alpaca %s bars: %w", kind, ue.Err)
	}
	// What is left comes from decoding a page that was complete JSON but not of the shape
	// of bars.
	return fmt.Errorf("alpaca %s bars: decoding page: %v: %w", kind, err, ErrBadResponse)
}
