// Package metrics exposes what outcomebot does in the Prometheus text
// format: commands by name and result with their latency, escalations and
// the time to acknowledge them, digests, calls to the chat platforms with
// their retries and 429s, Redis errors, HTTP requests and recovered panics,
// plus the Go runtime and process collectors (resident memory among them).
//
// A Metrics is the observer the other packages declare: commands.Observer
// (CommandHandled, EscalationChanged), the slack and teams Observer (through
// Platform), and a go-redis hook (RedisHook). It owns its registry, so two
// Metrics never collide (tests build one each).
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace starts every metric name.
const namespace = "outcomebot"

// Metrics holds outcomebot's collectors and the registry they are in. Its
// methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	commands    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	escalations *prometheus.CounterVec
	ackWait     prometheus.Histogram
	apiCalls    *prometheus.CounterVec
	retries     *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	redisErrors *prometheus.CounterVec
	httpReqs    *prometheus.CounterVec
	httpLatency *prometheus.HistogramVec
	panics      prometheus.Counter
	bgPanics    *prometheus.CounterVec
	expired     *prometheus.CounterVec
}

// New builds the collectors and registers them, with the Go runtime and
// process collectors and outcomebot_build_info{version}.
func New(version string) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		commands: counterVec("commands_total",
			"Commands and button presses handled, by command and result (ok, user_error, unavailable, error).",
			"command", "result"),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "command_duration_seconds",
			Help:    "Time the core spent handling a command, by command (store round trips included, platform delivery not).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"command"}),
		escalations: counterVec("escalations_total",
			"Escalations raised, acknowledged and resolved (first time only), by event.",
			"event"),
		ackWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "escalation_time_to_acknowledge_seconds",
			Help:    "Time from raising an escalation to its acknowledgement.",
			Buckets: []float64{60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200, 604800},
		}),
		apiCalls: counterVec("platform_api_calls_total",
			"Outbound HTTP calls to a chat platform, by platform and status class (2xx, 3xx, 4xx, 429, 5xx, error).",
			"platform", "code"),
		retries: counterVec("platform_retries_total",
			"Retries of platform API calls, by platform and the failed attempt's status (429, 5xx, 4xx, connection).",
			"platform", "reason"),
		rateLimited: counterVec("platform_rate_limited_total",
			"Platform API answers with HTTP 429 (rate limited), by platform.",
			"platform"),
		redisErrors: counterVec("redis_errors_total",
			"Failed Redis commands and dials, by kind (dial, timeout, connection, server). Missing keys and NOSCRIPT are not errors.",
			"kind"),
		httpReqs: counterVec("http_requests_total",
			"Inbound HTTP requests, by route pattern and status code.",
			"route", "code"),
		httpLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "Time to answer an inbound HTTP request, by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_panics_total",
			Help: "HTTP handlers that panicked and were answered 500.",
		}),
		bgPanics: counterVec("background_panics_total",
			"Background work of a platform (button clicks, events, late answers, Socket Mode, Teams turns) that panicked and was recovered, by platform.",
			"platform"),
		expired: counterVec("retention_expired_total",
			"Records removed by the retention sweep, by kind (request, escalation).",
			"kind"),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Name: "build_info", Help: "Always 1; the version label names the build.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	m.reg.MustRegister(m.commands, m.latency, m.escalations, m.ackWait, m.apiCalls, m.retries,
		m.rateLimited, m.redisErrors, m.httpReqs, m.httpLatency, m.panics, m.bgPanics, m.expired, build,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// counterVec is a counter of this namespace with the given labels.
func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
}

// Registry returns the registry every collector is in, to add more.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// CommandHandled counts a handled command and its latency (commands.Observer).
func (m *Metrics) CommandHandled(name, result string, took time.Duration) {
	m.commands.WithLabelValues(name, result).Inc()
	m.latency.WithLabelValues(name).Observe(took.Seconds())
}

// EscalationChanged counts an escalation event and, for an
// acknowledgement, its wait (commands.Observer).
func (m *Metrics) EscalationChanged(event string, waited time.Duration) {
	m.escalations.WithLabelValues(event).Inc()
	if event == "acknowledged" {
		m.ackWait.Observe(waited.Seconds())
	}
}

// HTTPRequest counts one inbound request answered with code on route (a
// ServeMux pattern, or "unmatched").
func (m *Metrics) HTTPRequest(route string, code int, took time.Duration) {
	m.httpReqs.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.httpLatency.WithLabelValues(route).Observe(took.Seconds())
}

// Panic counts a recovered handler panic.
func (m *Metrics) Panic() { m.panics.Inc() }

// Expired counts n records of kind removed by the retention sweep.
func (m *Metrics) Expired(kind string, n int) {
	if n > 0 {
		m.expired.WithLabelValues(kind).Add(float64(n))
	}
}

// DigestCounts are the scheduler's running totals of weekly digests.
type DigestCounts struct {
	Posted, Late, Missed, Failed uint64
}

// WatchDigests exports outcomebot_digests_total{outcome} from stats, read
// at each scrape (posted counts every digest posted; late those of them
// posted after their slot's grace; missed slots the scheduler gave up on;
// failed attempts that did not post). Call it once.
func (m *Metrics) WatchDigests(stats func() DigestCounts) {
	m.reg.MustRegister(&digestCollector{stats: stats, desc: prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "", "digests_total"),
		"Weekly digests by outcome: posted, late (posted after the grace period, also counted as posted), missed, failed.",
		[]string{"outcome"}, nil)})
}

// digestCollector reads the scheduler's totals at scrape time.
type digestCollector struct {
	stats func() DigestCounts
	desc  *prometheus.Desc
}

func (c *digestCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *digestCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	for _, v := range []struct {
		outcome string
		n       uint64
	}{{"posted", s.Posted}, {"late", s.Late}, {"missed", s.Missed}, {"failed", s.Failed}} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(v.n), v.outcome)
	}
}

// SchedulerState is what the scheduler reports besides digests.
type SchedulerState struct {
	LastTick               time.Time // fire time of the last pass started; zero before the first
	LadderSent, LadderLost uint64    // reminder-ladder steps sent, and claimed but not posted everywhere
	LadderRetried          uint64    // steps whose post failed everywhere, given back to send again
}

// WatchScheduler exports outcomebot_scheduler_last_tick_timestamp_seconds
// (alert when it falls minutes behind: the cadence is stuck) and
// outcomebot_ladder_steps_total{outcome="sent|lost|retried"} from state, read at
// each scrape. Call it once.
func (m *Metrics) WatchScheduler(state func() SchedulerState) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: namespace, Name: "scheduler_last_tick_timestamp_seconds",
		Help: "Unix time of the scheduler's last pass (its fire time); 0 before the first.",
	}, func() float64 {
		if t := state().LastTick; !t.IsZero() {
			return float64(t.UnixNano()) / 1e9
		}
		return 0
	}))
	for _, outcome := range []string{"sent", "lost", "retried"} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: namespace, Name: "ladder_steps_total",
			Help:        "Escalation reminder-ladder steps: sent; lost (claimed but not posted everywhere, not retried); retried (failed everywhere, given back to send again).",
			ConstLabels: prometheus.Labels{"outcome": outcome},
		}, func() float64 {
			s := state()
			switch outcome {
			case "sent":
				return float64(s.LadderSent)
			case "retried":
				return float64(s.LadderRetried)
			}
			return float64(s.LadderLost)
		}))
	}
}
