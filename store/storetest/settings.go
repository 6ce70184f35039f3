package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/unionhall/unionhall/bot"
)

// testSettingOrInit: a setting is stored by its first initialisation,
// survives a restart, and is never overwritten by a later one.
func testSettingOrInit(t *testing.T, e Engine) {
	ctx := context.Background()
	d := fresh(t, e, bot.NewManualClock(someDay))
	s := d.open()
	if v, ok, err := s.Settings.Setting(ctx, "salt"); err != nil || ok || v != "" {
		t.Fatalf("unset setting: %q %v %v", v, ok, err)
	}
	v1, err := s.Settings.SettingOrInit(ctx, "salt", func() (string, error) { return "first", nil })
	if err != nil || v1 != "first" {
		t.Fatalf("%q %v", v1, err)
	}
	v2, err := s.Settings.SettingOrInit(ctx, "salt", func() (string, error) { return "second", nil })
	if err != nil || v2 != "first" {
		t.Fatalf("second init overwrote: %q %v", v2, err)
	}
	if _, err := s.Settings.SettingOrInit(ctx, "other", func() (string, error) { return "", fmt.Errorf("no randomness") }); err == nil {
		t.Fatal("a failed initialisation was not reported")
	}
	if _, ok, err := s.Settings.Setting(ctx, "other"); err != nil || ok {
		t.Fatalf("a failed initialisation stored something: %v %v", ok, err)
	}
	closeStores(t, s)
	s = d.open()
	if v, ok, err := s.Settings.Setting(ctx, "salt"); err != nil || !ok || v != "first" {
		t.Fatalf("after a restart: %q %v %v", v, ok, err)
	}
}

// testSettingOrInitRaced: replicas starting together, each initialising
// the same setting with a value of its own, all end up with one value.
func testSettingOrInitRaced(t *testing.T, e Engine) {
	ctx := context.Background()
	d := fresh(t, e, bot.NewManualClock(someDay))
	handles := d.openN(3)
	got := make([]string, 12)
	together(len(got), func(i int) {
		v, err := handles[i%len(handles)].Settings.SettingOrInit(ctx, "salt", func() (string, error) { return fmt.Sprint("value-", i), nil })
		if err != nil {
			t.Error(err)
		}
		got[i] = v
	})
	stored, ok, err := handles[0].Settings.Setting(ctx, "salt")
	if err != nil || !ok {
		t.Fatalf("stored: %v %v", ok, err)
	}
	for i, v := range got {
		if v != stored {
			t.Fatalf("caller %d got %q, the store holds %q", i, v, stored)
		}
	}
}
