package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/outcomebot/outcomebot/commands"
)

// setting is one configuration value: an environment variable with a
// matching flag; the flag wins.
type setting struct {
	env, flag, def, help string
	secret                bool
}

// settings lists every configuration value, in the order help shows them.
var settings = []setting{
	{env: "REDIS_URL", flag: "redis-url", help: "Redis URL (redis:// or rediss://); empty runs on an embedded in-memory Redis"},
	{env: "OUTCOMEBOT_ADMINS", flag: "admins", help: "comma-separated user ids that are admins in every workspace"},
	{env: "OUTCOMEBOT_TICKET_LINKS", flag: "ticket-links", help: "ticket link templates: REGEX=URL entries separated by ';', {ref} is the ticket"},
	{env: "OUTCOMEBOT_ACK_SLA", flag: "ack-sla", def: "4h", help: "default time to acknowledge an escalation"},
	{env: "OUTCOMEBOT_DIGEST_CRON", flag: "digest-cron", def: "0 9 * * MON", help: "weekly digest schedule (5-field cron) in each channel's zone"},
	{env: "OUTCOMEBOT_TZ", flag: "tz", def: "UTC", help: "default time zone of new leadership channels"},
	{env: "OUTCOMEBOT_LOG_LEVEL", flag: "log-level", def: "info", help: "debug, info, warn or error"},
}

// config is the parsed configuration.
type config struct {
	values map[string]string
	core   commands.Config
}

func (c *config) get(env string) string { return c.values[env] }

// parseConfig reads the environment and then the flags in args.
func parseConfig(name string, args []string, getenv func(string) string) (*config, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	ptrs := map[string]*string{}
	for _, s := range settings {
		v := getenv(s.env)
		if v == "" {
			v = s.def
		}
		ptrs[s.env] = fs.String(s.flag, v, s.help)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, fmt.Errorf("%w (see `outcomebot help`)", err)
	}
	c := &config{values: map[string]string{}}
	for env, p := range ptrs {
		c.values[env] = strings.TrimSpace(*p)
	}
	if err := c.buildCore(); err != nil {
		return nil, nil, err
	}
	return c, fs.Args(), nil
}

func (c *config) buildCore() error {
	sla, err := time.ParseDuration(c.get("OUTCOMEBOT_ACK_SLA"))
	if err != nil || sla <= 0 {
		return fmt.Errorf("OUTCOMEBOT_ACK_SLA=%q is not a positive duration like 4h", c.get("OUTCOMEBOT_ACK_SLA"))
	}
	loc, err := time.LoadLocation(c.get("OUTCOMEBOT_TZ"))
	if err != nil {
		return fmt.Errorf("OUTCOMEBOT_TZ=%q is not a time zone (use an IANA name like Europe/Berlin)", c.get("OUTCOMEBOT_TZ"))
	}
	links, err := commands.ParseTicketLinks(c.get("OUTCOMEBOT_TICKET_LINKS"))
	if err != nil {
		return fmt.Errorf("OUTCOMEBOT_TICKET_LINKS: %w", err)
	}
	if _, err := commands.NextDigest(c.get("OUTCOMEBOT_DIGEST_CRON"), loc, time.Now()); err != nil {
		return fmt.Errorf("OUTCOMEBOT_DIGEST_CRON: %w", err)
	}
	var admins []string
	for _, a := range strings.Split(c.get("OUTCOMEBOT_ADMINS"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			admins = append(admins, a)
		}
	}
	c.core = commands.Config{Admins: admins, TicketLinks: links, AckSLA: sla, DigestCron: c.get("OUTCOMEBOT_DIGEST_CRON"), DefaultTZ: loc}
	return nil
}

// printSettings writes the settings table for help.
func printSettings(w io.Writer) {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  ENVIRONMENT\tFLAG\tDEFAULT\tMEANING")
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = "(none)"
		}
		fmt.Fprintf(tw, "  %s\t-%s\t%s\t%s\n", s.env, s.flag, def, s.help)
	}
	tw.Flush()
}

var _ = os.Getenv
