package discord

import "context"

// memberGroups returns a member's roles for bot.User.Groups: each role's
// ID and, with Options.RoleNames, its name from the server's role list
// (read once every roleTTL). When the list cannot be read, the IDs alone
// are returned.
func (a *Adapter) memberGroups(ctx context.Context, guildID string, roleIDs []string) []string {
	if len(roleIDs) == 0 {
		return nil
	}
	out := append([]string(nil), roleIDs...)
	if !a.opts.RoleNames || guildID == "" {
		return out
	}
	names, _ := a.serverRoles.names(ctx, guildID, roleTTL)
	for _, id := range roleIDs {
		if name := names[id]; name != "" {
			out = append(out, name)
		}
	}
	return out
}
