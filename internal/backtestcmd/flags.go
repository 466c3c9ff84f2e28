package backtestcmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// parseCommission reads --commission: "0" or "none"; "0.005/share" with an optional minimum
// per order ("0.005/share,min=1"); "1/order"; "0.1%" of notional (optionally ",min=1").
func parseCommission(s string) (engine.Commission, error) {
	in := strings.ToLower(strings.ReplaceAll(s, " ", ""))
	bad := cli.Usagef("--commission: invalid value %q: want none, 0.005/share[,min=1], 1/order or 0.1%%[,min=1]", s)
	if in == "" || in == "0" || in == "none" {
		return engine.Commission{}, nil
	}
	spec, minPart, hasMin := strings.Cut(in, ",")
	var c engine.Commission
	if hasMin {
		v, ok := strings.CutPrefix(minPart, "min=")
		m, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || m < 0 || m > 1000 {
			return c, bad
		}
		c.Min = m
	}
	var num string
	switch {
	case strings.HasSuffix(spec, "/share"):
		c.Kind, num = engine.PerShare, strings.TrimSuffix(spec, "/share")
	case strings.HasSuffix(spec, "/order"):
		c.Kind, num = engine.PerOrder, strings.TrimSuffix(spec, "/order")
		if hasMin {
			return c, bad
		}
	case strings.HasSuffix(spec, "%"):
		c.Kind, num = engine.Percent, strings.TrimSuffix(spec, "%")
	default:
		return c, bad
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || v != v {
		return c, bad
	}
	switch c.Kind {
	case engine.Percent:
		if v > 10 {
			return c, cli.Usagef("--commission %s: a percentage above 10%% is surely a mistake", s)
		}
		c.Rate = v / 100
	case engine.PerShare:
		if v > 1 {
			return c, cli.Usagef("--commission %s: more than $1 a share is surely a mistake", s)
		}
		c.Rate = v
	default:
		if v > 1000 {
			return c, cli.Usagef("--commission %s: more than $1000 an order is surely a mistake", s)
		}
		c.Rate = v
	}
	return c, nil
}

// paramList collects repeated --param name=value flags.
type paramList map[string]string

func (p paramList) String() string { return fmt.Sprint(map[string]string(p)) }

func (p paramList) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || value == "" {
		return fmt.Errorf("want name=value, such as fast=20")
	}
	if _, dup := p[name]; dup {
		return fmt.Errorf("%s is given twice", name)
	}
	p[name] = value
	return nil
}
