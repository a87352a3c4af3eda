package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/outcomebot/outcomebot/commands"
	"github.com/outcomebot/outcomebot/commands/cadence"
)

// setting is one configuration value: an environment variable with a
// matching flag; the flag wins.
type setting struct {
	env, flag, def, help string
	secret               bool
}

// settings lists every configuration value, in the order help shows them.
var settings = []setting{
	{env: "REDIS_URL", flag: "redis-url", help: "Redis URL: redis:// or rediss:// (TLS), [user:]password@, /db; empty runs on an embedded in-memory Redis", secret: true},
	{env: "REDIS_SENTINEL_ADDRS", flag: "redis-sentinel-addrs", help: "Redis Sentinel: comma-separated host:port of the sentinels (REDIS_URL then gives only credentials, TLS and db)"},
	{env: "REDIS_SENTINEL_MASTER", flag: "redis-sentinel-master", help: "Redis Sentinel: name of the monitored master"},
	{env: "REDIS_SENTINEL_PASSWORD", flag: "redis-sentinel-password", help: "Redis Sentinel: password of the sentinels themselves, if they have one", secret: true},
	{env: "REDIS_CLUSTER_ADDRS", flag: "redis-cluster-addrs", help: "Redis Cluster: comma-separated host:port of one or more nodes (REDIS_URL then gives only credentials and TLS)"},
	{env: "REDIS_TLS_CA_FILE", flag: "redis-tls-ca-file", help: "PEM file of CA certificates trusted for rediss:// instead of the system's"},
	{env: "OUTCOMEBOT_ADMINS", flag: "admins", help: "comma-separated user ids that are admins in every workspace"},
	{env: "OUTCOMEBOT_TICKET_LINKS", flag: "ticket-links", help: "ticket link templates: REGEX=URL entries separated by ';', {ref} is the ticket"},
	{env: "OUTCOMEBOT_ACK_SLA", flag: "ack-sla", def: "4h", help: "default time to acknowledge an escalation"},
	{env: "OUTCOMEBOT_BUSINESS_HOURS", flag: "business-hours", help: "hours the ack SLA counts in, e.g. \"Mon-Fri 08:00-18:00 Europe/London\"; empty: round the clock (24x7)"},
	{env: "OUTCOMEBOT_HOLIDAYS", flag: "holidays", help: "dates closed all day in business hours: YYYY-MM-DD separated by commas (2026-12-25,2026-12-28)"},
	{env: "OUTCOMEBOT_DIGEST_CRON", flag: "digest-cron", def: "0 9 * * MON", help: "weekly digest schedule (5-field cron) in each channel's zone"},
	{env: "OUTCOMEBOT_TRIAGE_CRON", flag: "triage-cron", help: "weekly triage of untagged requests (5-field cron); empty: the digest's schedule"},
	{env: "OUTCOMEBOT_TZ", flag: "tz", def: "UTC", help: "default time zone of new leadership channels: an Area/City zone (Europe/Berlin) or UTC; others (EST) are warned about"},
	{env: "OUTCOMEBOT_LOG_LEVEL", flag: "log-level", def: "info", help: "debug, info, warn or error"},
	{env: "OUTCOMEBOT_ADDR", flag: "addr", def: ":3000", help: "serve: HTTP listen address"},
	{env: "OUTCOMEBOT_SHUTDOWN_TIMEOUT", flag: "shutdown-timeout", def: "20s", help: "serve: how long in-flight work may finish on SIGTERM"},
	{env: "OUTCOMEBOT_DRAIN_DELAY", flag: "drain-delay", def: "0s", help: "serve: on SIGTERM, how long /readyz answers 503 before the listener closes (let load balancers notice)"},
	{env: "OUTCOMEBOT_RETENTION", flag: "retention", def: "400d", help: "serve: resolved escalations and requests untouched this long are deleted (e.g. 400d, 9600h)"},
	{env: "SLACK_SIGNING_SECRET", flag: "slack-signing-secret", help: "Slack: signing secret for the HTTP routes; Slack is off without it and without SLACK_APP_TOKEN (Socket Mode needs none; then the HTTP routes refuse every request)", secret: true},
	{env: "SLACK_BOT_TOKEN", flag: "slack-bot-token", help: "Slack: bot token (xoxb-) for a single workspace; with OAuth on it serves only its own workspace (found with auth.test), and others install via /slack/install", secret: true},
	{env: "SLACK_APP_TOKEN", flag: "slack-app-token", help: "Slack: app-level token (xapp-) turns on Socket Mode", secret: true},
	{env: "SLACK_API_URL", flag: "slack-api-url", def: "https://slack.com/api/", help: "Slack: Web API base URL"},
	{env: "SLACK_CLIENT_ID", flag: "slack-client-id", help: "Slack: OAuth client id for multi-workspace install"},
	{env: "SLACK_CLIENT_SECRET", flag: "slack-client-secret", help: "Slack: OAuth client secret", secret: true},
	{env: "SLACK_REDIRECT_URL", flag: "slack-redirect-url", help: "Slack: OAuth redirect URL (https://…/slack/oauth/callback)"},
	{env: "OUTCOMEBOT_INTAKE_TOKENS", flag: "intake-tokens", help: "serve: workspace=token pairs (comma-separated) that may POST requests to /api/intake/requests; the endpoint is off without them", secret: true},
	{env: "OUTCOMEBOT_SECRET_KEY", flag: "secret-key", help: "key that encrypts stored Slack tokens (32 bytes base64, or a passphrase)", secret: true},
	{env: "MICROSOFT_APP_ID", flag: "teams-app-id", help: "Teams: the bot's Microsoft App ID; Teams is off without it"},
	{env: "MICROSOFT_APP_PASSWORD", flag: "teams-app-password", help: "Teams: the bot's client secret", secret: true},
	{env: "MICROSOFT_APP_TENANT_ID", flag: "teams-tenant-id", help: "Teams: the tenant the single-tenant bot is registered in"},
	{env: "TEAMS_OPENID_METADATA_URL", flag: "teams-openid-metadata-url", def: "https://login.botframework.com/v1/.well-known/openidconfiguration", help: "Teams: OpenID metadata naming the keys inbound tokens are checked against"},
	{env: "TEAMS_TOKEN_URL", flag: "teams-token-url", help: "Teams: token endpoint (default https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token)"},
}

// config is the parsed configuration.
type config struct {
	values map[string]string
	core   commands.Config
}

func (c *config) get(env string) string { return c.values[env] }

// parseConfig reads the environment and then the flags in args; own, when
// given, defines the command's own flags on the same flag set first.
func parseConfig(name string, args []string, getenv func(string) string, own ...func(*flag.FlagSet)) (*config, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, define := range own {
		define(fs)
	}
	ptrs := map[string]*string{}
	for _, s := range settings {
		v := getenv(s.env)
		if v == "" {
			v = s.def
		}
		ptrs[s.env] = fs.String(s.flag, v, s.help)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, usagef("%w (see `outcomebot %s -h`)", err, name)
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
	if _, err := cadence.NextDigest(c.get("OUTCOMEBOT_DIGEST_CRON"), loc, time.Now()); err != nil {
		return fmt.Errorf("OUTCOMEBOT_DIGEST_CRON: %w", err)
	}
	holidays, err := commands.ParseHolidays(c.get("OUTCOMEBOT_HOLIDAYS"))
	if err != nil {
		return fmt.Errorf("OUTCOMEBOT_HOLIDAYS=%q: %s", c.get("OUTCOMEBOT_HOLIDAYS"), plain(err))
	}
	hours, err := commands.ParseBusinessHours(c.get("OUTCOMEBOT_BUSINESS_HOURS"), holidays)
	if err != nil {
		return fmt.Errorf("OUTCOMEBOT_BUSINESS_HOURS=%q: %s", c.get("OUTCOMEBOT_BUSINESS_HOURS"), plain(err))
	}
	var admins []string
	for _, a := range strings.Split(c.get("OUTCOMEBOT_ADMINS"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			admins = append(admins, a)
		}
	}
	c.core = commands.Config{Admins: admins, TicketLinks: links, AckSLA: sla, DigestCron: c.get("OUTCOMEBOT_DIGEST_CRON"), DefaultTZ: loc,
		BusinessHours: hours, Holidays: holidays}
	return nil
}

// plain is a chat refusal without its code marks, for a start-up error.
func plain(err error) string { return strings.ReplaceAll(err.Error(), "`", "") }

// warnSettings logs the settings that work but are likely mistakes: a
// default zone (OUTCOMEBOT_TZ) that is no Area/City zone, such as EST, which
// ignores daylight saving, so digests of channels subscribed without tz=
// move an hour against local clocks for half the year. Chat refuses such a
// zone in tz=; here it is only warned about, so a running install keeps
// starting.
func (c *config) warnSettings(log *slog.Logger) {
	tz := c.get("OUTCOMEBOT_TZ")
	if _, err := commands.LoadZone(tz); err != nil {
		log.Warn("OUTCOMEBOT_TZ is not an Area/City time zone; new leadership channels get it as their zone",
			"tz", tz, "advice", plain(err))
	}
}
