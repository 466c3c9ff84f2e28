// Package alpaca owns barkeep's Alpaca Markets source: a data.Source over the official SDK's
// marketdata.Client. It owns keys and where they come from (environment, dotenv files), the
// feed and adjustment, the mapping of barkeep's timeframes to Alpaca's, pagination, and the
// HTTP transport under the SDK: request pacing, Alpaca's rate-limit headers, retries with
// backoff, per-request timeouts, cancellation, and turning Alpaca's errors into clear messages
// that never carry a key. It does not store bars.
//
// It is the only package of barkeep that imports the SDK.
package alpaca
