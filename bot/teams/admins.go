package teams

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/outcomebot/outcomebot/store"
	"github.com/outcomebot/outcomebot/store/record"
)

// adminBridge lets OUTCOMEBOT_ADMINS name a Teams user by either id. The
// core knows a Teams user by their aad object id; when the configuration
// names their Bot Framework id ("29:…") instead, the first message from
// that user grants their aad object id the admin role in the workspace
// (audited as granted by OUTCOMEBOT_ADMINS). Removing the id from the
// configuration later does not revoke that grant: use /outcome revoke.
type adminBridge struct {
	byBotID map[string]bool // configured admins given as Bot Framework ids
	direct  map[string]bool // every configured admin

	mu      sync.Mutex
	granted map[string]bool // workspace + aad id granted by this process
}

func newAdminBridge(admins []string) *adminBridge {
	b := &adminBridge{byBotID: map[string]bool{}, direct: map[string]bool{}, granted: map[string]bool{}}
	for _, a := range admins {
		b.direct[a] = true
		if strings.HasPrefix(a, "29:") {
			b.byBotID[a] = true
		}
	}
	return b
}

// ensure grants admin to from's aad object id when the configuration names
// from by Bot Framework id only. Failures are logged; the user then simply
// lacks the role, and the core says so.
func (b *adminBridge) ensure(ctx context.Context, st *store.Store, ws string, from schema.ChannelAccount, now func() time.Time, log *slog.Logger) {
	aad := from.AadObjectID
	if aad == "" || !b.byBotID[from.ID] || b.direct[aad] {
		return
	}
	key := ws + "\x00" + aad
	b.mu.Lock()
	done := b.granted[key]
	b.mu.Unlock()
	if done {
		return
	}
	added, err := st.Grant(ctx, ws, aad, record.RoleAdmin, "OUTCOMEBOT_ADMINS", now())
	if err != nil {
		log.Error("teams: grant admin to a configured admin's aad object id", "user", from.ID, "err", err)
		return
	}
	if added {
		log.Info("teams: configured admin named by Bot Framework id; granted admin to their aad object id", "user", from.ID, "aad", aad)
	}
	b.mu.Lock()
	b.granted[key] = true
	b.mu.Unlock()
}
