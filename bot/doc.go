// Package bot is the platform-neutral core of Union Hall.
//
// It defines what every adapter and feature shares: the Message a member
// sends, the Reply and Card the bot answers with, the Handler that turns one
// into the other, the Router that parses Union Hall's single command
// language and dispatches it, coded errors that become short user-facing
// text, the Clock that every schedule reads time from, and the Adapter
// interface that each chat platform implements.
//
// The package imports only the standard library.
package bot
