// Package alpacatest owns an in-process fake of Alpaca's historical market-data API, written
// from Alpaca's documentation of /v2/stocks/bars and /v1beta3/crypto/us/bars (with the Market
// Data FAQ's 403s, the default sip feed and its 15-minute rule, and the server's Date) and from
// what the official Go SDK sends (keys or a bearer token), and of the trading API's
// /v2/account on a paper and a live host (Trading), each behaviour citing its source. It exists so that barkeep's Alpaca source is tested through the real
// SDK client, with the real wire format, pagination tokens, rate-limit headers, error bodies
// and injected faults, without reaching Alpaca.
//
// Given the same options and the same sequence of requests, the server answers the same way:
// faults are drawn from a seeded generator or taken from a script.
package alpacatest
