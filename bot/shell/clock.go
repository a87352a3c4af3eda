package shell

import (
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
)

// localClock reads a :clock wall time ("2026-11-30T09:00") in loc. A wall
// time a daylight-saving change skips is refused, naming the change and the
// nearest time that exists; one a change repeats is taken at its first
// occurrence, and note says so and how to reach the second.
func localClock(text string, loc *time.Location) (t time.Time, note string, err error) {
	wall, err := time.Parse("2006-01-02T15:04", text)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("usage: :clock 2026-11-30T09:00 [Europe/Berlin]")
	}
	at := cadence.WallTimes(wall, loc)
	switch len(at) {
	case 0:
		after := cadence.SkippedWall(wall, loc)
		_, offBefore := wall.Add(-36 * time.Hour).In(loc).Zone()
		_, offAfter := after.Zone()
		return time.Time{}, "", fmt.Errorf("%s does not exist in %s: the clocks go forward %s that night, skipping it; "+
			"the clock did not move. Set a time that exists, e.g. %s (%s read with the offset before the change)",
			text, loc, commands.DurationText(time.Duration(offAfter-offBefore)*time.Second), after.Format("2006-01-02T15:04"), wall.Format("15:04"))
	case 1:
		return at[0], "", nil
	}
	first, second := at[0], at[len(at)-1]
	note = fmt.Sprintf("%s happens twice in %s (the clocks go back %s that night); this is the first, %s (UTC%s). "+
		"For the second, %s (UTC%s), use :clock +%s",
		wall.Format("15:04"), loc, commands.DurationText(second.Sub(first)), first.Format("MST"), first.Format("-07:00"),
		second.Format("MST"), second.Format("-07:00"), commands.DurationText(second.Sub(first)))
	return first, note, nil
}
