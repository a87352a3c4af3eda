package commandstest

import (
	"fmt"
	"time"

	"github.com/outcomebot/outcomebot/store/record"
)

// SyntheticDigestData builds a workspace's two weeks: nOutcomes outcomes,
// nNew new requests (each tagged as it arrives, every ninth left untagged),
// nEvents escalations raised this week and nOpen older escalations still
// open, a tenth of them on outcome-000. It is deterministic.
func SyntheticDigestData(now time.Time, nOutcomes, nNew, nEvents, nOpen int) record.DigestData {
	d := record.DigestData{From: now.AddDate(0, 0, -14), To: now, OpenTagged: map[string]int{}}
	key := func(i int) string { return fmt.Sprintf("outcome-%03d", i%nOutcomes) }
	for i := range nOutcomes {
		o := record.Outcome{Key: key(i), Title: fmt.Sprintf("Outcome %d: a business result with a fairly long descriptive title", i),
			KPI: fmt.Sprintf("metric %d per store per week", i), Owner: fmt.Sprintf("U_B%03d", i), ITOwner: fmt.Sprintf("U_I%03d", i%17),
			Status: record.OutcomeActive}
		if i%5 == 0 {
			o.SLA = 2 * time.Hour
		}
		if i%20 == 19 {
			o.Status = record.OutcomeArchived
		}
		d.Outcomes = append(d.Outcomes, o)
		d.OpenTagged[o.Key] = i % 23
	}
	for j := range nNew {
		r := record.Request{Ref: fmt.Sprintf("INC%07d", 100000+j), Status: record.RequestOpen, Source: "servicenow",
			FirstSeen: now.Add(-time.Duration((j*37)%(14*24*60)+1) * time.Minute)}
		if j%4 == 0 {
			r.Status = record.RequestClosed
		}
		if j%9 != 0 {
			r.Outcome = key(j * 31)
			d.Tags = append(d.Tags, record.TagEvent{Ref: r.Ref, Outcome: r.Outcome, By: "U_TAGGER", At: r.FirstSeen.Add(5 * time.Minute)})
		}
		d.NewRequests = append(d.NewRequests, r)
	}
	for k := range nEvents {
		e := record.Escalation{N: int64(nOpen + k + 1), Ref: fmt.Sprintf("RITM%07d", 500+k), Outcome: key(k * 17),
			Reason: "Blocked on IT", RaisedBy: fmt.Sprintf("U_R%02d", k%11), RaisedAt: now.Add(-time.Duration(k%160+1) * time.Hour), State: record.StateOpen}
		if k%3 != 2 {
			e.State, e.AckBy, e.AckAt = record.StateAcknowledged, "U_ACK", e.RaisedAt.Add(time.Duration(k%13*17+3)*time.Minute)
		}
		if k%3 == 0 {
			e.State, e.ResolvedBy, e.ResolvedAt = record.StateResolved, "U_FIX", e.AckAt.Add(3*time.Hour)
		}
		d.Escalations = append(d.Escalations, e)
	}
	for k := range nOpen {
		e := record.Escalation{N: int64(k + 1), Ref: fmt.Sprintf("CHG%07d", 900+k), Outcome: key(k * 13), Reason: "Waiting",
			RaisedBy: fmt.Sprintf("U_R%02d", k%11), RaisedAt: now.AddDate(0, 0, -15).Add(-time.Duration(k) * time.Hour), State: record.StateOpen}
		if k%10 == 0 {
			e.Outcome = key(0)
		}
		if k%2 == 1 {
			e.State, e.AckBy, e.AckAt = record.StateAcknowledged, "U_ACK", e.RaisedAt.Add(time.Hour)
		}
		d.Escalations = append(d.Escalations, e)
	}
	return d
}
