package data

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Range is the half-open time interval [Start, End).
type Range struct {
	Start, End time.Time
}

// Empty reports whether r contains no instant.
func (r Range) Empty() bool { return !r.Start.Before(r.End) }

// Contains reports whether t lies in [Start, End).
func (r Range) Contains(t time.Time) bool { return !t.Before(r.Start) && t.Before(r.End) }

func (r Range) String() string {
	return r.Start.UTC().Format(time.RFC3339) + ".." + r.End.UTC().Format(time.RFC3339)
}

// Ranges is a sorted set of disjoint, non-adjacent ranges: the normal form that Add keeps.
type Ranges []Range

// Add returns rs with r merged in, overlapping and touching ranges joined. rs must be in normal
// form; the result is. rs is not modified.
func (rs Ranges) Add(r Range) Ranges {
	if r.Empty() {
		return rs
	}
	out := make(Ranges, 0, len(rs)+1)
	i := 0
	for ; i < len(rs) && rs[i].End.Before(r.Start); i++ {
		out = append(out, rs[i])
	}
	for ; i < len(rs) && !rs[i].Start.After(r.End); i++ {
		if rs[i].Start.Before(r.Start) {
			r.Start = rs[i].Start
		}
		if rs[i].End.After(r.End) {
			r.End = rs[i].End
		}
	}
	out = append(out, r)
	return append(out, rs[i:]...)
}

// Normalize returns the normal form of any list of ranges.
func Normalize(rs []Range) Ranges {
	sorted := append([]Range(nil), rs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start.Before(sorted[j].Start) })
	var out Ranges
	for _, r := range sorted {
		out = out.Add(r)
	}
	return out
}

// Missing returns the parts of want that rs does not cover, in order.
func (rs Ranges) Missing(want Range) Ranges {
	var out Ranges
	cur := want.Start
	for _, r := range rs {
		if !r.End.After(cur) {
			continue
		}
		if !r.Start.Before(want.End) {
			break
		}
		if r.Start.After(cur) {
			out = append(out, Range{cur, r.Start})
		}
		cur = r.End
		if !cur.Before(want.End) {
			return out
		}
	}
	if cur.Before(want.End) {
		out = append(out, Range{cur, want.End})
	}
	return out
}

// Covers reports whether want lies entirely inside rs.
func (rs Ranges) Covers(want Range) bool { return want.Empty() || len(rs.Missing(want)) == 0 }

// Validate reports whether rs is in normal form.
func (rs Ranges) Validate() error {
	for i, r := range rs {
		if r.Empty() {
			return fmt.Errorf("range %d (%s) is empty", i, r)
		}
		if i > 0 && !rs[i-1].End.Before(r.Start) {
			return fmt.Errorf("ranges %d and %d overlap or touch", i-1, i)
		}
	}
	return nil
}

func (rs Ranges) String() string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}
