package slack

import (
	"github.com/slack-go/slack"

	"github.com/outcomebot/outcomebot/commands"
)

// maxHomeBlocks is the most blocks one view may hold.
const maxHomeBlocks = 100

// homeView renders the core's home view (commands.Core.Home) as the App
// Home tab: the blocks its message rendering gives (without the 12,000
// character cap of one message, which views do not have), up to 100. It is
// a pure function; every text is escaped as in a message.
func homeView(resp commands.Response) slack.HomeTabViewRequest {
	resp.Thread = nil
	var blocks []slack.Block
	for _, m := range Render(resp) {
		blocks = append(blocks, m.Blocks...)
	}
	if len(blocks) > maxHomeBlocks {
		blocks = blocks[:maxHomeBlocks]
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// publishRequest is the views.publish request for user.
func publishRequest(user string, view slack.HomeTabViewRequest) slack.PublishViewContextRequest {
	return slack.PublishViewContextRequest{UserID: user, View: view}
}
