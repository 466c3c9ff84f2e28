// Package calendar owns the US equity trading calendar: the America/New_York time zone
// (NewYork), the New York calendar day of an instant (DaySpan), and the NYSE's regular sessions
// computed by rule (holidays, early closes, the few unscheduled closures), as Session values
// found by day (SessionOn, SessionOnDate), by neighbourhood (NextSession, PrevSession) or over an
// interval (Sessions), and the allocation-free InSession test the engine's regular-hours filter
// uses for every bar.
//
// It depends on the standard library only and on no other barkeep package, so that data can
// read dates in New York time and everything above can share one calendar.
package calendar
