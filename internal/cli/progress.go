package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// IsTerminal reports whether f is a character device (a terminal), where a redrawn progress
// bar makes sense; elsewhere the commands log plain lines.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Bar draws a one-line progress bar on a terminal: done/total, rate and ETA.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	start time.Time
	last  time.Time
}

// NewBar starts a progress bar on w.
func NewBar(w io.Writer, label string) *Bar {
	return &Bar{w: w, label: label, start: time.Now()}
}

// Update redraws the bar at most ten times a second (always for the final step).
func (b *Bar) Update(done, total int, units int64, unitName, extra string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if done < total && now.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last = now
	elapsed := now.Sub(b.start).Seconds()
	frac := 1.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	const width = 24
	fill := int(frac * width)
	rate, eta := "", ""
	if elapsed > 0 {
		rate = fmt.Sprintf(" %s %s/s", human(float64(units)/elapsed), unitName)
	}
	if done > 0 && done < total {
		rem := time.Duration(elapsed / float64(done) * float64(total-done) * float64(time.Second))
		eta = " ETA " + rem.Round(time.Second).String()
	}
	fmt.Fprintf(b.w, "\r\033[K%s [%s%s] %d/%d%s%s %s", b.label, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, total, rate, eta, extra)
}

// Done ends the bar's line.
func (b *Bar) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintln(b.w)
}

func human(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
