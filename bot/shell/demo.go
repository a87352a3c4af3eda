package shell

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"strings"

	"github.com/outcomebot/outcomebot/commands"
)

//go:embed demo.txt
var demoScript string

const demoIntro = `Harbour & Pine, a regional retail chain of 40 stores, runs outcomebot.
Loaded: 4 outcomes (omnichannel POS tied to in-store conversion, store network
maintenance and uptime, click & collect, and a month-end close that got no IT
work at all), requests tagged, re-tagged and never tagged over two weeks, and
escalations acknowledged in 20 minutes, after 7 hours, and never.
Below is what outcomebot posts in #leadership at Monday 09:00 (Europe/London).
`

// Demo loads the retail-chain scenario through the shell and prints the
// leadership digest it produces.
func Demo(ctx context.Context, core *commands.Core, clock *Clock, out io.Writer) error {
	fmt.Fprint(out, demoIntro)
	sh := New(core, clock, out)
	sh.Interactive(true) // no echo of the script's lines
	for _, line := range strings.Split(demoScript, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		sh.Line(ctx, line)
	}
	return nil
}
