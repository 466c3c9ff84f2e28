package strategies_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/barkeep-trading/barkeep/strategies"
)

// New builds a registered strategy from name=value strings, as --param passes them: values
// not given take their defaults, and every value is checked against the strategy's Params.
func ExampleNew() {
	s, p, err := strategies.New("sma", map[string]string{"fast": "5", "slow": "50"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%T fast=%d slow=%d pct=%v\n", s, p.Int("fast"), p.Int("slow"), p.Get("pct"))

	_, _, err = strategies.New("sma", map[string]string{"fast": "2.5"})
	fmt.Println(errors.Is(err, strategies.ErrBadParam), err)

	_, _, err = strategies.New("sma", map[string]string{"fast": "50", "slow": "20"})
	var pe *strategies.ParamError
	fmt.Println(errors.As(err, &pe) && pe.Fault == strategies.Rejected)
	// Output:
	// *strategies.Crossover fast=5 slow=50 pct=1
	// true strategy sma: bad parameter: fast=2.5 is not a whole number (want a whole number in [1, 100000])
	// true
}

// Params hold a strategy's values by name once New has checked them; a Factory reads them with
// Int and Get.
func ExampleParams() {
	p := strategies.Params{"period": 20, "band": 0.5}
	fmt.Println(p.Int("period"), p.Get("band"), p.Get("absent"))
	fmt.Println(p) // as messages and reports name a run
	fmt.Println(p.Strings()["band"])
	// Output:
	// 20 0.5 0
	// band=0.5 period=20
	// 0.5
}

// A Param declares a value's range; New refuses what lies outside it, with the range.
func ExampleParam() {
	period := strategies.Param{Name: "period", Description: "lookback, in bars", Default: 20, Min: 2, Max: 10000, Integer: true}
	pct := strategies.SizingParams[0]
	fmt.Println(period.Name, period.Range())
	fmt.Println(pct.Name, pct.Range(), "(pct must be above 0)")
	// Output:
	// period [2, 10000]
	// pct (0, 10] (pct must be above 0)
}

// Lookup returns what Register recorded: what `backtest --list-strategies` prints and what New
// checks values against.
func ExampleSpec() {
	spec, ok := strategies.Lookup("rsi")
	if !ok {
		log.Fatal("rsi is not registered")
	}
	fmt.Println(spec.Name+":", spec.Description)
	for _, p := range spec.Params[:3] {
		fmt.Printf("  %s=%v in %s\n", p.Name, strategies.FormatValue(p.Default), p.Range())
	}
	// Output:
	// rsi: Wilder RSI mean reversion: buy when RSI closes below lower, sell when it closes above upper
	//   period=14 in [1, 100000]
	//   lower=30 in [0, 100]
	//   upper=70 in [0, 100]
}

// SizingOf reads the pct and qty parameters that SizingParams declares; Sizing.Target then
// turns a side (+1, 0, -1) into an order for the difference from the position.
func ExampleSizingOf() {
	fmt.Printf("%+v\n", strategies.SizingOf(strategies.Params{"pct": 0.5, "qty": 0}))
	fmt.Printf("%+v\n", strategies.SizingOf(strategies.Params{"pct": 1, "qty": 100}))
	// Output:
	// {Pct:0.5 Qty:0 Split:0}
	// {Pct:1 Qty:100 Split:0}
}
