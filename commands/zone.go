package commands

import (
	"strings"
	"time"
)

// Time zones people name in commands (/digest subscribe tz=…).

// cityAreas are the first parts of IANA's geographic Area/City zones. The
// other names the zone database knows (EST, CET, EST5EDT, Etc/GMT+5, US/…,
// Japan) are abbreviations, fixed offsets or old aliases.
var cityAreas = []string{"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}

// zoneCities names the Area/City zone to suggest for common abbreviations
// and old aliases, by their upper-cased name.
var zoneCities = map[string]string{
	"EST": "America/New_York", "EDT": "America/New_York", "EST5EDT": "America/New_York", "US/EASTERN": "America/New_York",
	"CST": "America/Chicago", "CDT": "America/Chicago", "CST6CDT": "America/Chicago", "US/CENTRAL": "America/Chicago",
	"MST": "America/Denver", "MDT": "America/Denver", "MST7MDT": "America/Denver", "US/MOUNTAIN": "America/Denver",
	"PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "PST8PDT": "America/Los_Angeles", "US/PACIFIC": "America/Los_Angeles",
	"AKST": "America/Anchorage", "AKDT": "America/Anchorage", "HST": "Pacific/Honolulu",
	"GMT": "Europe/London", "BST": "Europe/London", "WET": "Europe/Lisbon", "WEST": "Europe/Lisbon",
	"CET": "Europe/Berlin", "CEST": "Europe/Berlin", "MET": "Europe/Berlin", "MEST": "Europe/Berlin",
	"EET": "Europe/Athens", "EEST": "Europe/Athens", "MSK": "Europe/Moscow",
	"IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
	"NZST": "Pacific/Auckland", "NZDT": "Pacific/Auckland",
}

// LoadZone loads a time zone a person names for a schedule: an IANA
// Area/City zone (Europe/Berlin, America/Argentina/Buenos_Aires) or UTC, in
// any case. Abbreviations and fixed offsets (EST, CET, Etc/GMT+5) are
// refused even where the zone database knows them, because they ignore
// daylight saving: a digest at 09:00 EST comes at 10:00 on New York's clocks
// all summer. The error is a *UserError that names the Area/City zone to use
// instead where the name is a common abbreviation.
func LoadZone(name string) (*time.Location, error) {
	if strings.EqualFold(name, "UTC") {
		return time.UTC, nil
	}
	shown := Clip(name, 40)
	if city, ok := zoneCities[strings.ToUpper(name)]; ok {
		return nil, Userf("`%s` ignores daylight saving; use a city zone such as `%s` (or `UTC`).", shown, city)
	}
	loc, err := time.LoadLocation(name)
	if name == "" || strings.EqualFold(name, "local") || strings.Contains(name, "..") || err != nil {
		return nil, Userf("`%s` is not a time zone: use an Area/City zone like `Europe/Berlin` or `America/New_York`, or `UTC`.", shown)
	}
	if !isCityZone(name) {
		return nil, Userf("`%s` is not an Area/City zone, so it may ignore daylight saving; use a city zone like `Europe/Berlin` or `America/New_York`, or `UTC`.", shown)
	}
	return loc, nil
}

// isCityZone reports whether name is a geographic Area/City zone name.
func isCityZone(name string) bool {
	area, city, ok := strings.Cut(name, "/")
	if !ok || city == "" {
		return false
	}
	for _, a := range cityAreas {
		if area == a {
			return true
		}
	}
	return false
}
