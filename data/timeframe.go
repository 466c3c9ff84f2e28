package data

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Unit is the unit of a Timeframe.
type Unit uint8

const (
	Min Unit = iota + 1
	Hour
	Day
	Week
	Month
)

var unitNames = [...]string{Min: "Min", Hour: "Hour", Day: "Day", Week: "Week", Month: "Month"}

func (u Unit) String() string {
	if int(u) < len(unitNames) && unitNames[u] != "" {
		return unitNames[u]
	}
	return "Unit(" + strconv.Itoa(int(u)) + ")"
}

// Timeframe is a bar length in Alpaca's spelling: 1Min..59Min, 1Hour..23Hour, 1Day, 1Week and
// 1, 2, 3, 4, 6 or 12 Month. The zero value is invalid.
type Timeframe struct {
	N    int
	Unit Unit
}

// Common timeframes.
var (
	OneMin  = Timeframe{1, Min}
	OneHour = Timeframe{1, Hour}
	OneDay  = Timeframe{1, Day}
)

// TimeframeForms describes the valid spellings, for error messages and --help.
const TimeframeForms = "1Min..59Min, 1Hour..23Hour, 1Day, 1Week, 1Month, 2Month, 3Month, 4Month, 6Month, 12Month"

// ParseTimeframe parses Alpaca's spelling of a timeframe. Unit names are matched without regard
// to case ("1min", "1MIN") and "T", "H", "D", "W", "M" are not accepted: they are ambiguous
// between tools.
func ParseTimeframe(s string) (Timeframe, error) {
	in := strings.TrimSpace(s)
	i := 0
	for i < len(in) && in[i] >= '0' && in[i] <= '9' {
		i++
	}
	bad := fmt.Errorf("invalid timeframe %q: want one of %s", s, TimeframeForms)
	if i == 0 || i > 3 {
		return Timeframe{}, bad
	}
	n, _ := strconv.Atoi(in[:i])
	var u Unit
	switch strings.ToLower(in[i:]) {
	case "min":
		u = Min
	case "hour":
		u = Hour
	case "day":
		u = Day
	case "week":
		u = Week
	case "month":
		u = Month
	default:
		return Timeframe{}, bad
	}
	tf := Timeframe{n, u}
	if !tf.Valid() {
		return Timeframe{}, bad
	}
	return tf, nil
}

// ParseTimeframes parses a comma-separated list of timeframes, dropping duplicates.
func ParseTimeframes(s string) ([]Timeframe, error) {
	var out []Timeframe
	seen := map[Timeframe]bool{}
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		tf, err := ParseTimeframe(part)
		if err != nil {
			return nil, err
		}
		if !seen[tf] {
			seen[tf] = true
			out = append(out, tf)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no timeframe given: want one of %s", TimeframeForms)
	}
	return out, nil
}

// Valid reports whether tf is one of the forms Alpaca accepts.
func (tf Timeframe) Valid() bool {
	switch tf.Unit {
	case Min:
		return tf.N >= 1 && tf.N <= 59
	case Hour:
		return tf.N >= 1 && tf.N <= 23
	case Day, Week:
		return tf.N == 1
	case Month:
		switch tf.N {
		case 1, 2, 3, 4, 6, 12:
			return true
		}
	}
	return false
}

func (tf Timeframe) String() string {
	if tf.Unit == 0 {
		return "invalid"
	}
	return strconv.Itoa(tf.N) + tf.Unit.String()
}

// MarshalText and UnmarshalText make a Timeframe read and write as "1Min" in JSON and flags.
func (tf Timeframe) MarshalText() ([]byte, error) { return []byte(tf.String()), nil }

func (tf *Timeframe) UnmarshalText(b []byte) error {
	v, err := ParseTimeframe(string(b))
	if err != nil {
		return err
	}
	*tf = v
	return nil
}

// Intraday reports whether bars of tf are shorter than a session.
func (tf Timeframe) Intraday() bool { return tf.Unit == Min || tf.Unit == Hour }

// Duration is the nominal length of one bar. Calendar units use 1 day, 7 days and 30 days per
// month: good for estimates and sizing, not for stepping through a calendar.
func (tf Timeframe) Duration() time.Duration {
	d := time.Duration(tf.N)
	switch tf.Unit {
	case Min:
		return d * time.Minute
	case Hour:
		return d * time.Hour
	case Day:
		return d * 24 * time.Hour
	case Week:
		return d * 7 * 24 * time.Hour
	case Month:
		return d * 30 * 24 * time.Hour
	}
	return 0
}
