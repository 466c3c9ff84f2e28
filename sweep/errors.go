package sweep

import "strconv"

// Reason says why a grid or plan was refused, so that callers branch on a value, never on the
// text of a message.
type Reason uint8

const (
	BadSyntax    Reason = iota + 1 // a grid that does not parse: no name, a missing step, a value not a number
	BadRange                       // a step not above zero, or a start above the stop
	Repeated                       // a parameter swept twice, or a value listed twice
	NoGrid                         // nothing to sweep
	UnknownParam                   // the strategy has no parameter of the grid's name
	AlsoFixed                      // a parameter both swept and fixed
	TooMany                        // more than MaxCombinations combinations
	TooFine                        // a step below float64's resolution at the values, which repeats a value
	BadValue                       // a value the parameter refuses alone (out of range, not whole)
	AllRejected                    // the strategy rejects every combination
	TooBig                         // the bars and the runs' working memory exceed the memory available
)

func (r Reason) String() string {
	switch r {
	case BadSyntax:
		return "bad syntax"
	case BadRange:
		return "bad range"
	case Repeated:
		return "repeated"
	case NoGrid:
		return "no grid"
	case UnknownParam:
		return "unknown parameter"
	case AlsoFixed:
		return "also fixed"
	case TooMany:
		return "too many combinations"
	case TooFine:
		return "step too fine"
	case BadValue:
		return "bad value"
	case AllRejected:
		return "every combination rejected"
	case TooBig:
		return "too big for memory"
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// Error is a refused grid, plan or sweep. Every Error is the user's to fix, never a failure
// of the machine.
type Error struct {
	Reason Reason
	// Grid is the grid at fault as typed, "fast=5:50:5"; empty when no single grid is (the
	// syntax errors of ParseGrid name the grid in Err themselves).
	Grid string
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }
