package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/faq"
)

// faqSaltSetting is the settings key of the salt that keys member hashes
// in FAQ feedback and unanswered-question records.
const faqSaltSetting = "faq_member_salt"

// registerFAQ wires the knowledge base and /faq, and answers free-text
// questions (DMs, mentions, console lines without a slash) with it.
func (a *app) registerFAQ(ctx context.Context, kb *faq.KB) error {
	m, err := newMatcher(ctx, kb, a.stores.FAQ, a.log)
	if err != nil {
		return err
	}
	salt, err := a.stores.Settings.SettingOrInit(ctx, faqSaltSetting, func() (string, error) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return hex.EncodeToString(b), nil
	})
	if err != nil {
		return fmt.Errorf("faq: %w", err)
	}
	svc, err := faq.New(faq.Config{
		Matcher: m,
		Store:   a.stores.FAQ,
		Salt:    []byte(salt),
		Contact: a.cfg.vars.get("UNIONHALL_STEWARD_CONTACT"),
		Clock:   a.clock,
		Log:     a.log,
		// Free text that is a command without its slash gets a hint.
		Commands: a.router.Commands,
		Metrics:  a.metrics,
	})
	if err != nil {
		return err
	}
	a.register([]bot.Command{svc.Command()}, nil)
	a.router.Fallback(svc.Fallback())
	return nil
}

// loadKB loads the knowledge base from UNIONHALL_KB_DIR, or the embedded
// default.
func (c config) loadKB() (*faq.KB, error) {
	var fsys fs.FS = faq.DefaultFS()
	if c.KBDir != "" {
		fsys = os.DirFS(c.KBDir)
	}
	kb, err := faq.Load(fsys)
	if err != nil {
		if c.KBDir != "" {
			return nil, fmt.Errorf("UNIONHALL_KB_DIR %s: %w", c.KBDir, err)
		}
		return nil, err
	}
	return kb, nil
}

// newMatcher indexes kb with what stewards added (phrasings and entries
// promoted from passages), when there is a store.
func newMatcher(ctx context.Context, kb *faq.KB, st faq.Store, log *slog.Logger) (*faq.Matcher, error) {
	if st == nil {
		return faq.NewMatcher(kb, nil, faq.Options{}), nil
	}
	m, err := faq.OpenMatcher(ctx, kb, st, faq.Options{}, log)
	if err != nil {
		return nil, fmt.Errorf("faq: %w", err)
	}
	return m, nil
}
