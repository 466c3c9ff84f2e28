// Package alpaca owns barkeep's Alpaca Markets source: a data.Source over the official SDK's
// marketdata.Client. It owns the credential and where it comes from (a key pair or an OAuth
// token, from the environment or dotenv files, exactly one of them sent), the data URL's
// rules, the feed (sip by default) and how far back a plan without recent SIP data must end
// by the server's clock (Source.Horizon), the adjustment, the mapping of barkeep's timeframes
// to Alpaca's, pagination and how many symbols one request may carry, and the HTTP transport
// under the SDK: pacing from X-RateLimit-Limit under a ceiling, rate-limit waits, retries with
// backoff (each one visible), giving up on unreachable hosts within 15 seconds, per-request
// timeouts, cancellation, the server's clock from its Date header, and turning Alpaca's
// errors into clear messages that never carry a key. Check diagnoses a user's setup for
// fetch --check. It does not store bars.
//
// Each rule cites the page of Alpaca's documentation or the SDK file it follows.
//
// It is the only package of barkeep that imports the SDK.
package alpaca
